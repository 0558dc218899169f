// Issue 15: paas instances sharing a 3-node JetStream cluster (R3) split the
// work and survive the loss of any one of them. Real processes only: three
// nats-server nodes (tests/support/natscluster.sh), one `--role api` and two
// `--role worker` paas binaries on one shared artifacts root.
#include "tests/integration/registration/regsupport.h"
#include "tests/integration/sse/ssetestclient.h"
#include "tests/support/paasprocess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <csignal>
#include <map>
#include <set>

using nlohmann::json;
using namespace paas::test;
using paas::test::reg::opIdOf;
using paas::test::reg::waitFor;

namespace {

constexpr int kAckWaitMs = 3000;
constexpr int kLeaseTtlMs = 3000;
const Headers kJson{{"Content-Type", "application/json"}};

json appSpec(const std::string& name)
{
    // run: none: no Docker engine here; staging so that ops can promote.
    return {{"apiVersion", "platform.example.com/v2"},
            {"kind", "App"},
            {"name", name},
            {"runtime", "static"},
            {"capabilities", {"http"}},
            {"environments", {{"dev", {{"run", "none"}}}, {"staging", {{"run", "none"}}}}},
            {"networkPolicies", {{"ingress", "internal"}, {"egress", "internal"}}}};
}

}  // namespace

