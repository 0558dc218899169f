// Issue 10, item 3: the Docker engine killed (SIGKILL) in the middle of a
// BuildKit build. The test starts a private dockerd of its own (so the shared
// "dockerd" fixture is never harmed), builds a commit whose Dockerfile runs a
// real process for a few seconds (busybox from busybox-static), kills dockerd
// while that step runs, and checks: the ci op fails with a clear error, no
// image is claimed, and once dockerd is back the same commit builds.
#include "tests/integration/ci/citestutil.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace paas::test;
using nlohmann::json;

namespace {

bool dockerd(const QString& cmd, const QString& dir, QByteArray* out)
{
    const QString script = qEnvironmentVariable("PAAS_SOURCE_DIR") + "/tests/support/dockerd.sh";
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("PAAS_TEST_DOCKER_SOCK");  // always a private engine
    return run("bash", {script, cmd, dir}, {}, out, 120000, env) == 0;
}

qint64 dockerdPid(const QString& dir)
{
    return readFile(dir + "/dockerd.pid").trimmed().toLongLong();
}

// Polls the op until its imageBuilder step is running.
bool waitForRunningBuild(const PaasProcess& app, const std::string& projectId, const std::string& commit)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 120000) {
        for (const json& op : ciOpsFor(app, projectId, commit))
            for (const json& step : op["steps"])
                if (step.value("name", "") == "imageBuilder" && step.value("status", "") == "running")
                    return true;
        QTest::qWait(100);
    }
    return false;
}

}  // namespace

class TestCiDockerdFault : public QObject {
    Q_OBJECT

    QTemporaryDir m_dockerDir{QDir::tempPath() + "/paas-dkfault-XXXXXX"};

private Q_SLOTS:
    void killedDockerdFailsTheBuildAndTheSameCommitBuildsAfter()
    {
        QByteArray out;
        QVERIFY2(dockerd("start", m_dockerDir.path(), &out), out.constData());
        const QString sock = m_dockerDir.path() + "/docker.sock";
        QVERIFY2(QFile::exists("/bin/busybox"), "busybox-static is not installed (installer/deps-debian.sh --test)");

        PaasProcess app;
        app.env().insert("PAAS_IMAGE_BUILDER_MODE", "buildkit");
        app.env().insert("PAAS_BUILDKIT_ADDR", "docker://" + sock);
        app.env().insert("PAAS_BUILD_NETWORK", "host");  // the test engine runs with --bridge=none
        app.env().insert("PAAS_COMMIT_WATCHER", "0");
        QVERIFY2(app.start(), app.output().constData());
        std::string error;
        const json created = createProject(app, "dk-fault", {}, &error, 600000);
        QVERIFY2(!created.is_null() && created.value("status", "") == "completed", (error + created.dump()).c_str());
        const std::string id = created.value("project_id", "");
        const QString repo = sourceRepo(app, id);

        QFile busybox(QStringLiteral("/bin/busybox"));
        QVERIFY(busybox.open(QIODevice::ReadOnly));
        QVERIFY(!gitCommit(repo, "busybox", busybox.readAll(), "add busybox", false).empty());
        const std::string sha = gitCommit(
            repo, "Dockerfile",
            "FROM scratch\nCOPY --chmod=0755 busybox /bin/busybox\nRUN [\"/bin/busybox\", \"sleep\", \"15\"]\n",
            "a build that takes a while", true, gitEnv(), &out);
        QVERIFY2(!sha.empty(), out.constData());
        QVERIFY2(waitForRunningBuild(app, id, sha), "the ci build never started");
        QTest::qWait(1500);  // inside the RUN step
        const qint64 pid = dockerdPid(m_dockerDir.path());
        QVERIFY(pid > 0);
        QCOMPARE(::kill(static_cast<pid_t>(pid), SIGKILL), 0);

        const json failed = waitForCiOp(app, id, sha, 180000);
        QVERIFY2(!failed.is_null(), "the ci op never ended after dockerd was killed");
        QCOMPARE(failed.value("status", ""), std::string("failed"));
        const std::string message = failed["error"].value("message", "");
        QVERIFY2(!message.empty(), failed.dump(2).c_str());
        // The daemon went away: not a build error of the Dockerfile's.
        QCOMPARE(failed["error"].value("code", ""), std::string("buildkit_unavailable"));
        qInfo("build cut off by SIGKILL of dockerd: %s: %s", failed["error"].value("code", "").c_str(),
              message.c_str());
        const json project = app.get("/api/projects/" + QString::fromStdString(id)).json();
        QVERIFY2(project["image"].value("commit", "") != sha, "an image was claimed for a build that never finished");
        QCOMPARE(app.get("/healthz").status, 200);

        // dockerd comes back (leftovers of the killed one are cleaned up first).
        dockerd("stop", m_dockerDir.path(), &out);
        QVERIFY2(dockerd("start", m_dockerDir.path(), &out), out.constData());
        const HttpResult again =
            app.post("/api/webhooks/source", {{"project_id", id}, {"branch", "main"}, {"commit", sha}});
        QVERIFY2(again.status == 202, again.body.constData());  // the failed build released its commit
        const json rebuilt = app.waitForOp(again.json()["op"].value("id", ""), 600000);
        QVERIFY2(rebuilt.value("status", "") == "completed", rebuilt.dump(2).c_str());
        QCOMPARE(app.get("/api/projects/" + QString::fromStdString(id)).json()["image"].value("commit", ""), sha);
        QVERIFY(app.stop());
    }

    void cleanupTestCase()
    {
        QByteArray out;
        dockerd("stop", m_dockerDir.path(), &out);
    }
};

QTEST_MAIN(TestCiDockerdFault)
#include "tst_cidockerdfault.moc"
