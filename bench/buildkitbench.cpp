// The BuildKit rows of issue 12 §5: image builds through paas (BuildKit over
// the Docker engine's /session, the context served from the commit's git tree
// by paas's FileSync server) on a Docker engine of the bench's own.
//  P8   a small context: paas's imageBuilder step vs the engine's own
//       POST /build?version=2 with the same context as a tar body
//       (`git archive` of the same commit), median of BENCH_BUILD_SAMPLES
//       each, build cache pruned before every build (no cache either side);
//  B1   a large context (BENCH_CONTEXT_MB in BENCH_CONTEXT_FILES files, a
//       quarter of it in one file, random bytes): the first build, then a
//       one-file change: its build time, the bytes and files it sent;
//  B2   a context whose .dockerignore excludes a BENCH_IGNORED_MB folder:
//       the bytes sent and the build time.
// The engine: $PAAS_TEST_DOCKER_SOCK, else a private dockerd
// (tests/support/dockerd.sh) under <build>/bench/; with neither, every row is
// printed as "skipped: <reason>". paas runs as a second instance in buildkit
// mode against that engine (PAAS_BUILD_NETWORK=host: the private engine has
// no bridge). Files are written into the project's source repo and committed
// with the git CLI, hooks off; the bench sends the webhook itself.
#include "bench/benchapi.h"
#include "bench/benchmarks.h"
#include "bench/dockerengine.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>

#include <memory>
#include <random>

namespace paas::bench {

namespace {

constexpr int kBuildTimeoutMs = 900000;
constexpr double kMB = 1e6;

// A paas instance in buildkit mode on `socket`, with its own op watcher.
struct BuildKitInstance {
    BenchContext ctx;
    std::unique_ptr<OpWatcher> watcher;
    BenchTable scratch;
    std::unique_ptr<BenchRun> run;

    bool start(const QString& socket, const BenchKnobs& knobs, QString* error)
    {
        ctx.setAppEnv("PAAS_IMAGE_BUILDER_MODE", "buildkit");
        ctx.setAppEnv("PAAS_BUILDKIT_ADDR", "docker://" + socket);
        ctx.setAppEnv("PAAS_BUILD_NETWORK", "host");  // the private engine runs with --bridge=none
        if (!ctx.start(error))
            return false;
        const nlohmann::json builder = ctx.get("/api/system").value("image_builder", nlohmann::json::object());
        if (builder.value("effective", "") != "buildkit") {
            *error = "paas did not pick BuildKit: " + QString::fromStdString(builder.dump());
            return false;
        }
        watcher = std::make_unique<OpWatcher>(ctx.nats());
        if (!watcher->start()) {
            *error = "cannot subscribe to the buildkit instance's events";
            return false;
        }
        run = std::make_unique<BenchRun>(BenchRun{ctx, *watcher, scratch, knobs});
        return true;
    }
};

// A project's source repo, written and committed with the git CLI.
class SourceTree {
public:
    explicit SourceTree(QString path) : m_path(std::move(path)) {}

    const QString& path() const { return m_path; }

    // Removes every file of the work tree but .git.
    void clear()
    {
        for (const QString& name : QDir(m_path).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)) {
            if (name == ".git")
                continue;
            const QString full = m_path + "/" + name;
            if (QFileInfo(full).isDir())
                QDir(full).removeRecursively();
            else
                QFile::remove(full);
        }
    }

    bool write(const QString& rel, const QByteArray& data)
    {
        const QString full = m_path + "/" + rel;
        QDir().mkpath(QFileInfo(full).absolutePath());
        QFile f(full);
        return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
    }

    // `bytes` of pseudo-random (incompressible) content.
    bool writeRandom(const QString& rel, qint64 bytes)
    {
        const QString full = m_path + "/" + rel;
        QDir().mkpath(QFileInfo(full).absolutePath());
        QFile f(full);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        constexpr qint64 kChunk = 1 << 20;
        std::vector<uint64_t> words(static_cast<size_t>(std::min(bytes, kChunk) + 7) / 8);
        for (qint64 left = bytes; left > 0;) {
            const qint64 n = std::min(left, kChunk);
            for (size_t i = 0; i < static_cast<size_t>(n + 7) / 8; ++i)
                words[i] = m_rng();
            if (f.write(reinterpret_cast<const char*>(words.data()), n) != n)
                return false;
            left -= n;
        }
        return true;
    }

