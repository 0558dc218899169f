// P10 (issue 16): a commit on main -> the dev URL serves the new version.
// A paas instance in BuildKit mode on a Docker engine (as the buildkit phase:
// $PAAS_TEST_DOCKER_SOCK, else a private dockerd; with neither, the row is
// "skipped: <reason>"), whose dev environment runs as a container (run:
// docker, PAAS_RUN_NETWORK=host: the private engine has no bridge) with
// autoDeploy, so each completed ci op starts a deploy op into dev. The app is
// busybox httpd FROM scratch (a copy of Debian's static /bin/busybox) serving
// app.sh's VERSION line at / and "ok" at /healthz. A sample changes only that
// line (only the last layer rebuilds), commits with the git CLI and the
// repo's installed hooks (the real post-commit hook posts the webhook), and
// polls GET <dev url>/ every 20 ms until it answers the new text. One warm-up
// sample first (BuildKit's cache, the first container), then
// BENCH_RUN_SAMPLES (default 5). The breakdown comes from the ops: the ci
// op of the commit (created_at: the hook's webhook accepted; its
// imageBuilder step), the auto deploy op after it (created_at ->
// finished_at) and that op's step.log lines (container created -> healthy).
#include "bench/benchmarks.h"
#include "bench/dockerengine.h"
#include "bench/httpload.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QThread>

#include <algorithm>
#include <memory>
#include <random>

namespace paas::bench {

namespace {

using nlohmann::json;

constexpr int kOpTimeoutMs = 300000;
constexpr int kServeTimeoutMs = 120000;
constexpr int kPollMs = 20;
constexpr const char* kBusybox = "/bin/busybox";

// Why /bin/busybox cannot be the image's only binary, "" when it can. The
// image is FROM scratch: Debian's busybox-static (installer/deps-debian.sh
// --test); a dynamic busybox fails the first sample with its container's log.
std::string busyboxProblem()
{
    return QFile::exists(kBusybox) ? std::string()
                                   : std::string(kBusybox) + " is missing (install Debian's busybox-static)";
}

QByteArray appScript(const std::string& version)
{
    return "/bin/busybox mkdir -p /www\n"
           "echo ok > /www/healthz\n"
           "echo \"" +
           QByteArray::fromStdString(version) +
           "\" > /www/index.html\n"
           "exec /bin/busybox httpd -f -p 127.0.0.1:$PORT -h /www\n";
}

json runSpec(const std::string& name)
{
    const json dev{{"vars", {{"GREETING", "bench"}}}, {"run", "docker"}, {"autoDeploy", true}};
    return {{"apiVersion", "platform.example.com/v2"},
            {"kind", "App"},
            {"name", name},
            {"runtime", "static"},
            {"capabilities", {"http"}},
            {"environments", {{"dev", dev}}},
            {"networkPolicies", {{"ingress", "internal"}, {"egress", "internal"}}}};
}

std::string text(const json& object, const char* key)
{
    return object.is_object() && object.contains(key) && object[key].is_string() ? object[key].get<std::string>()
                                                                                 : std::string();
}

// An RFC 3339 time of the API as ms since the epoch; NAN when unset.
double epochMs(const std::string& time)
{
    const QDateTime t = QDateTime::fromString(QString::fromStdString(time), Qt::ISODateWithMs);
    return t.isValid() ? double(t.toMSecsSinceEpoch()) : NAN;
}

double span(const json& object, const char* from, const char* to)
{
    return epochMs(text(object, to)) - epochMs(text(object, from));
}

// The git CLI in the source repo with its installed hooks: no global or
// system config (no core.hooksPath of the user's), no API base override.
int git(const QString& repo, const QStringList& args, QByteArray* out)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* key : {"GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"})
        env.insert(key, "paas bench");
    for (const char* key : {"GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"})
        env.insert(key, "bench@example.invalid");
    env.insert("GIT_CONFIG_NOSYSTEM", "1");
    env.insert("GIT_CONFIG_GLOBAL", "/dev/null");
    env.remove("PAAS_LOCAL_API_BASE_URL");
    QProcess p;
    p.setProcessEnvironment(env);
    p.setWorkingDirectory(repo);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start("git", args);
    if (!p.waitForStarted(10000) || !p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished(5000);
        *out = "git " + args.join(' ').toUtf8() + " did not finish";
        return -1;
    }
    *out = p.readAll();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

// GET / on 127.0.0.1:port every kPollMs until the body is `version`; the
// steadyNs() of that answer, 0 if it never came.
int64_t waitServes(quint16 port, const std::string& version, int timeoutMs)
{
    HttpLoad http(port, 1);
    const QByteArray wanted = QByteArray::fromStdString(version);
    const int64_t deadline = steadyNs() + int64_t(timeoutMs) * 1000000;
    while (steadyNs() < deadline) {
        const HttpResult r = http.send({"GET", "/", {}}, 2000);
        if (r.status == 200 && QByteArray::fromStdString(r.body).trimmed() == wanted)
            return steadyNs();
        QThread::msleep(kPollMs);
    }
    return 0;
}

// A paas instance in BuildKit mode on `socket` that runs dev on that engine.
struct RunInstance {
    BenchContext ctx;
    std::unique_ptr<OpWatcher> watcher;

