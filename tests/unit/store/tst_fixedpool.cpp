// fixedpool: a fixed pool starts all of its threads at once, under its name,
// and keeps them: a burst of work neither adds threads nor retires them, so
// the process's thread count is the same before and after the load.
#include "engine/core/fixedpool.h"

#include <QDir>
#include <QFile>
#include <QtTest>

#include <atomic>

using namespace paas;

namespace {
// The names of this process's threads (Linux: /proc/self/task/*/comm).
QStringList threadNames()
{
    QStringList names;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString& tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(tasks.filePath(tid + QStringLiteral("/comm")));
        if (comm.open(QIODevice::ReadOnly))
            names << QString::fromUtf8(comm.readAll()).trimmed();
    }
    return names;
}
}  // namespace

class TestFixedPool : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
#ifndef Q_OS_LINUX
        QSKIP("counts threads through /proc/self/task, which only Linux has");
#endif
    }

    void allThreadsRunFromTheStartUnderThePoolsName()
    {
        const qsizetype before = threadNames().size();
        QThreadPool pool;
        startFixedPool(pool, QStringLiteral("paas-fixedtest"), 5);
        QCOMPARE(threadNames().count(QStringLiteral("paas-fixedtest")), 5);
        QCOMPARE(threadNames().size(), before + 5);
        QCOMPARE(pool.maxThreadCount(), 5);
        QCOMPARE(pool.expiryTimeout(), -1);
    }

    void aBurstNeitherAddsNorRetiresThreads()
    {
        QThreadPool pool;
        startFixedPool(pool, QStringLiteral("paas-bursttest"), 3);
        const qsizetype started = threadNames().size();
        std::atomic<int> ran{0};
        for (int i = 0; i < 200; ++i)
            pool.start([&ran] {
                QThread::usleep(200);
                ++ran;
            });
        QTRY_COMPARE(ran.load(), 200);
        QCOMPARE(threadNames().size(), started);
        QCOMPARE(threadNames().count(QStringLiteral("paas-bursttest")), 3);
        pool.waitForDone();  // shutdown still stops them
        QTRY_COMPARE(threadNames().count(QStringLiteral("paas-bursttest")), 0);
    }
};

QTEST_GUILESS_MAIN(TestFixedPool)
#include "tst_fixedpool.moc"