    // git add -A + commit (hooks off: the bench sends the webhook); the sha.
    std::string commit(const QString& message)
    {
        QByteArray out;
        if (git({"add", "-A"}, &out) != 0 ||
            git({"-c", "core.hooksPath=/nonexistent-paas-bench-hooks", "commit", "-q", "-m", message}, &out) != 0 ||
            git({"rev-parse", "HEAD"}, &out) != 0) {
            BenchContext::note("  git failed in " + m_path + ": " + QString::fromUtf8(out.trimmed()));
            return {};
        }
        return out.trimmed().toStdString();
    }

    // The commit's tree as a tar (the engine's build context).
    bool archive(const std::string& sha, const QString& tarPath)
    {
        QByteArray out;
        return git({"archive", "--format=tar", "-o", tarPath, QString::fromStdString(sha)}, &out) == 0;
    }

private:
    int git(const QStringList& args, QByteArray* out)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* key : {"GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"})
            env.insert(key, "paas bench");
        for (const char* key : {"GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"})
            env.insert(key, "bench@example.invalid");
        env.insert("GIT_CONFIG_NOSYSTEM", "1");
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(m_path);
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start("git", args);
        if (!p.waitForStarted(10000) || !p.waitForFinished(600000)) {
            p.kill();
            p.waitForFinished(5000);
            *out = "git " + args.join(' ').toUtf8() + " did not finish";
            return -1;
        }
        *out = p.readAll();
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }

    QString m_path;
    std::mt19937_64 m_rng{std::random_device{}()};
};

// One ci op through paas: webhook sent -> op.completed.
struct PaasBuild {
    std::string error;            // empty: completed
    double opMs = NAN;            // webhook sent -> op.completed
    double stepMs = NAN;          // imageBuilder started_at -> finished_at
    double summarySeconds = NAN;  // buildkit-summary.txt duration_s
    long long filesSent = -1, bytesSent = -1, contextFiles = -1, entries = -1;
    std::string transport, image;
};

long long summaryValue(const QByteArray& summary, const QByteArray& key)
{
    for (const QByteArray& line : summary.split('\n'))
        if (line.startsWith(key + ": "))
            return line.mid(key.size() + 2).trimmed().toLongLong();
    return -1;
}

PaasBuild buildThroughPaas(BuildKitInstance& paas, const std::string& projectId, const std::string& sha)
{
    PaasBuild b;
    HttpLoad api(paas.ctx.port(), 1);
    const int64_t start = steadyNs();
    const HttpResult r = api.send(hookRequest(projectId, sha));
    const Accepted a = acceptedOf(r);
    if (a.opId.empty()) {
        b.error = "webhook answered " + std::to_string(r.status) + " " + r.body;
        return b;
    }
    const OpWatcher::End end = paas.watcher->waitFor(a.opId, kBuildTimeoutMs);
    const nlohmann::json op = paas.ctx.get("/api/ops/" + a.opId);
    if (end.status != "completed") {
        b.error = "ci op " + a.opId + " " + (end.status.empty() ? "did not end in time" : end.status) + ": " +
                  (op.is_object() && op.contains("error") ? op["error"].dump() : std::string());
        return b;
    }
    b.opMs = double(end.atNs - start) / 1e6;
    if (op.is_object() && op.contains("steps") && op["steps"].is_array())
        for (const nlohmann::json& step : op["steps"]) {
            if (step.value("name", "") != "imageBuilder")
                continue;
            const auto time = [&](const char* key) {
                return step.contains(key) && step[key].is_string()
                           ? QDateTime::fromString(QString::fromStdString(step[key].get<std::string>()),
                                                   Qt::ISODateWithMs)
                           : QDateTime();
            };
            const QDateTime started = time("started_at"), finished = time("finished_at");
            if (started.isValid() && finished.isValid())
                b.stepMs = double(started.msecsTo(finished));
            const nlohmann::json outputs = step.value("outputs", nlohmann::json::object());
            b.image = outputs.value("ref", "");
            const nlohmann::json t = outputs.value("context_transfer", nlohmann::json::object());
            b.filesSent = t.value("files_sent", -1LL);
            b.bytesSent = t.value("bytes_sent", -1LL);
            b.contextFiles = t.value("context_files", -1LL);
            b.entries = t.value("entries", -1LL);
            b.transport = t.value("transport", "");
        }
    QFile file(paas.ctx.artifactsRoot() + "/" + QString::fromStdString(projectId) + "/build/buildkit-summary.txt");
    const QByteArray summary = file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    for (const QByteArray& line : summary.split('\n'))
        if (line.startsWith("duration_s: "))
            b.summarySeconds = line.mid(12).trimmed().toDouble();
    // The step outputs and the summary file say the same; either may be
    // what this build has (the summary is rewritten by every build).
    if (b.bytesSent < 0)
        b.bytesSent = summaryValue(summary, "context_bytes_sent");
    if (b.filesSent < 0)
        b.filesSent = summaryValue(summary, "context_files_sent");
    if (b.bytesSent < 0)
        b.error = "no context_transfer in the imageBuilder step outputs nor in buildkit-summary.txt";
    return b;
}