    bool start(const QString& socket, QString* error)
    {
        std::mt19937 rng{std::random_device{}()};
        const int first = 44000 + 30 * std::uniform_int_distribution<int>(0, 132)(rng);  // 30 ports
        ctx.setAppEnv("PAAS_IMAGE_BUILDER_MODE", "buildkit");
        ctx.setAppEnv("PAAS_BUILDKIT_ADDR", "docker://" + socket);
        ctx.setAppEnv("PAAS_BUILD_NETWORK", "host");  // the private engine runs with --bridge=none
        ctx.setAppEnv("PAAS_RUN_NETWORK", "host");
        ctx.setAppEnv("PAAS_RUN_HEALTH_TIMEOUT_S", "30");
        ctx.setAppEnv("PAAS_RUN_PORTS", QStringLiteral("%1-%2").arg(first).arg(first + 29));
        if (!ctx.start(error))
            return false;
        const json builder = ctx.get("/api/system").value("image_builder", json::object());
        if (builder.value("effective", "") != "buildkit") {
            *error = "paas did not pick BuildKit: " + QString::fromStdString(builder.dump());
            return false;
        }
        watcher = std::make_unique<OpWatcher>(ctx.nats());
        if (!watcher->start()) {
            *error = "cannot subscribe to the run instance's events";
            return false;
        }
        return true;
    }

