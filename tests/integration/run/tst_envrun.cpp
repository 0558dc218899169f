// Issue 16: environments that run. The real paas binary builds a busybox app
// (FROM scratch, its Dockerfile committed through the real hook) with the
// BuildKit of the "dockerd" fixture, and runs it on that same engine: the
// dev URL answers with the dev var, a new build replaces the container with
// no failed request, a build that never gets healthy fails and leaves the old
// one serving, rollback, promotion to staging on its own port, logs and their
// live follow, stop/start, adoption after a restart, and delete.
// The fixture's engine has no bridge network: paas detects it and runs the
// containers on the host network (PAAS_RUN_NETWORK unset).
#include "tests/integration/ci/citestutil.h"

#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRandomGenerator>
#include <QTimer>
#include <QtTest>

#include <set>

using namespace paas::test;
using nlohmann::json;

namespace {

QByteArray appScript(const QByteArray& version, bool healthy)
{
    QByteArray s = "/bin/busybox mkdir -p /www\n";
    if (healthy)
        s += "echo ok > /www/healthz\n";
    s += "echo \"$GREETING " + version + "\" > /www/index.html\n";
    s += "echo \"started " + version + " on $PORT\"\n";
    s += "exec /bin/busybox httpd -f -vv -p 127.0.0.1:$PORT -h /www\n";
    return s;
}

const QByteArray kDockerfile =
    "FROM scratch\n"
    "COPY --chmod=0755 busybox /bin/busybox\n"
    "COPY app.sh /app.sh\n"
    "CMD [\"/bin/busybox\", \"sh\", \"/app.sh\"]\n";

// The project's containers, as the engine lists them (test-side curl).
json containersOf(const QString& sock, const std::string& projectId)
{
    const QString filters = QString::fromStdString(json{{"label", {"paas.project=" + projectId}}}.dump());
    QProcess curl;
    curl.start("curl", {"-s", "--max-time", "10", "--unix-socket", sock, "-G", "http://docker/containers/json",
                        "--data-urlencode", "all=1", "--data-urlencode", "filters=" + filters});
    curl.waitForFinished(15000);
    return json::parse(curl.readAllStandardOutput().toStdString(), nullptr, false);
}

QByteArray body(const std::string& url)
{
    return http("GET", QString::fromStdString(url), {}, {}, 3000).body;
}

// Reads a follow=1 log stream until `needle` shows up (after `trigger` ran
// once the stream is open), or the timeout.
bool followSees(const QString& url, const QByteArray& needle, const std::function<void()>& trigger, int timeoutMs)
{
    QNetworkAccessManager nam;
    QNetworkReply* reply = nam.get(QNetworkRequest(QUrl(url)));
    QByteArray seen;
    bool triggered = false, found = false;
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::readyRead, [&] {
        seen += reply->readAll();
        if (!triggered && seen.contains("event: log")) {
            triggered = true;
            trigger();
        }
        if (triggered && seen.contains(needle)) {
            found = true;
            loop.quit();
        }
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    reply->abort();
    reply->deleteLater();
    if (!found)
        qWarning("follow stream so far: %s", seen.left(2000).constData());
    return found;
}

}  // namespace

class TestEnvRun : public QObject {
    Q_OBJECT

    QString m_sock = qEnvironmentVariable("PAAS_TEST_DOCKER_SOCK");
    PaasProcess m_app;
    std::string m_id;
    QString m_repo;

    json environment(const std::string& env) const
    {
        const HttpResult r = m_app.get("/api/projects/" + QString::fromStdString(m_id) + "/environments");
        const json list = r.json();
        if (!list.is_object()) {  // say why: the server's answer and, when it is gone, its last output
            qWarning("GET environments: %d %s\npaas output:\n%s", r.status, r.body.left(400).constData(),
                     m_app.output().right(4000).constData());
            return nullptr;
        }
        for (const json& e : list.value("environments", json::array()))
            if (e.value("name", "") == env)
                return e;
        return nullptr;
    }

    std::string url(const std::string& env) const
    {
        const json e = environment(env);
        return e.is_object() && e["run"]["url"].is_string() ? e["run"]["url"].get<std::string>() : "";
    }