// The engine's own build of a tar body: POST /build?version=2, t=<tag>.
struct EngineBuild {
    std::string error;
    double ms = NAN;
};

EngineBuild buildOnEngine(const DockerEngine& engine, const QString& tarPath, const std::string& tag)
{
    EngineBuild b;
    const EngineAnswer a = engine.call("POST", "/build?version=2&t=" + QString::fromStdString(tag), tarPath,
                                       "application/x-tar", kBuildTimeoutMs / 1000);
    if (a.status != 200 || a.body.find("\"errorDetail\"") != std::string::npos ||
        a.body.find("moby.image.id") == std::string::npos) {
        b.error = "POST /build answered " + std::to_string(a.status) + ": " + a.body.substr(0, 400);
        return b;
    }
    b.ms = a.seconds * 1000;
    return b;
}

double median(std::vector<double> v)
{
    return v.empty() ? NAN : percentile(std::move(v), 50);
}

std::string list(const std::vector<double>& v, int decimals)
{
    std::string out;
    for (double x : v)
        out += (out.empty() ? "" : ", ") + fixed(x, decimals);
    return out;
}

std::string megabytes(double bytes)
{
    return fixed(bytes / kMB, bytes < 10 * kMB ? 3 : 1) + " MB";
}

// The rows of the phase, filled as it goes.
struct Rows {
    BenchRow p8{"P8", "small-context build: paas imageBuilder step, median", NAN, "ms"};
    BenchRow first{"B1a", "", NAN, "s"};
    BenchRow second{"B1b", "", NAN, "s"};
    BenchRow share{"B1c", "", NAN, "%"};
    BenchRow files{"B1d", "", NAN, "files"};
    BenchRow ignoredBytes{"B2a", "", NAN, "MB"};
    BenchRow ignoredTime{"B2b", "", NAN, "s"};

    explicit Rows(const BenchKnobs& k)
    {
        const std::string context = std::to_string(k.contextMB) + " MB / " + std::to_string(k.contextFiles) + " files";
        p8.rule = BenchRow::Rule::RatioAtMost;
        p8.target = 1.0;
        p8.goal = "<= 1x engine";
        first.measure = "first build, " + context + ", webhook -> ci completed";
        first.floorUnit = "s";
        second.measure = "2nd build after a one-file change, webhook -> ci done";
        share.measure = "bytes sent by the 2nd build / context bytes";
        share.rule = BenchRow::Rule::Below;
        share.target = 1.0;
        share.goal = "< 1% of context";
        files.measure = "files sent by the 2nd build (of " + std::to_string(k.contextFiles) + ")";
        ignoredBytes.measure = "bytes sent, .dockerignore excludes a " + std::to_string(k.ignoredMB) + " MB folder";
        ignoredBytes.rule = BenchRow::Rule::Below;
        ignoredBytes.target = 1.0;
        ignoredBytes.goal = "< 1 MB";
        ignoredTime.measure = ".dockerignore build, webhook -> ci completed";
    }

    // `skipped`: why none could be measured (no engine, no paas in buildkit
    // mode); else a row without a figure carries its failure in its note.
    void addAll(BenchTable& table, const std::string& skipped)
    {
        for (BenchRow* row : {&p8, &first, &second, &share, &files, &ignoredBytes, &ignoredTime}) {
            if (!skipped.empty()) {
                row->skipped = skipped;
                row->note = "skipped: " + skipped;
            }
            table.add(*row);
        }
    }
};

struct Phase {
    BenchRun& run;
    DockerEngine& engine;
    BuildKitInstance& paas;
    Rows& rows;
    QString scratch;  // tar files
    std::string failure;

    std::string project(const std::string& prefix)
    {
        const std::string id = createProject(*paas.run, paas.run->uniqueName(prefix));
        if (id.empty())
            failure = "the create op of a " + prefix + " project failed (buildkit mode)";
        return id;
    }