    // A registration (create/delete) and its op, waited for; "" or why not.
    std::string registration(const json& body, std::string* projectId = nullptr)
    {
        HttpLoad api(ctx.port(), 1);
        const HttpResult r = api.send({"POST", "/api/events/registration", body.dump()});
        const json answer = json::parse(r.body, nullptr, false);
        const json op = answer.is_object() ? answer.value("op", json::object()) : json::object();
        if (r.status != 202 || text(op, "id").empty())
            return "registration answered " + std::to_string(r.status) + " " + r.body;
        if (projectId)
            *projectId = text(op, "project_id");
        const OpWatcher::End end = watcher->waitFor(text(op, "id"), kOpTimeoutMs);
        return end.status == "completed" ? std::string()
                                         : text(op, "kind") + " op " + text(op, "id") + " " +
                                               (end.status.empty() ? "did not end" : end.status);
    }
};

// One commit through hook, ci, auto deploy and the URL.
struct Sample {
    std::string error, ciId, deployId;
    double totalMs = NAN;      // git commit started -> GET / answers the new text
    double gitMs = NAN;        // the git commit process (the hook runs curl detached)
    double hookMs = NAN;       // git commit started -> ci op created_at (the webhook's 202)
    double buildMs = NAN;      // the ci op's imageBuilder step
    double ciMs = NAN;         // ci op created -> finished
    double gapMs = NAN;        // ci op finished -> deploy op created
    double deployMs = NAN;     // deploy op created (queued) -> finished
    double healthMs = NAN;     // deploy log: container created -> healthy
    double oldStopMs = NAN;    // deploy log: healthy -> previous container stopped and removed
    double ciCreatedMs = NAN;  // the ci op's created_at, ms since the epoch
};

// The timings of the deploy op's step.log lines, from its replayed events.
void deployLog(RunInstance& paas, Sample& s)
{
    HttpLoad api(paas.ctx.port(), 1);
    const HttpResult r = api.send({"GET", "/api/ops/" + s.deployId + "/events", {}}, 10000);
    double created = NAN, healthy = NAN, oldGone = NAN;
    for (const QByteArray& line : QByteArray::fromStdString(r.body).split('\n')) {
        if (!line.startsWith("data: "))
            continue;
        const json e = json::parse(line.mid(6).toStdString(), nullptr, false);
        if (text(e, "type") != "step.log")
            continue;
        const QString said = QString::fromStdString(text(e, "line"));
        const double at = epochMs(text(e, "at"));
        if (said.startsWith("container ") && said.contains(" created from "))
            created = at;
        else if (said.startsWith("healthy:"))
            healthy = at;
        else if (said.startsWith("previous container "))
            oldGone = at;
    }
    s.healthMs = healthy - created;
    s.oldStopMs = oldGone - healthy;
}

// The newest ops of the project (GET /api/projects/{id}/ops?limit=N).
json recentOps(RunInstance& paas, const std::string& projectId, int limit = 10)
{
    const json page = paas.ctx.get("/api/projects/" + projectId + "/ops?limit=" + std::to_string(limit));
    if (page.is_array())
        return page;
    return page.is_object() && page.contains("ops") && page["ops"].is_array() ? page["ops"] : json::array();
}

// Every image the project's ops built (imageBuilder outputs.ref), the
// create op's included: the engine keeps them after the project is deleted.
std::vector<std::string> projectImages(RunInstance& paas, const std::string& projectId)
{
    std::vector<std::string> refs;
    for (const json& op : recentOps(paas, projectId, 100))
        for (const json& step : op.is_object() ? op.value("steps", json::array()) : json::array())
            if (const std::string ref = text(step.value("outputs", json::object()), "ref");
                text(step, "name") == "imageBuilder" && !ref.empty())
                refs.push_back(ref);
    return refs;
}

// The ci op of `sha` and the auto deploy op after it (op ids sort by
// creation time), polled for until both exist.
void findOps(RunInstance& paas, const std::string& projectId, const std::string& sha, Sample& s)
{
    const int64_t deadline = steadyNs() + int64_t(kOpTimeoutMs) * 1000000;
    const int64_t hookDeadline = steadyNs() + int64_t(30000) * 1000000;  // the hook's curl has -m 5
    while (s.deployId.empty() && s.error.empty() && steadyNs() < (s.ciId.empty() ? hookDeadline : deadline)) {
        const json ops = recentOps(paas, projectId);
        for (const json& op : ops)
            if (text(op, "kind") == "ci" && text(op.value("trigger", json::object()), "commit") == sha)
                s.ciId = text(op, "id");
        for (const json& op : ops) {
            const std::string id = text(op, "id");
            if (!s.ciId.empty() && id > s.ciId && (s.deployId.empty() || id < s.deployId) &&
                text(op, "kind") == "deploy" && text(op.value("trigger", json::object()), "source") == "auto")
                s.deployId = id;
        }
        if (!s.deployId.empty())
            break;
        if (!s.ciId.empty() && paas.watcher->waitFor(s.ciId, kOpTimeoutMs).status != "completed")
            s.error = "ci op " + s.ciId + " did not complete";
        QThread::msleep(kPollMs);
    }
    if (s.deployId.empty() && s.error.empty())
        s.error = s.ciId.empty() ? "no ci op for commit " + sha : "no auto deploy op after " + s.ciId;
}

// Waits for the deploy op, then the breakdown from both ops.
void breakdown(RunInstance& paas, Sample& s)
{
    const OpWatcher::End end = paas.watcher->waitFor(s.deployId, kOpTimeoutMs);
    const json deploy = paas.ctx.get("/api/ops/" + s.deployId);
    if (end.status != "completed") {
        s.error = "deploy op " + s.deployId + " " + (end.status.empty() ? "did not end" : end.status) + ": " +
                  (deploy.is_object() && deploy.contains("error") ? deploy["error"].dump() : std::string());
        return;
    }
    const json ci = paas.ctx.get("/api/ops/" + s.ciId);
    s.ciCreatedMs = epochMs(text(ci, "created_at"));
    s.ciMs = span(ci, "created_at", "finished_at");
    s.gapMs = epochMs(text(deploy, "created_at")) - epochMs(text(ci, "finished_at"));
    s.deployMs = span(deploy, "created_at", "finished_at");
    for (const json& step : ci.is_object() ? ci.value("steps", json::array()) : json::array())
        if (text(step, "name") == "imageBuilder")
            s.buildMs = span(step, "started_at", "finished_at");
    deployLog(paas, s);
}

struct Phase {
    RunInstance& paas;
    std::string projectId;
    QString repo;
    quint16 devPort = 0;

    bool write(const QString& rel, const QByteArray& data)
    {
        QFile f(repo + "/" + rel);
        return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
    }