    // The deploy op the ci of `sha` started (trigger source "auto").
    json autoDeployAfter(const std::string& sha)
    {
        const json deploy = findAutoDeploy(sha);
        if (!deploy.is_object()) {  // the app died, or the op never came: say what it printed
            qWarning("no auto deploy op after %s; paas output:\n%s", sha.c_str(),
                     m_app.output().right(6000).constData());
            return json{{"status", "missing"}, {"error", {{"code", "missing"}}}};
        }
        return deploy;
    }

    json findAutoDeploy(const std::string& sha)
    {
        const json ci = waitForCiOp(m_app, m_id, sha, 600000);
        if (!ci.is_object())
            return nullptr;
        if (ci.value("status", "") != "completed")
            return ci;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 60000) {
            const json ops = m_app.get("/api/projects/" + QString::fromStdString(m_id) + "/ops?limit=5").json();
            for (const json& op : ops.value("ops", json::array()))
                if (op.value("kind", "") == "deploy" && op["trigger"].value("source", "") == "auto" &&
                    op.value("created_at", "") >= ci.value("finished_at", "~"))
                    return m_app.waitForOp(op.value("id", ""), 120000);
            QTest::qWait(100);
        }
        return nullptr;
    }

    std::string commitApp(const QByteArray& version, bool healthy)
    {
        QByteArray out;
        const std::string sha =
            gitCommit(m_repo, "app.sh", appScript(version, healthy), "app " + version, true, gitEnv(), &out);
        if (sha.empty())
            qWarning("%s", out.constData());
        return sha;
    }

    json submit(const QString& path, const json& body = json::object())
    {
        const HttpResult r = m_app.post(path, body);
        if (r.status != 202)
            return {{"refused", r.status}, {"body", r.body.toStdString()}};
        return m_app.waitForOp(r.json()["op"].value("id", ""), 120000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!m_sock.isEmpty(), "PAAS_TEST_DOCKER_SOCK is not set (the dockerd fixture sets it)");
        QVERIFY2(QFile::exists("/bin/busybox"), "busybox-static is not installed (installer/deps-debian.sh --test)");
        const int first = 42000 + 3 * int(QRandomGenerator::global()->bounded(2000));
        m_app.env().insert("PAAS_IMAGE_BUILDER_MODE", "buildkit");
        m_app.env().insert("PAAS_BUILDKIT_ADDR", "docker://" + m_sock);
        m_app.env().insert("PAAS_BUILD_NETWORK", "host");
        m_app.env().insert("PAAS_RUN_HEALTH_TIMEOUT_S", "8");
        m_app.env().insert("PAAS_RUN_PORTS", QStringLiteral("%1-%2").arg(first).arg(first + 29));
        QVERIFY2(m_app.start(), m_app.output().constData());
        // The runner's adoption reports on a thread of its own, after "API listening".
        QTRY_VERIFY_WITH_TIMEOUT(m_app.output().contains("Run: Docker engine at"), 15000);
        const json run = m_app.get("/api/system").json()["run"];
        QCOMPARE(run.value("dev_default", ""), std::string("docker"));  // it builds with this engine
        // No PAAS_RUN_NETWORK: the fixture's engine has no bridge network, so host is detected.
        QCOMPARE(run.value("network", ""), std::string("host (detected)"));
        QCOMPARE(run.value("docker_socket", ""), m_sock.toStdString());
        const std::string name = "run-" + std::to_string(QRandomGenerator::global()->bounded(1000000));
        json spec = specFor(name);
        spec["environments"] = {{"dev", {{"vars", {{"GREETING", "hello-dev"}}}, {"autoDeploy", true}}},
                                {"staging", {{"vars", {{"GREETING", "hello-staging"}}}, {"run", "docker"}}},
                                {"prod", {{"vars", {{"GREETING", "hello-prod"}}}}}};
        std::string error;
        const json created = createProject(m_app, name, {{"spec", spec}}, &error, 600000);
        QVERIFY2(created.value("status", "") == "completed", (error + created.dump()).c_str());
        m_id = created.value("project_id", "");
        m_repo = sourceRepo(m_app, m_id);
        QFile busybox(QStringLiteral("/bin/busybox"));
        QVERIFY(busybox.open(QIODevice::ReadOnly));
        QVERIFY(!gitCommit(m_repo, "busybox", busybox.readAll(), "add busybox", false).empty());
        QVERIFY(!gitCommit(m_repo, "Dockerfile", kDockerfile, "a busybox app", false).empty());
    }