    SourceTree tree(const std::string& id)
    {
        return SourceTree(paas.ctx.artifactsRoot() + "/" + QString::fromStdString(id) + "/repos/source");
    }

    void prune()
    {
        if (!engine.pruneBuildCache())
            BenchContext::note("  POST /build/prune failed");
    }

    bool failed(const std::string& what, const std::string& error)
    {
        if (error.empty())
            return false;
        failure = what + ": " + error;
        BenchContext::note(QString::fromStdString("  " + failure));
        return true;
    }

    void small();
    void large();
    void ignored();
};

void Phase::small()
{
    const std::string id = project("bench-bk-small");
    if (id.empty())
        return;
    SourceTree src = tree(id);
    src.clear();
    src.write("Dockerfile", "FROM scratch\nCOPY . /app/\n");
    qint64 bytes = 26;
    for (int i = 0; i < 16; ++i) {
        src.writeRandom(QStringLiteral("src/part%1.bin").arg(i), 8192);
        bytes += 8192;
    }
    std::vector<double> paasMs, engineMs, opMs;
    std::string engineError;
    long long sent = -1, files = -1;
    const QString tar = scratch + "/small.tar";
    for (int i = 0; i < run.knobs.buildSamples; ++i) {
        // The nonce makes every commit (and its COPY layer) new on both sides.
        const QByteArray nonce = "nonce " + QByteArray::number(i) + " " + QByteArray::number(steadyNs()) + "\n";
        src.write("nonce.txt", nonce);
        if (i == 0)
            bytes += nonce.size();
        const std::string sha = src.commit("bench: small context " + QString::number(i));
        if (sha.empty() || !src.archive(sha, tar)) {
            failure = "git commit/archive failed";
            return;
        }
        for (int side = 0; side < 2; ++side) {
            const bool paasTurn = (side == 0) == (i % 2 == 0);  // alternate who goes first
            prune();
            if (paasTurn) {
                const PaasBuild b = buildThroughPaas(paas, id, sha);
                if (failed("paas build", b.error))
                    return;
                paasMs.push_back(b.stepMs);
                opMs.push_back(b.opMs);
                sent = b.bytesSent;
                files = b.filesSent;
                engine.removeImage(b.image);
            } else {
                const std::string tag = "paas-bench-engine:small" + std::to_string(i);
                const EngineBuild b = buildOnEngine(engine, tar, tag);
                if (!b.error.empty())
                    engineError = b.error;  // the paas side is still measured
                else
                    engineMs.push_back(b.ms);
                engine.removeImage(tag);
            }
        }
        BenchContext::figure("  small build " + QString::number(i) + ": paas imageBuilder step", paasMs.back(), "ms");
        if (!engineMs.empty() && engineError.empty())
            BenchContext::figure("  small build " + QString::number(i) + ": engine POST /build", engineMs.back(), "ms");
    }
    rows.p8.figure = median(paasMs);
    rows.p8.floor = median(engineMs);
    rows.p8.note =
        "floor = the engine's own POST /build?version=2 of `git archive` of the same commit (tar body), median; " +
        std::to_string(paasMs.size()) +
        " builds each side, alternating, build cache pruned before each; "
        "context ~" +
        std::to_string(bytes) +
        " B in 18 files (FROM scratch, COPY . /app/); "
        "paas ms: " +
        list(paasMs, 0) + "; engine ms: " + list(engineMs, 0) + "; paas webhook -> ci completed median " +
        fixed(median(opMs), 0) + " ms; paas sent " + std::to_string(files) + " files, " + std::to_string(sent) + " B" +
        (engineError.empty() ? "" : "; an engine build failed: " + engineError);
}

