// S1 (issue 15): ops/s through a paas cluster with 1 worker, then with 3, on
// the same kind of cluster: a fresh 3-node nats-server JetStream cluster on
// loopback (tests/support/natscluster.sh, R3), one `--role api` instance
// and N `--role worker` instances on one shared artifacts root, artifact
// mode. BENCH_CLUSTER_PROJECTS projects (default 10) are created first
// (untimed); then BENCH_CLUSTER_COMMITS (default 6) new commits per project
// (libgit2: no hooks run) are sent as webhooks on 10 connections, and the
// figure is ci ops completed per second, from the first webhook to the last
// op completed. An op that does not complete makes the row broken.
//
// On a 2-core machine three workers share the same two cores as one does
// (and as the three nats-server nodes): the ratio measures contention, not
// speed-up. What matters is that nothing is lost and the rate does not
// collapse.
#include "bench/benchapi.h"
#include "bench/benchmarks.h"
#include "engine/git/gitrepository.h"

#include <QCoreApplication>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>

#include <memory>

namespace paas::bench {

namespace {

using nlohmann::json;

struct Cluster {
    QString script;
    QTemporaryDir dir;
    QString urls;
    std::vector<std::unique_ptr<QProcess>> instances;
    quint16 apiPort = 0;

    int nats(const QStringList& args, QString* out = nullptr)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("PAAS_CLUSTER_PORT", "16222");  // not the cluster test's ports
        p.setProcessEnvironment(env);
        p.start("bash", QStringList{script} + args);
        p.waitForFinished(60000);
        if (out)
            *out = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }

    bool launch(const QString& id, const QString& role)
    {
        auto p = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        const std::pair<const char*, QString> vars[] = {
            {"PAAS_ROLE", role},
            {"PAAS_INSTANCE_ID", id},
            {"PAAS_NATS_URL", urls},
            {"PAAS_NATS_REPLICAS", "3"},
            {"PAAS_ARTIFACTS_ROOT", dir.path() + "/shared"},
            {"PAAS_IMAGE_BUILDER_MODE", "artifact"},
            {"PAAS_LISTEN", "127.0.0.1:0"},
        };
        for (const auto& [name, value] : vars)
            env.insert(name, value);
        p->setProcessEnvironment(env);
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->start(QCoreApplication::applicationDirPath() + "/paas", {"--headless"});
        const QRegularExpression ready(QStringLiteral("API listening on http://127.0.0.1:(\\d+)|Worker ready"));
        QByteArray out;
        for (int i = 0; i < 600 && p->state() != QProcess::NotRunning; ++i) {
            p->waitForReadyRead(100);
            out += p->readAll();
            const QRegularExpressionMatch m = ready.match(QString::fromUtf8(out));
            if (!m.hasMatch())
                continue;
            if (!m.captured(1).isEmpty())
                apiPort = static_cast<quint16>(m.captured(1).toUInt());
            instances.push_back(std::move(p));
            return true;
        }
        BenchContext::note("  " + id + " did not start: " + QString::fromUtf8(out.right(400)));
        return false;
    }