    std::string setUp();
    Sample sample(const std::string& version, bool warmUp);
    quint16 devUrlPort();
};

// The project, its source tree replaced by the busybox app; "" or why not.
std::string Phase::setUp()
{
    if (std::string e = paas.registration({{"action", "create"}, {"spec", runSpec("bench-run-p10")}}, &projectId);
        !e.empty())
        return "create: " + e;
    repo = paas.ctx.artifactsRoot() + "/" + QString::fromStdString(projectId) + "/repos/source";
    for (const QString& name : QDir(repo).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot))
        if (name != ".git" && !(QFileInfo(repo + "/" + name).isDir() ? QDir(repo + "/" + name).removeRecursively()
                                                                     : QFile::remove(repo + "/" + name)))
            return "cannot clear " + (repo + "/" + name).toStdString();
    QFile::remove(repo + "/busybox");
    if (!QFile::copy(kBusybox, repo + "/busybox"))
        return std::string("cannot copy ") + kBusybox + " into the source repo";
    const QByteArray dockerfile =
        "FROM scratch\n"
        "COPY --chmod=0755 busybox /bin/busybox\n"
        "COPY app.sh /app.sh\n"
        "CMD [\"/bin/busybox\", \"sh\", \"/app.sh\"]\n";
    if (!write("Dockerfile", dockerfile))
        return "cannot write the Dockerfile";
    QByteArray out;
    if (git(repo, {"add", "-A"}, &out) != 0)
        return "git add failed: " + out.trimmed().toStdString();
    return {};
}

quint16 Phase::devUrlPort()
{
    const json envs = paas.ctx.get("/api/projects/" + projectId + "/environments");
    if (envs.is_object() && envs.contains("environments") && envs["environments"].is_array())
        for (const json& env : envs["environments"])
            if (text(env, "name") == "dev" && env.contains("run") && env["run"].is_object())
                return static_cast<quint16>(env["run"].value("port", 0));
    return 0;
}

Sample Phase::sample(const std::string& version, bool warmUp)
{
    Sample s;
    QByteArray out;
    if (!write("app.sh", appScript(version)) || (warmUp && git(repo, {"add", "-A"}, &out) != 0)) {
        s.error = "cannot write or add app.sh " + out.trimmed().toStdString();
        return s;
    }
    const double wallStart = double(QDateTime::currentMSecsSinceEpoch());
    const int64_t start = steadyNs();
    if (git(repo, {"commit", "-q", "-a", "-m", QString::fromStdString("bench: " + version)}, &out) != 0) {
        s.error = "git commit failed: " + out.trimmed().toStdString();
        return s;
    }
    s.gitMs = double(steadyNs() - start) / 1e6;
    const int64_t served = warmUp ? 0 : waitServes(devPort, version, kServeTimeoutMs);
    s.totalMs = served ? double(served - start) / 1e6 : NAN;
    if (git(repo, {"rev-parse", "HEAD"}, &out) != 0) {
        s.error = "git rev-parse failed";
        return s;
    }
    findOps(paas, projectId, out.trimmed().toStdString(), s);
    if (QFile hookLog(repo + "/.git/paas-hook.log"); s.ciId.empty() && hookLog.open(QIODevice::ReadOnly))
        s.error += "; .git/paas-hook.log: " + hookLog.read(400).trimmed().toStdString();
    if (s.error.empty())
        breakdown(paas, s);
    s.hookMs = s.ciCreatedMs - wallStart;
    if (!warmUp && served == 0)
        s.error = "the dev URL did not serve '" + version + "' within " + std::to_string(kServeTimeoutMs / 1000) +
                  " s" + (s.error.empty() ? "" : "; " + s.error);
    return s;
}

// One progress line per sample.
void report(const Sample& s, const std::string& label)
{
    BenchContext::note(QString::fromStdString(
        "  " + label + ": " +
        (!s.error.empty()
             ? s.error
             : "commit -> dev URL serves it " + fixed(s.totalMs, 0) + " ms; git commit " + fixed(s.gitMs, 0) +
                   ", hook -> ci op recorded " + fixed(s.hookMs, 0) + ", build " + fixed(s.buildMs, 0) + ", ci op " +
                   fixed(s.ciMs, 0) + ", ci -> deploy op " + fixed(s.gapMs, 0) + ", deploy op " + fixed(s.deployMs, 0) +
                   ", health " + fixed(s.healthMs, 0) + ", old container stop " + fixed(s.oldStopMs, 0) + " ms")));
}

