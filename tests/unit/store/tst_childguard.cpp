// childguard (issue 10, 1b): the portable parent watch stops the child when
// the app's pipe closes; a leftover server is recognised by its command line
// and stopped; anything else recorded in a pid file is left alone.
#include "engine/store/childguard.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace paas;

namespace {
bool gone(QProcess& p, int ms = 10000)
{
    return p.state() == QProcess::NotRunning || p.waitForFinished(ms);
}
}  // namespace

class TestChildGuard : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void commandLineOfLiveAndDeadProcesses()
    {
        QVERIFY(childguard::commandLineOf(::getpid()).contains("tst_childguard"));
        QProcess p;
        p.start("sleep", {"0"});
        QVERIFY(p.waitForFinished());
        QVERIFY(childguard::commandLineOf(p.processId()).isEmpty());
        QVERIFY(childguard::commandLineOf(0).isEmpty());
    }

    void pipeWatchStopsTheChildWhenTheAppsPipeCloses()
    {
        QProcess child;
        child.start("sleep", {"60"});
        QVERIFY(child.waitForStarted());
        childguard::ParentWatch watch;
        QVERIFY(watch.arm(child.processId()));
        QVERIFY(watch.watcherPid() > 0);
        QTest::qWait(100);
        QCOMPARE(child.state(), QProcess::Running);  // armed, nothing happens while the app lives
        watch.closePipe();
        QVERIFY2(gone(child), "the watcher did not stop the child");
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);  // SIGTERM
    }

    void disarmLeavesTheChildAlone()
    {
        QProcess child;
        child.start("sleep", {"60"});
        QVERIFY(child.waitForStarted());
        childguard::ParentWatch watch;
        QVERIFY(watch.arm(child.processId()));
        watch.disarm();
        QTest::qWait(200);
        QCOMPARE(child.state(), QProcess::Running);
        child.kill();
        child.waitForFinished();
    }

    void stopLeftoverStopsOnlyAMatchingProcess()
    {
        QTemporaryDir dir;
        const QString store = dir.path() + "/store";
        const QString pidFile = dir.path() + "/server.pid";
        // A stand-in "server" whose command line names the store.
        QProcess server;
        server.start("sh", {"-c", "sleep 60; : fake-nats-server", "fake-nats-server", "-sd", store});
        QVERIFY(server.waitForStarted());
        QTRY_VERIFY(childguard::commandLineOf(server.processId()).contains(store));
        QVERIFY(childguard::writePidFile(pidFile, server.processId()).isOk());

        // Another store, or another program: left alone, the record dropped.
        QVERIFY(childguard::stopLeftover(pidFile, "sh", dir.path() + "/other").isOk());
        QCOMPARE(server.state(), QProcess::Running);
        QVERIFY(!QFile::exists(pidFile));

        QVERIFY(childguard::writePidFile(pidFile, server.processId()).isOk());
        QVERIFY(childguard::stopLeftover(pidFile, "sh", store).isOk());
        QVERIFY(gone(server));
        QVERIFY(!QFile::exists(pidFile));
        QVERIFY(childguard::stopLeftover(pidFile, "sh", store).isOk());  // no record: nothing to do
    }
};

QTEST_GUILESS_MAIN(TestChildGuard)
#include "tst_childguard.moc"