    void productionRefusesAutoDeploy()
    {
        json spec = specFor("run-prod-auto");
        spec["environments"] = {{"dev", json::object()}, {"prod", {{"autoDeploy", true}}}};
        const HttpResult r = m_app.post("/api/events/registration", {{"action", "create"}, {"spec", spec}});
        QCOMPARE(r.status, 422);
        QVERIFY2(r.body.contains("/spec/environments/prod/autoDeploy"), r.body.constData());
    }

    void deployDevRunsTheApp()
    {
        const std::string sha = commitApp("v1", true);
        QVERIFY(!sha.empty());
        const json deploy = autoDeployAfter(sha);
        QVERIFY2(deploy.value("status", "") == "completed", deploy.dump(2).c_str());
        const json dev = environment("dev");
        QCOMPARE(dev["run"].value("mode", ""), std::string("docker"));
        QCOMPARE(dev["run"].value("state", ""), std::string("running"));
        QVERIFY2(dev["run"]["container_id"].is_string(), dev.dump(2).c_str());
        QCOMPARE(body(url("dev")).trimmed(), QByteArray("hello-dev v1"));
        QCOMPARE(environment("prod")["run"].value("mode", ""), std::string("none"));
    }

    void promoteRunsStagingWithItsVars()
    {
        const json op =
            submit("/api/events/promotion", {{"project_id", m_id}, {"from_env", "dev"}, {"to_env", "staging"}});
        QVERIFY2(op.value("status", "") == "completed", op.dump(2).c_str());
        QVERIFY(url("staging") != url("dev"));
        QCOMPARE(body(url("staging")).trimmed(), QByteArray("hello-staging v1"));
    }

    void newBuildReplacesWithoutDowntime()
    {
        QProcess poller;  // GETs the dev URL in a loop while the deploy runs
        poller.start("bash", {"-c", "while :; do curl -s -o /dev/null -w '%{http_code}\\n' --max-time 2 " +
                                        QString::fromStdString(url("dev")) + "/; done"});
        QVERIFY(poller.waitForStarted());
        const std::string sha = commitApp("v2", true);
        const json deploy = autoDeployAfter(sha);
        QTest::qWait(300);
        poller.kill();
        poller.waitForFinished();
        const QList<QByteArray> codes = poller.readAllStandardOutput().split('\n');
        int ok = 0, failed = 0;
        for (const QByteArray& c : codes)
            if (!c.isEmpty())
                (c == "200" ? ok : failed)++;
        qInfo("requests during the replacement: %d answered 200, %d failed", ok, failed);
        QVERIFY2(deploy.value("status", "") == "completed", deploy.dump(2).c_str());
        if (body(url("dev")).trimmed() != "hello-dev v2")  // say what runs, for the failure below
            for (const json& c : containersOf(m_sock, m_id))
                qWarning("%s %s %s", c["Names"].dump().c_str(), c.value("State", "").c_str(),
                         c["Labels"].dump().c_str());
        QCOMPARE(body(url("dev")).trimmed(), QByteArray("hello-dev v2"));
        QVERIFY(ok > 0);
        QCOMPARE(failed, 0);
    }

    void unhealthyBuildKeepsTheOldContainer()
    {
        const json before = environment("dev");
        const std::string sha = commitApp("v3-broken", false);
        const json deploy = autoDeployAfter(sha);
        QCOMPARE(deploy.value("status", ""), std::string("failed"));
        QCOMPARE(deploy["error"].value("code", ""), std::string("unhealthy"));
        QVERIFY2(deploy["error"].value("message", "").find("started v3-broken") != std::string::npos,
                 deploy.dump(2).c_str());
        QCOMPARE(body(url("dev")).trimmed(), QByteArray("hello-dev v2"));
        const json after = environment("dev");
        QCOMPARE(after["current"].value("number", 0), before["current"].value("number", -1));
        QCOMPARE(after["run"]["container_id"], before["run"]["container_id"]);
    }

    void rollbackRunsThePreviousImage()
    {
        const json op = submit("/api/events/rollback", {{"project_id", m_id}, {"environment", "dev"}});
        QVERIFY2(op.value("status", "") == "completed", op.dump(2).c_str());
        QCOMPARE(body(url("dev")).trimmed(), QByteArray("hello-dev v1"));
    }