// Warm-up then the samples; fills the row (figure, note, broken).
void measure(Phase& phase, BenchRow& row)
{
    if (const std::string e = phase.setUp(); !e.empty()) {
        row.note = "failed: " + e;
        return;
    }
    const std::string warmVersion = "warm-up " + std::to_string(steadyNs());
    const Sample warm = phase.sample(warmVersion, true);
    report(warm, "warm-up");
    phase.devPort = warm.error.empty() ? phase.devUrlPort() : 0;
    if (!warm.error.empty() || phase.devPort == 0 || waitServes(phase.devPort, warmVersion, 10000) == 0) {
        row.note = "failed: warm-up: " + (!warm.error.empty() ? warm.error
                                          : phase.devPort     ? "the dev URL does not serve it"
                                                              : "dev has no URL");
        return;
    }
    std::vector<Sample> done;
    std::string error, totals;
    const int asked = std::clamp(qEnvironmentVariableIntValue("BENCH_RUN_SAMPLES"), 0, 1000);
    const int count = asked > 0 ? asked : 5;  // BENCH_RUN_SAMPLES, default 5
    for (int i = 1; i <= count; ++i) {
        const Sample s = phase.sample("v" + std::to_string(i) + " " + std::to_string(steadyNs()), false);
        report(s, "sample " + std::to_string(i));
        if (s.error.empty())
            done.push_back(s);
        else
            error = s.error;
    }
    const auto median = [&](double Sample::*field) {
        std::vector<double> v;
        for (const Sample& s : done)
            if (!std::isnan(s.*field))
                v.push_back(s.*field);
        return v.empty() ? NAN : percentile(v, 50);
    };
    for (const Sample& s : done)
        totals += (totals.empty() ? "" : ", ") + fixed(s.totalMs, 0);
    row.figure = median(&Sample::totalMs);
    row.broken = !error.empty();
    const double health = median(&Sample::healthMs);
    row.note = std::to_string(done.size()) + " of " + std::to_string(count) +
               " samples after a warm-up (BENCH_RUN_SAMPLES); medians: hook -> ci op recorded (202) " +
               fixed(median(&Sample::hookMs), 0) + " ms, build (ci imageBuilder step) " +
               fixed(median(&Sample::buildMs), 0) + " ms, deploy (auto deploy op queued -> completed) " +
               fixed(median(&Sample::deployMs), 0) + " ms" +
               (std::isnan(health) ? "" : ", health (container created -> /healthz 2xx) " + fixed(health, 0) + " ms") +
               ", old container stop " + fixed(median(&Sample::oldStopMs), 0) + " ms; totals ms: " + totals +
               "; busybox httpd FROM scratch, only app.sh changes; no floor" +
               (error.empty() ? "" : "; a sample failed: " + error);
}

}  // namespace

void commitToUrl(BenchRun& run)
{
    BenchRow row{"P10", "commit on main (real hook) -> dev URL serves it, p50", NAN, "ms"};
    row.rule = BenchRow::Rule::Below;
    row.target = 3000;
    row.goal = "< 3000 ms";
    const int64_t start = steadyNs();
    if (const std::string problem = busyboxProblem(); !problem.empty()) {
        row.note = "failed: " + problem;
        run.table.add(row);
        return;
    }
    const QString dir = QDir::cleanPath(QCoreApplication::applicationDirPath() + "/../bench") + "/dockerd-run-" +
                        QString::number(QCoreApplication::applicationPid());
    DockerEngine engine;
    if (!engine.start(dir)) {
        BenchContext::note("  " + engine.error());
        row.skipped = engine.error().toStdString();
        row.note = "skipped: " + row.skipped;
        run.table.add(row);
        return;
    }
    BenchContext::note("  Docker engine at " + engine.socket() + (engine.privateDaemon() ? " (private dockerd)" : ""));
    {
        RunInstance paas;
        QString error;
        if (!paas.start(engine.socket(), &error)) {
            row.skipped = "paas in buildkit mode did not start: " + error.toStdString();
            row.note = "skipped: " + row.skipped;
        } else {
            Phase phase{paas, {}, {}, 0};
            measure(phase, row);
            const std::vector<std::string> images =
                phase.projectId.empty() ? std::vector<std::string>() : projectImages(paas, phase.projectId);
            if (!phase.projectId.empty())
                if (const std::string e = paas.registration({{"action", "delete"}, {"project_id", phase.projectId}});
                    !e.empty())
                    BenchContext::note(QString::fromStdString("  delete of the project: " + e));
            for (const std::string& image : images)
                engine.removeImage(image);
        }
        paas.ctx.stop();
    }
    engine.stop();
    run.table.add(row);
    BenchContext::figure("run phase took", double(steadyNs() - start) / 1e9, "s");
}

}  // namespace paas::bench
