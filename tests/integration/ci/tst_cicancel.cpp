// Issue 12 §4: cancelling a running BuildKit build through the API. The real
// paas binary builds through the "dockerd" fixture's BuildKit a commit whose
// Dockerfile RUN prints a marker and then sleeps 600 s (busybox from
// busybox-static). Once the marker is in the build log the RUN is executing;
// POST /api/ops/{id}/cancel must then stop the Solve (the step polls the
// cancel every ~100 ms), end the op "cancelled" long before the RUN would
// end, claim no image, start the project's next op and free the commit.
#include "tests/integration/ci/citestutil.h"

#include <QElapsedTimer>
#include <QFile>
#include <QtTest>

using namespace paas::test;
using nlohmann::json;

namespace {

// Printed by the RUN; "$((6*7))" keeps the marker out of the logged command line.
constexpr const char* kMarker = "cancel-me-42";
constexpr const char* kBlockingDockerfile =
    "FROM scratch\nCOPY --chmod=0755 busybox /bin/busybox\n"
    "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo cancel-me-$((6*7)); exec /bin/busybox sleep 600\"]\n";

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool waitForFileToContain(const QString& path, const QByteArray& needle, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!readAll(path).contains(needle)) {
        if (t.elapsed() > timeoutMs)
            return false;
        QTest::qWait(100);
    }
    return true;
}

std::string stepStatus(const json& op, const std::string& name)
{
    for (const json& step : op.value("steps", json::array()))
        if (step.value("name", "") == name)
            return step.value("status", "");
    return {};
}

}  // namespace

class TestCiCancel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runningBuildKitBuildIsCancelled()
    {
        const QString sock = qEnvironmentVariable("PAAS_TEST_DOCKER_SOCK");
        QVERIFY2(!sock.isEmpty(), "PAAS_TEST_DOCKER_SOCK is not set (the dockerd fixture provides it)");
        QVERIFY2(QFile::exists("/bin/busybox"), "busybox-static is not installed (installer/deps-debian.sh --test)");
        PaasProcess app;
        app.env().insert("PAAS_IMAGE_BUILDER_MODE", "buildkit");
        app.env().insert("PAAS_BUILDKIT_ADDR", "docker://" + sock);
        app.env().insert("PAAS_BUILD_NETWORK", "host");  // the test engine runs with --bridge=none
        QVERIFY2(app.start(), app.output().constData());
        std::string error;
        const json created = createProject(app, "bk-cancel", {}, &error, 600000);
        QVERIFY2(created.value("status", "") == "completed", (error + created.dump()).c_str());
        const std::string id = created.value("project_id", "");
        const QString repo = sourceRepo(app, id);
        QFile busybox(QStringLiteral("/bin/busybox"));
        QVERIFY(busybox.open(QIODevice::ReadOnly));
        QVERIFY(!gitCommit(repo, "busybox", busybox.readAll(), "add busybox", false).empty());
        QByteArray out;
        const std::string sha =
            gitCommit(repo, "Dockerfile", kBlockingDockerfile, "a RUN that blocks", false, gitEnv(), &out);
        QVERIFY2(!sha.empty(), out.constData());

        const HttpResult ci =
            app.post("/api/webhooks/source", {{"project_id", id}, {"branch", "main"}, {"commit", sha}});
        QVERIFY2(ci.status == 202, ci.body.constData());
        const std::string opId = ci.json()["op"].value("id", "");
        const HttpResult deploy = app.post("/api/events/deployment", {{"project_id", id}, {"environment", "dev"}});
        QVERIFY2(deploy.status == 202, deploy.body.constData());  // queued behind the build
        const QString log = app.artifactsRoot() + "/" + QString::fromStdString(id) + "/build/buildkit.log";
        QVERIFY2(waitForFileToContain(log, kMarker, 300000), readAll(log).constData());

        QElapsedTimer sinceCancel;
        sinceCancel.start();
        const HttpResult r = app.send("POST", "/api/ops/" + QString::fromStdString(opId) + "/cancel", {});
        QVERIFY2(r.status == 202 && r.json()["op"]["status"] == "running", r.body.constData());
        const json ended = app.waitForOp(opId, 120000);
        QVERIFY2(ended.value("status", "") == "cancelled", ended.dump(2).c_str());
        // The RUN sleeps 600 s: only the cancelled Solve ends it this soon.
        QVERIFY2(sinceCancel.elapsed() < 60000, qPrintable(QString::number(sinceCancel.elapsed()) + " ms"));
        qInfo("BuildKit build cancelled %lld ms after the request", static_cast<long long>(sinceCancel.elapsed()));
        QCOMPARE(stepStatus(ended, "imageBuilder"), std::string("cancelled"));
        QCOMPARE(stepStatus(ended, "manifestRenderer"), std::string("pending"));
        QCOMPARE(ended["error"].value("code", ""), std::string("cancelled"));
        const json project = app.get("/api/projects/" + QString::fromStdString(id)).json();
        QVERIFY2(project["image"].value("commit", "") != sha, "an image was claimed for a cancelled build");
        const json deployed = app.waitForOp(deploy.json()["op"].value("id", ""), 120000);
        QVERIFY2(deployed.value("status", "") == "completed", deployed.dump(2).c_str());

        // The cancelled build freed its commit: it can be built again (and cancelled again).
        const HttpResult again =
            app.post("/api/webhooks/source", {{"project_id", id}, {"branch", "main"}, {"commit", sha}});
        QVERIFY2(again.status == 202, again.body.constData());
        const std::string againId = again.json()["op"].value("id", "");
        QCOMPARE(app.send("POST", "/api/ops/" + QString::fromStdString(againId) + "/cancel", {}).status, 202);
        QCOMPARE(app.waitForOp(againId, 120000).value("status", ""), std::string("cancelled"));
        QVERIFY(app.stop());
    }
};

QTEST_MAIN(TestCiCancel)
#include "tst_cicancel.moc"