    void logsTailAndFollow()
    {
        const QString base = m_app.url() + "/api/projects/" + QString::fromStdString(m_id) + "/environments/dev/logs";
        const json tail = http("GET", base + "?tail=50").json();
        QVERIFY2(tail.value("lines", json::array()).dump().find("started v1") != std::string::npos,
                 tail.dump().c_str());
        const std::string probe = "/probe-" + std::to_string(QRandomGenerator::global()->bounded(1000000));
        const std::string target = url("dev") + probe;
        QVERIFY(followSees(
            base + "?follow=1&tail=1", QByteArray::fromStdString(probe), [target] { body(target); }, 20000));
        QCOMPARE(m_app.get("/api/projects/" + QString::fromStdString(m_id) + "/environments/prod/logs").status, 409);
    }

    void stopThenStart()
    {
        const QString env = "/api/projects/" + QString::fromStdString(m_id) + "/environments/dev/";
        const json stopped = submit(env + "stop");
        QVERIFY2(stopped.value("status", "") == "completed", stopped.dump(2).c_str());
        QCOMPARE(environment("dev")["run"].value("state", ""), std::string("stopped"));
        QCOMPARE(http("GET", QString::fromStdString(url("dev")), {}, {}, 2000).status, 0);
        const json started = submit(env + "start");
        QVERIFY2(started.value("status", "") == "completed", started.dump(2).c_str());
        QCOMPARE(environment("dev")["run"].value("state", ""), std::string("running"));
        QCOMPARE(body(url("dev")).trimmed(), QByteArray("hello-dev v1"));
        QCOMPARE(m_app.post(QString(env).replace("/dev/", "/prod/") + "stop", json::object()).status,
                 409);  // run: none
    }

    void restartAdoptsTheContainers()
    {
        // dev and staging (a replaced container leaves in the background, within its grace period)
        QTRY_COMPARE_WITH_TIMEOUT(containersOf(m_sock, m_id).size(), size_t(2), 20000);
        const json before = containersOf(m_sock, m_id);
        // A log follower still open when the app stops: it must end, not outlive the runner.
        QNetworkAccessManager nam;
        QNetworkReply* follower = nam.get(QNetworkRequest(QUrl(
            m_app.url() + "/api/projects/" + QString::fromStdString(m_id) + "/environments/dev/logs?follow=1&tail=1")));
        QTRY_VERIFY_WITH_TIMEOUT(follower->bytesAvailable() > 0, 10000);
        QVERIFY2(m_app.stop(), m_app.output().right(3000).constData());  // exit code 0, in time
        QVERIFY2(m_app.start(), m_app.output().constData());
        QTRY_VERIFY_WITH_TIMEOUT(environment("dev")["run"].value("state", "") == "running", 20000);
        follower->deleteLater();
        QCOMPARE(body(url("dev")).trimmed(), QByteArray("hello-dev v1"));
        QCOMPARE(body(url("staging")).trimmed(), QByteArray("hello-staging v1"));
        const json after = containersOf(m_sock, m_id);
        QCOMPARE(after.size(), size_t(2));
        std::set<std::string> ids, idsAfter;
        for (const json& c : before)
            ids.insert(c.value("Id", ""));
        for (const json& c : after)
            idsAfter.insert(c.value("Id", ""));
        QVERIFY(ids == idsAfter);
    }

    void deleteRemovesTheContainers()
    {
        const std::string devUrl = url("dev");
        const json op = submit("/api/events/registration", {{"action", "delete"}, {"project_id", m_id}});
        QVERIFY2(op.value("status", "") == "completed", op.dump(2).c_str());
        QCOMPARE(containersOf(m_sock, m_id).size(), size_t(0));
        QCOMPARE(http("GET", QString::fromStdString(devUrl), {}, {}, 2000).status, 0);
        m_id.clear();
    }

    void cleanupTestCase()
    {
        if (QTest::currentTestFailed() || m_app.process().state() != QProcess::Running)
            qWarning("paas output:\n%s", m_app.output().right(6000).constData());
        if (!m_id.empty())  // a failed case: leave no container behind
            for (const json& c : containersOf(m_sock, m_id))
                QProcess::execute(
                    "curl", {"-s", "-X", "DELETE", "--unix-socket", m_sock,
                             QString::fromStdString("http://docker/containers/" + c.value("Id", "") + "?force=1")});
        m_app.stop();
    }
};

QTEST_MAIN(TestEnvRun)
#include "tst_envrun.moc"