class TestCluster : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_script, m_clusterDir, m_urls;
    std::map<QString, std::unique_ptr<PaasProcess>> m_instances;  // by instance id

    int cluster(const QStringList& args)
    {
        QByteArray out;
        const int rc = run("bash", QStringList{m_script} + args, {}, &out, 60000);
        if (args.value(0) == "start")
            m_urls = QString::fromUtf8(out).trimmed().split('\n').last();
        return rc;
    }

    PaasProcess& instance(const QString& id, const QString& role)
    {
        auto& slot = m_instances[id];
        slot = std::make_unique<PaasProcess>(m_dir.path() + "/shared");
        QProcessEnvironment& env = slot->env();
        env.insert("PAAS_ROLE", role);
        env.insert("PAAS_INSTANCE_ID", id);
        env.insert("PAAS_NATS_URL", m_urls);
        env.insert("PAAS_NATS_REPLICAS", "3");
        env.insert("PAAS_IMAGE_BUILDER_MODE", "artifact");
        env.insert("PAAS_WORK_ACK_WAIT_MS", QString::number(kAckWaitMs));
        env.insert("PAAS_LEASE_TTL_MS", QString::number(kLeaseTtlMs));
        env.insert("PAAS_ENABLE_COMMIT_WATCHER", "true");
        env.insert("PAAS_WORKER_THREADS", "2");
        env.insert("PAAS_LISTEN", "127.0.0.1:0");
        return *slot;
    }

    PaasProcess& api() { return *m_instances.at("api1"); }
    qint64 m_longest503Ms = 0;
    std::vector<std::string> m_projects, m_ops;  // of the load slots

    // POST to api1 as a client should: a 503 (backend_unavailable while
    // the cluster elects a new leader after a node died) is retried.
    HttpResult post(const QString& path, const json& body)
    {
        QElapsedTimer since;
        since.start();
        HttpResult r = api().post(path, body);
        while (r.status == 503 && since.elapsed() < 60000) {
            QTest::qWait(200);
            r = api().post(path, body);
        }
        if (r.status != 503 && since.elapsed() > m_longest503Ms && since.elapsed() > 200)
            m_longest503Ms = since.elapsed();
        return r;
    }

    bool startInstance(const QString& id, const QString& role)
    {
        PaasProcess& p = instance(id, role);
        const bool ok = p.start({}, 60000);
        if (!ok)
            qWarning().noquote() << id << "did not start:" << p.output();
        return ok;
    }

    // The running instance whose output last says it took `lease` (qInfo
    // lines of KvLease); "two holders: ..." if more than one claims it.
    QString leaseHolder(const QString& lease)
    {
        QString holder;
        for (auto& [id, p] : m_instances) {
            if (!p || p->process().state() != QProcess::Running)
                continue;
            const QByteArray all = p->output();
            const qint64 taken = all.lastIndexOf("Lease: " + lease.toUtf8() + " taken");
            const qint64 lost = all.lastIndexOf("Lease: " + lease.toUtf8() + " lost");
            if (taken < 0 || taken < lost)
                continue;
            if (!holder.isEmpty())
                return "two holders: " + holder + " and " + id;
            holder = id;
        }
        return holder;
    }

    std::set<std::string> finishedStatuses(const std::vector<std::string>& ops, std::vector<json>* all = nullptr)
    {
        std::set<std::string> statuses;
        for (const std::string& id : ops) {
            const json op = api().waitForOp(id, 180000);
            const std::string status = op.is_object() ? op.value("status", "?") : "gone";
            if (status != "completed")
                qWarning().noquote() << "op" << id.c_str() << "ended" << status.c_str() << op.dump().c_str();
            statuses.insert(status);
            if (all)
                all->push_back(op);
        }
        return statuses;
    }

    std::string commitTo(const std::string& project, int n)
    {
        const QString repo = api().artifactsRoot() + "/" + QString::fromStdString(project) + "/repos/source";
        QFile f(repo + "/change.txt");
        if (!f.open(QIODevice::WriteOnly | QIODevice::Append))
            return {};
        f.write(QByteArray::number(n) + "\n");
        f.close();
        QByteArray out;
        const QStringList quiet{"-c", "core.hooksPath=/dev/null", "-c", "user.name=t", "-c", "user.email=t@e"};
        if (run("git", quiet + QStringList{"add", "change.txt"}, repo) != 0 ||
            run("git", quiet + QStringList{"commit", "-q", "-m", "change " + QString::number(n)}, repo) != 0 ||
            run("git", {"rev-parse", "HEAD"}, repo, &out) != 0)
            return {};
        return out.trimmed().toStdString();
    }

    // A ci op for `sha` by webhook. After a 503 the op may exist all the
    // same (its record was written, then an acknowledgement timed out):
    // the retry then answers "already processed", and the op is found.
    std::string ciFor(const std::string& project, const std::string& sha)
    {
        const HttpResult r =
            post("/api/webhooks/source", {{"project_id", project}, {"branch", "main"}, {"commit", sha}});
        if (r.status == 202)
            return opIdOf(r);
        if (r.status != 200)
            qWarning().noquote() << "webhook refused:" << r.status << r.body;
        const json ops = api().get("/api/projects/" + QString::fromStdString(project) + "/ops?limit=20").json();
        for (const json& op : ops.value("ops", json::array()))
            if (op["trigger"].value("commit", "") == sha)
                return op.value("id", "");
        return {};
    }

    // SIGSTOP the worker until it holds a running step (read back from the
    // cluster through the api instance), then SIGKILL it: a kill -9 mid-step.
    bool killMidStep(const QString& worker, const std::vector<std::string>& ops)
    {
        PaasProcess& w = *m_instances.at(worker);
        for (int round = 0; round < 400; ++round) {
            ::kill(static_cast<pid_t>(w.pid()), SIGSTOP);
            for (const std::string& id : ops) {
                const json op = api().get("/api/ops/" + QString::fromStdString(id)).json();
                if (!op.is_object())
                    continue;
                for (const json& step : op.value("steps", json::array()))
                    if (step.value("status", "") == "running" && step["instance"] == worker.toStdString()) {
                        qInfo().noquote() << "kill -9" << worker << "while it runs" << step.value("name", "").c_str()
                                          << "of" << id.c_str();
                        w.kill();
                        return true;
                    }
            }
            ::kill(static_cast<pid_t>(w.pid()), SIGCONT);
            QTest::qWait(20);
        }
        return false;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_script = qEnvironmentVariable("PAAS_SOURCE_DIR") + "/tests/support/natscluster.sh";
        m_clusterDir = m_dir.path() + "/nats";
        QCOMPARE(cluster({"start", m_clusterDir}), 0);
        QVERIFY2(m_urls.count(',') == 2, qPrintable(m_urls));
        QVERIFY(startInstance("api1", "api"));
        QVERIFY(startInstance("w1", "worker"));
        QVERIFY(startInstance("w2", "worker"));
    }

    void cleanupTestCase()
    {
        if (QTest::currentTestFailed() || qEnvironmentVariableIsSet("PAAS_TEST_KEEP")) {
            m_dir.setAutoRemove(false);
            qInfo().noquote() << "kept" << m_dir.path();
        }
        for (auto& [id, p] : m_instances)
            if (p)
                p->stop();
        cluster({"stop", m_clusterDir});
    }

    void rolesAndIds()
    {
        const json system = api().get("/api/system").json();
        QCOMPARE(system["instance"]["id"], "api1");
        QCOMPARE(system["instance"]["role"], "api");
        QCOMPARE(system["nats"]["replicas"], 3);
        QVERIFY(api().output().contains("Instance: api1 role=api"));
        for (const char* w : {"w1", "w2"}) {
            const QByteArray out = m_instances.at(w)->output();
            QVERIFY2(out.contains("Instance: " + QByteArray(w) + " role=worker"), out.constData());
            QVERIFY(out.contains("Worker ready"));
            QVERIFY(!out.contains("API listening"));
        }
    }

    // Recovery and the commit watcher run on exactly one worker; when it
    // dies, the other takes both over within the bound (TTL + TTL/3).
    void leaseMovesWhenHolderDies()
    {
        QVERIFY(waitFor([&] { return !leaseHolder("recovery").isEmpty(); }, 10000));
        QVERIFY(waitFor([&] { return !leaseHolder("watcher").isEmpty(); }, 10000));
        const QString holder = leaseHolder("recovery");
        QVERIFY2(holder == "w1" || holder == "w2", qPrintable(holder));
        const QString other = holder == "w1" ? "w2" : "w1";
        const QString watcherHolder = leaseHolder("watcher");
        QVERIFY2(watcherHolder == "w1" || watcherHolder == "w2", qPrintable(watcherHolder));
        QVERIFY(m_instances.at(holder)->kill());
        QElapsedTimer moved;
        moved.start();
        QVERIFY(waitFor([&] { return leaseHolder("recovery") == other && leaseHolder("watcher") == other; },
                        kLeaseTtlMs * 3));
        qInfo() << "leases moved to" << other << "after" << moved.elapsed() << "ms (TTL" << kLeaseTtlMs << "ms)";
        QVERIFY(startInstance(holder, "worker"));  // back, same id, and it now waits
        QTest::qWait(kLeaseTtlMs);
        QCOMPARE(leaseHolder("recovery"), other);
    }

    // 100 ops across 20 projects (create, ci, deploy, promote, ci), in the
    // four slots below. A worker is killed -9 mid-step, then a NATS node:
    // every op completes, none is applied twice, releases are numbered
    // without gaps.
    void load1Creates()
    {
        for (int i = 0; i < 20; ++i) {
            const std::string name = "load-" + std::to_string(i);
            const HttpResult r = post("/api/events/registration", {{"action", "create"}, {"spec", appSpec(name)}});
            QCOMPARE(r.status, 202);
            m_projects.push_back(r.json()["op"].value("project_id", name));
            m_ops.push_back(opIdOf(r));
        }
        QCOMPARE(finishedStatuses(m_ops), std::set<std::string>{"completed"});
    }

    void load2WorkerKilledMidStep()
    {
        QCOMPARE(m_projects.size(), size_t(20));
        // w2 is frozen meanwhile: w1 takes every step, so it is caught in one.
        const auto w2 = static_cast<pid_t>(m_instances.at("w2")->pid());
        ::kill(w2, SIGSTOP);
        std::vector<std::string> ops;
        for (const std::string& project : m_projects) {
            const std::string sha = commitTo(project, 1);
            QVERIFY(!sha.empty());
            ops.push_back(ciFor(project, sha));
            QVERIFY(!ops.back().empty());
            const HttpResult deploy = post("/api/events/deployment", {{"project_id", project}, {"environment", "dev"}});
            QVERIFY2(deploy.status == 202, deploy.body.constData());
            ops.push_back(opIdOf(deploy));
        }
        const bool killed = killMidStep("w1", ops);
        ::kill(w2, SIGCONT);
        QVERIFY2(killed, "w1 never held a running step");
        std::vector<json> finished;
        QCOMPARE(finishedStatuses(ops, &finished), std::set<std::string>{"completed"});
        int takenOver = 0;
        for (const json& op : finished)
            for (const json& step : op["steps"])
                takenOver += step.value("attempt", 0) > 1 ? 1 : 0;
        QVERIFY2(takenOver >= 1, "no step was resumed with a bumped attempt");
        m_ops.insert(m_ops.end(), ops.begin(), ops.end());
        QVERIFY(startInstance("w1", "worker"));
    }

    void load3NatsNodeKilled()
    {
        QCOMPARE(m_projects.size(), size_t(20));
        std::vector<std::string> ops;
        for (size_t i = 0; i < m_projects.size(); ++i) {
            const HttpResult promote = post(
                "/api/events/promotion", {{"project_id", m_projects[i]}, {"from_env", "dev"}, {"to_env", "staging"}});
            QVERIFY2(promote.status == 202, promote.body.constData());
            ops.push_back(opIdOf(promote));
            if (i == m_projects.size() / 2)
                QCOMPARE(cluster({"kill", m_clusterDir, "2"}), 0);
            const std::string sha = commitTo(m_projects[i], 2);
            ops.push_back(ciFor(m_projects[i], sha));
            QVERIFY(!ops.back().empty());
        }
        QCOMPARE(finishedStatuses(ops), std::set<std::string>{"completed"});
        m_ops.insert(m_ops.end(), ops.begin(), ops.end());
        QCOMPARE(cluster({"restart", m_clusterDir, "2"}), 0);
        qInfo() << "longest a submission was refused (503) while the cluster recovered:" << m_longest503Ms << "ms";
    }

    void load4NothingAppliedTwice()
    {
        QCOMPARE(m_ops.size(), size_t(100));
        QCOMPARE(std::set<std::string>(m_ops.begin(), m_ops.end()).size(), size_t(100));
        for (const std::string& id : m_projects) {
            for (const char* env : {"dev", "staging"}) {
                const json rel =
                    api().get("/api/projects/" + QString::fromStdString(id) + "/releases?env=" + env).json();
                std::vector<int> numbers;
                for (const json& r : rel["releases"])
                    numbers.push_back(r.value("number", 0));
                QCOMPARE(numbers, std::vector<int>{1});  // one deploy, one promotion: release 1, once
            }
            QByteArray log;
            const QString manifests = api().artifactsRoot() + "/" + QString::fromStdString(id) + "/repos/manifests";
            QCOMPARE(run("git", {"log", "--format=%s"}, manifests, &log), 0);
            const QStringList subjects = QString::fromUtf8(log).trimmed().split('\n');
            QCOMPARE(QSet<QString>(subjects.begin(), subjects.end()).size(), subjects.size());
        }
    }

    // Two api instances accept delivery ops for one environment at once:
    // the guard is one KV key, so exactly one is accepted.
    void deliveryGuardHoldsAcrossInstances()
    {
        QVERIFY(startInstance("api2", "api"));
        const HttpResult created =
            api().post("/api/events/registration", {{"action", "create"}, {"spec", appSpec("guarded")}});
        QCOMPARE(created.status, 202);
        QCOMPARE(api().waitForOp(opIdOf(created))["status"], "completed");
        // w1 and w2 stop taking work, so the first deploy stays queued.
        for (const char* w : {"w1", "w2"})
            ::kill(static_cast<pid_t>(m_instances.at(w)->pid()), SIGSTOP);
        const json body{{"project_id", "guarded"}, {"environment", "dev"}};
        // Sent at once to both instances: the loser may find the winner's
        // guard before its op record exists, and waits for it.
        const auto deploy = [&body](const QString& base) {
            return http("POST", base + "/api/events/deployment", QByteArray::fromStdString(body.dump()), kJson);
        };
        HttpResult first, second;
        const QString url1 = api().url(), url2 = m_instances.at("api2")->url();
        QThread* a = QThread::create([&] { first = deploy(url1); });
        QThread* b = QThread::create([&] { second = deploy(url2); });
        a->start();
        b->start();
        QVERIFY(waitFor([&] { return a->isFinished() && b->isFinished(); }, 30000));
        delete a;
        delete b;
        for (const char* w : {"w1", "w2"})
            ::kill(static_cast<pid_t>(m_instances.at(w)->pid()), SIGCONT);
        if (first.status == 409)
            std::swap(first, second);  // whichever instance won
        QCOMPARE(first.status, 202);
        QVERIFY2(second.status == 409, second.body.constData());
        QVERIFY2(second.json()["error"]["code"] == "delivery_in_progress", second.body.constData());
        QCOMPARE(api().waitForOp(opIdOf(first))["status"], "completed");
        const HttpResult third = m_instances.at("api2")->post("/api/events/deployment", body);
        QCOMPARE(third.status, 202);  // the holder ended: the guard is free again
        QCOMPARE(api().waitForOp(opIdOf(third))["status"], "completed");
    }

    // A client that read part of an op's stream on api1 reconnects to api2
    // with Last-Event-ID and gets exactly the events it missed.
    void sseReplayOnAnotherApiInstance()
    {
        const HttpResult created =
            api().post("/api/events/registration", {{"action", "create"}, {"spec", appSpec("replayed")}});
        QCOMPARE(created.status, 202);
        const std::string op = opIdOf(created);
        QCOMPARE(api().waitForOp(op)["status"], "completed");
        const QByteArray path = "/api/ops/" + QByteArray::fromStdString(op) + "/events";
        const auto portOf = [](const PaasProcess& p) { return static_cast<quint16>(QUrl(p.url()).port()); };
        SseTestClient whole(portOf(api()), path);
        whole.start();
        QVERIFY2(waitFor([&] { return whole.closed() || !whole.framesOf("op.completed").empty(); }, 20000),
                 (whole.head() + whole.body().right(2000)).constData());
        const std::vector<uint64_t> ids = whole.ids();
        QVERIFY2(ids.size() >= 6, "too few events to split");
        const size_t cut = ids.size() / 2;
        SseTestClient rest(portOf(*m_instances.at("api2")), path, QByteArray::number(qulonglong(ids[cut - 1])));
        rest.start();
        QVERIFY(waitFor([&] { return rest.closed() || !rest.framesOf("op.completed").empty(); }, 20000));
        QCOMPARE(rest.ids(), std::vector<uint64_t>(ids.begin() + static_cast<long>(cut), ids.end()));
        std::vector<std::string> wholeData, restData;
        for (const SseTestFrame& f : whole.frames())
            if (f.id > ids[cut - 1])
                wholeData.push_back(f.data);
        for (const SseTestFrame& f : rest.frames())
            if (f.id)
                restData.push_back(f.data);
        QCOMPARE(restData, wholeData);
    }
};

QTEST_MAIN(TestCluster)
#include "tst_cluster.moc"