    ~Cluster()
    {
        for (auto& p : instances) {
            p->terminate();
            if (!p->waitForFinished(10000))
                p->kill();
        }
        nats({"stop", dir.path() + "/nats"});
    }
};

bool waitForOps(HttpLoad& api, const std::vector<std::string>& ops, int* completed)
{
    *completed = 0;
    for (const std::string& id : ops) {
        for (int i = 0; i < 6000; ++i) {  // 5 min per op at most
            const HttpResult r = api.send({"GET", "/api/ops/" + id, ""});
            const json op = json::parse(r.body, nullptr, false);
            const std::string status = op.is_object() ? op.value("status", "") : "";
            if (status == "completed")
                ++*completed;
            if (status == "completed" || status == "failed" || status == "cancelled")
                break;
            QThread::msleep(50);
        }
    }
    return *completed == int(ops.size());
}

// ci ops per second with `workers` workers; NAN (and `why`) when it failed.
double measure(int workers, int projects, int commits, std::string& why)
{
    Cluster c;
    c.script = QStringLiteral(PAAS_BENCH_SOURCE_DIR) + "/tests/support/natscluster.sh";
    if (c.nats({"start", c.dir.path() + "/nats"}, &c.urls) != 0)
        return why = "the NATS cluster did not start", NAN;
    c.urls = c.urls.split('\n').last();
    if (!c.launch("api1", "api"))
        return why = "the api instance did not start", NAN;
    for (int w = 1; w <= workers; ++w)
        if (!c.launch("w" + QString::number(w), "worker"))
            return why = "a worker did not start", NAN;
    HttpLoad api(c.apiPort, 10);
    std::vector<std::string> ids, creates;
    for (int i = 0; i < projects; ++i) {
        const Accepted a = acceptedOf(api.send(createRequest("s1-" + std::to_string(i))));
        ids.push_back(a.projectId);
        creates.push_back(a.opId);
    }
    int done = 0;
    if (!waitForOps(api, creates, &done))
        return why = "only " + std::to_string(done) + " of the creates completed", NAN;
    std::vector<HttpRequest> hooks;
    for (const std::string& id : ids) {
        Result<GitRepository> repo =
            GitRepository::open(c.dir.path() + "/shared/" + QString::fromStdString(id) + "/repos/source");
        for (int k = 0; repo && k < commits; ++k)
            if (Result<std::string> sha =
                    repo->commitFiles({{"s1.txt", std::to_string(k) + "\n"}}, "s1 " + std::to_string(k)))
                hooks.push_back(hookRequest(id, *sha));
    }
    const int64_t start = steadyNs();
    std::vector<std::string> ops;
    for (const HttpResult& r : api.run(hooks))
        if (const Accepted a = acceptedOf(r); !a.opId.empty())
            ops.push_back(a.opId);
    const bool all = waitForOps(api, ops, &done);
    const double seconds = double(steadyNs() - start) / 1e9;
    if (!all || ops.size() != hooks.size())
        return why = std::to_string(done) + " of " + std::to_string(hooks.size()) + " ci ops completed", NAN;
    return double(ops.size()) / seconds;
}

}  // namespace

void clusterThroughput(BenchRun& run)
{
    const int projects = qEnvironmentVariableIntValue("BENCH_CLUSTER_PROJECTS") > 0
                             ? qEnvironmentVariableIntValue("BENCH_CLUSTER_PROJECTS")
                             : 10;
    const int commits = qEnvironmentVariableIntValue("BENCH_CLUSTER_COMMITS") > 0
                            ? qEnvironmentVariableIntValue("BENCH_CLUSTER_COMMITS")
                            : 6;
    std::string why1, why3;
    const double one = measure(1, projects, commits, why1);
    BenchContext::figure("S1a ci ops/s, 1 worker", one, "ops/s");
    const double three = measure(3, projects, commits, why3);
    BenchContext::figure("S1b ci ops/s, 3 workers", three, "ops/s");
    const std::string size = std::to_string(projects * commits) + " ci ops over " + std::to_string(projects) +
                             " projects, 3-node cluster R3, one api instance";
    BenchRow a{"S1a", "cluster: ci ops/s, 1 worker (" + size + ")", one, "ops/s"};
    a.broken = !why1.empty();
    a.note = why1;
    run.table.add(a);
    BenchRow b{"S1b", "cluster: ci ops/s, 3 workers, vs 1 worker", three, "ops/s", one};
    b.rule = BenchRow::Rule::RatioAtLeast;
    b.target = 0.8;
    b.goal = ">= 0.8x 1 worker";
    b.broken = !why3.empty();
    b.note = !why3.empty() ? why3
                           : "on 2 cores, 3 workers share the cores of 1 (and of the 3 nats-server nodes): the ratio "
                             "measures contention, not speed-up; nothing lost and no collapse is the goal";
    run.table.add(b);
}

}  // namespace paas::bench