void Phase::large()
{
    const BenchKnobs& k = run.knobs;
    const std::string id = project("bench-bk-large");
    if (id.empty())
        return;
    SourceTree src = tree(id);
    src.clear();
    const QByteArray dockerfile = "FROM scratch\nCOPY . /app/\n";
    src.write("Dockerfile", dockerfile);
    const qint64 total = qint64(k.contextMB) * 1000000;
    const qint64 big = total / 4;
    const int fillers = k.contextFiles - 2;  // + the Dockerfile + the big file
    const qint64 each = (total - big - dockerfile.size()) / fillers;
    int64_t start = steadyNs();
    bool ok = src.writeRandom("assets/big.bin", big);
    for (int i = 0; ok && i < fillers; ++i)
        ok = src.writeRandom(
            QStringLiteral("src/d%1/f%2.bin").arg(i / 100, 3, 10, QChar('0')).arg(i, 5, 10, QChar('0')), each);
    if (!ok) {
        failure = "cannot write the large context";
        return;
    }
    const qint64 contextBytes = dockerfile.size() + big + qint64(fillers) * each;
    BenchContext::figure("  wrote the large context (" + QString::number(contextBytes / 1e6, 'f', 1) + " MB) in",
                         double(steadyNs() - start) / 1e9, "s");
    start = steadyNs();
    const std::string first = src.commit("bench: large context");
    BenchContext::figure("  git add + commit took", double(steadyNs() - start) / 1e9, "s");
    const QString tar = scratch + "/large.tar";
    start = steadyNs();
    if (first.empty() || !src.archive(first, tar)) {
        failure = "git commit/archive of the large context failed";
        return;
    }
    // Reading every blob of the commit once, in one process: what paas's
    // FileSync server must at least do on a cold build.
    const double archiveSeconds = double(steadyNs() - start) / 1e9;
    BenchContext::figure("  git archive of the commit (every blob read) took", archiveSeconds, "s");
    // The engine's own build of the same tree first (floor), then the
    // cache pruned, so paas's first build is cold.
    prune();
    const EngineBuild engineFirst = buildOnEngine(engine, tar, "paas-bench-engine:large1");
    if (!engineFirst.error.empty())
        BenchContext::note(QString::fromStdString("  engine build of the large context failed: " + engineFirst.error));
    engine.removeImage("paas-bench-engine:large1");
    BenchContext::figure("  engine POST /build, large context", engineFirst.ms / 1000, "s");
    prune();
    BenchContext::settleDisk();
    const PaasBuild one = buildThroughPaas(paas, id, first);
    if (failed("paas first build of the large context", one.error))
        return;
    BenchContext::figure("  paas first build, webhook -> ci completed", one.opMs / 1000, "s");
    rows.first.figure = one.opMs / 1000;
    rows.first.floor = engineFirst.ms / 1000;
    rows.first.note =
        "floor = the engine's POST /build?version=2 of the same commit as a tar body, cold; "
        "imageBuilder step " +
        fixed(one.stepMs / 1000, 2) + " s; sent " + std::to_string(one.filesSent) + " files, " +
        megabytes(double(one.bytesSent)) + " of " + megabytes(double(contextBytes)) + " (one file " +
        megabytes(double(big)) + ", " + std::to_string(fillers) + " of " + std::to_string(each) +
        " B, random bytes); git archive of the commit " + fixed(archiveSeconds, 2) + " s";

    // One file changed: a filler file gets new content of the same size.
    src.writeRandom(QStringLiteral("src/d%1/f%2.bin").arg(0, 3, 10, QChar('0')).arg(0, 5, 10, QChar('0')), each);
    const std::string second = src.commit("bench: one file changed");
    if (second.empty() || !src.archive(second, tar)) {
        failure = "git commit/archive of the one-file change failed";
        return;
    }
    BenchContext::settleDisk();
    const PaasBuild two = buildThroughPaas(paas, id, second);
    if (failed("paas second build of the large context", two.error))
        return;
    BenchContext::figure("  paas second build, webhook -> ci completed", two.opMs / 1000, "s");
    BenchContext::figure("  paas second build, bytes sent", double(two.bytesSent), "B");
    const EngineBuild engineSecond = buildOnEngine(engine, tar, "paas-bench-engine:large2");
    if (!engineSecond.error.empty())
        BenchContext::note(QString::fromStdString("  engine build of the change failed: " + engineSecond.error));
    engine.removeImage("paas-bench-engine:large2");
    engine.removeImage(one.image);
    engine.removeImage(two.image);
    rows.second.figure = two.opMs / 1000;
    rows.second.floor = engineSecond.ms / 1000;
    rows.second.floorUnit = "s";
    rows.second.note =
        "floor = the engine's POST /build of the changed commit as a tar body (the whole context "
        "again); imageBuilder step " +
        fixed(two.stepMs / 1000, 2) +
        " s; BuildKit's copy of "
        "the context kept from the first build (shared key)";
    rows.share.figure = 100.0 * double(two.bytesSent) / double(contextBytes);
    rows.share.note = std::to_string(two.bytesSent) + " B of " + std::to_string(contextBytes) +
                      " B; the changed file is " + std::to_string(each) + " B; transport " + two.transport + ", " +
                      std::to_string(two.entries) + " entries listed, context_files " +
                      std::to_string(two.contextFiles);
    rows.files.figure = double(two.filesSent);
    rows.files.note = "first build sent " + std::to_string(one.filesSent) + " files";
    QFile::remove(tar);
    prune();
}

