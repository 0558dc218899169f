// Issue 15's building blocks, one class at a time: KvLease on a real
// nats-server child (one holder; a stopped holder hands over at once; a dead
// one's key expires with the bucket TTL), InstanceId (distinct ids for
// instances running at once on one state dir, the same id after a restart)
// and ProjectLock (two holders exclude each other; a waiter can give up).
#include "engine/core/instanceid.h"
#include "engine/core/projectlock.h"
#include "engine/store/backend.h"
#include "engine/store/kvlease.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <memory>
#include <thread>

using namespace paas;

class TestKvLease : public QObject {
    Q_OBJECT

    static bool waitUntil(const std::function<bool()>& pred, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (!pred() && t.elapsed() < timeoutMs)
            QThread::msleep(20);
        return pred();
    }

    static Config leaseConfig(const QTemporaryDir& dir)
    {
        Config config;
        config.artifactsRoot = dir.path() + "/artifacts";
        config.natsStoreDir = dir.path() + "/nats";
        config.leaseTtlMs = 1500;
        return config;
    }

private Q_SLOTS:
    void oneHolderAndHandOver()
    {
        QTemporaryDir dir;
        const Config config = leaseConfig(dir);
        Backend backend(config);
        QVERIFY(backend.start().isOk());
        std::atomic<int> acquiredA{0}, acquiredB{0}, lostA{0};
        auto a = std::make_unique<KvLease>(backend.leases(), "recovery", "a", config.leaseTtlMs);
        KvLease b(backend.leases(), "recovery", "b", config.leaseTtlMs);
        a->start([&] { ++acquiredA; }, [&] { ++lostA; });
        QVERIFY(waitUntil([&] { return a->held(); }, 3000));
        b.start([&] { ++acquiredB; }, [] {});
        QVERIFY(waitUntil([&] { return b.holder() == "a"; }, 3000));  // b sees who holds it
        QThread::msleep(config.leaseTtlMs * 2);                       // renewals keep it past its TTL
        QVERIFY(a->held());
        QVERIFY(!b.held());
        QCOMPARE(acquiredB.load(), 0);

        QElapsedTimer handOver;
        handOver.start();
        a->stop();  // deletes its key: b takes it at its next try (ttl/3)
        QCOMPARE(lostA.load(), 1);
        QVERIFY(waitUntil([&] { return b.held(); }, config.leaseTtlMs));
        QVERIFY(handOver.elapsed() < config.leaseTtlMs);
        QCOMPARE(acquiredA.load(), 1);
        QCOMPARE(acquiredB.load(), 1);
    }

    void deadHolderExpires()
    {
        QTemporaryDir dir;
        const Config config = leaseConfig(dir);
        Backend backend(config);
        QVERIFY(backend.start().isOk());
        // A holder that died: its key stays, renewed by no one.
        QVERIFY(backend.leases().create("watcher", R"({"holder":"dead"})").isOk());
        KvLease b(backend.leases(), "watcher", "b", config.leaseTtlMs);
        QElapsedTimer taken;
        taken.start();
        b.start({}, {});
        QVERIFY(waitUntil([&] { return b.holder() == "dead"; }, 2000));
        QVERIFY(waitUntil([&] { return b.held(); }, config.leaseTtlMs * 3));
        QVERIFY2(taken.elapsed() >= config.leaseTtlMs / 2, "taken before the dead holder's key expired");
    }

    void instanceIdsAreDistinctAndKept()
    {
        QTemporaryDir dir;
        QString first;
        {
            auto a = InstanceId::claim(dir.path(), {});
            auto b = InstanceId::claim(dir.path(), {});
            QVERIFY(a.isOk() && b.isOk());
            QVERIFY((*a)->id() != (*b)->id());
            first = (*a)->id() < (*b)->id() ? (*a)->id() : (*b)->id();
        }
        auto again = InstanceId::claim(dir.path(), {});
        QVERIFY(again.isOk());
        QCOMPARE((*again)->id(), first);  // a restart keeps the (first free) id
        auto given = InstanceId::claim(dir.path(), QStringLiteral("w7"));
        QCOMPARE((*given)->id(), QStringLiteral("w7"));
    }

    void projectLockExcludes()
    {
        QTemporaryDir dir;
        const QString path = dir.path() + "/locks/p.lock";
        auto held = ProjectLock::acquire(path, {});
        QVERIFY(held.isOk());
        int polls = 0;
        auto refused = ProjectLock::acquire(path, [&] { return ++polls < 3; });
        QCOMPARE(refused.status().reason(), std::string("fenced"));
        QCOMPARE(polls, 3);
        std::atomic<bool> got{false};
        std::thread waiter([&] { got = ProjectLock::acquire(path, [] { return true; }).isOk(); });
        QThread::msleep(300);
        QVERIFY(!got);
        held.value().reset();  // released: the waiter gets it
        waiter.join();
        QVERIFY(got);
    }
};

QTEST_GUILESS_MAIN(TestKvLease)
#include "tst_kvlease.moc"