void Phase::ignored()
{
    const BenchKnobs& k = run.knobs;
    const std::string id = project("bench-bk-ignore");
    if (id.empty())
        return;
    SourceTree src = tree(id);
    src.clear();
    src.write("Dockerfile", "FROM scratch\nCOPY . /app/\n");
    src.write(".dockerignore", "ignored\n");
    qint64 kept = 0;
    for (int i = 0; i < 20; ++i) {
        src.writeRandom(QStringLiteral("src/part%1.bin").arg(i), 4096);
        kept += 4096;
    }
    const int ignoredFiles = k.ignoredMB;  // 1 MB each
    for (int i = 0; i < ignoredFiles; ++i)
        if (!src.writeRandom(QStringLiteral("ignored/blob%1.bin").arg(i, 4, 10, QChar('0')), 1000000)) {
            failure = "cannot write the ignored folder";
            return;
        }
    const std::string sha = src.commit("bench: an ignored folder");
    if (sha.empty()) {
        failure = "git commit of the ignored folder failed";
        return;
    }
    prune();
    BenchContext::settleDisk();
    const PaasBuild b = buildThroughPaas(paas, id, sha);
    if (failed("paas build with .dockerignore", b.error))
        return;
    engine.removeImage(b.image);
    BenchContext::figure("  .dockerignore build, bytes sent", double(b.bytesSent), "B");
    rows.ignoredBytes.figure = double(b.bytesSent) / kMB;
    rows.ignoredBytes.note = std::to_string(b.bytesSent) + " B in " + std::to_string(b.filesSent) +
                             " files sent; the tree holds " + std::to_string(ignoredFiles) +
                             " x 1 MB under ignored/ and " + std::to_string(kept) +
                             " B of other files; context_files " + std::to_string(b.contextFiles) + ", " +
                             std::to_string(b.entries) + " entries listed; cache pruned before";
    rows.ignoredTime.figure = b.opMs / 1000;
    rows.ignoredTime.note = "imageBuilder step " + fixed(b.stepMs / 1000, 2) + " s";
    prune();
}

}  // namespace

void buildKitRows(BenchRun& run)
{
    Rows rows(run.knobs);
    const int64_t start = steadyNs();
    const QString base = QDir::cleanPath(QCoreApplication::applicationDirPath() + "/../bench");
    const QString dir = base + "/dockerd-" + QString::number(QCoreApplication::applicationPid());
    DockerEngine engine;
    if (!engine.start(dir)) {
        BenchContext::note("  " + engine.error());
        rows.addAll(run.table, engine.error().toStdString());
        return;
    }
    BenchContext::note("  Docker engine at " + engine.socket() + (engine.privateDaemon() ? " (private dockerd)" : ""));
    std::string reason;
    {
        BuildKitInstance paas;
        QString error;
        if (!paas.start(engine.socket(), run.knobs, &error)) {
            reason = "paas in buildkit mode did not start: " + error.toStdString();
        } else {
            QDir().mkpath(dir + "-scratch");
            Phase phase{run, engine, paas, rows, dir + "-scratch", {}};
            // Each part on its own: a failed one marks its rows, the next runs.
            const auto part = [&](void (Phase::*measure)(), std::initializer_list<BenchRow*> its) {
                phase.failure.clear();
                (phase.*measure)();
                for (BenchRow* row : its)
                    if (std::isnan(row->figure))
                        row->note = "failed: " +
                                    (phase.failure.empty() ? std::string("see the progress lines") : phase.failure);
            };
            part(&Phase::small, {&rows.p8});
            part(&Phase::large, {&rows.first, &rows.second, &rows.share, &rows.files});
            part(&Phase::ignored, {&rows.ignoredBytes, &rows.ignoredTime});
            QDir(dir + "-scratch").removeRecursively();
        }
        paas.ctx.stop();
    }
    engine.stop();
    rows.addAll(run.table, reason);
    BenchContext::figure("buildkit phase took", double(steadyNs() - start) / 1e9, "s");
}

}  // namespace paas::bench
