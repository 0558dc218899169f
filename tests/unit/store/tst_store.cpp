// The JetStream backend against a real nats-server child.
#include "engine/store/backend.h"
#include "engine/store/natsserverprocess.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <csignal>
#include <memory>
#include <thread>

using namespace paas;

class TestStore : public QObject {
    Q_OBJECT

private:
    Config configIn(const QTemporaryDir& dir)
    {
        Config c;
        c.artifactsRoot = dir.path() + "/artifacts";
        c.natsStoreDir = dir.path() + "/nats";
        return c;
    }

private Q_SLOTS:
    void kvRoundTripAndCas()
    {
        QTemporaryDir dir;
        const Config config = configIn(dir);
        Backend backend(config);
        QVERIFY2(backend.start().isOk(), "backend starts");
        KvStore& kv = backend.projects();

        Result<uint64_t> rev = kv.put("alpha", "one");
        QVERIFY(rev.isOk());
        Result<KvEntry> got = kv.get("alpha");
        QVERIFY(got.isOk());
        QCOMPARE(got->value, std::string("one"));
        QCOMPARE(got->revision, *rev);

        QCOMPARE(kv.get("missing").status().code(), Status::Code::NotFound);
        QCOMPARE(kv.create("alpha", "dup").status().reason(), std::string("key_exists"));

        QVERIFY(kv.update("alpha", "two", *rev).isOk());
        Result<uint64_t> stale = kv.update("alpha", "three", *rev);  // lost the race
        QCOMPARE(stale.status().code(), Status::Code::Conflict);
        QCOMPARE(kv.get("alpha")->value, std::string("two"));

        QVERIFY(kv.remove("alpha").isOk());
        QCOMPARE(kv.get("alpha").status().code(), Status::Code::NotFound);
        QVERIFY(kv.create("alpha", "again").isOk());  // create after delete is allowed
    }

    // Queue reads: the head of a subject among others' messages, by the
    // subject index and by the scan that needs none (the fallback for the
    // index entry nats-server 2.9.10 can lose in a crash).
    void queueHeadIndexAndScanAgree()
    {
        QTemporaryDir dir;
        const Config config = configIn(dir);  // the backend keeps a reference
        Backend backend(config);
        QVERIFY2(backend.start().isOk(), "backend starts");
        NatsClient& client = backend.client();
        const std::string stream = names::kQueueStream, a = "paas.queue.a", b = "paas.queue.b";
        std::vector<uint64_t> seqA;
        for (int i = 0; i < 3; ++i) {
            QVERIFY(client.publish(b, "b" + std::to_string(i)));
            seqA.push_back(*client.publish(a, "a" + std::to_string(i)));
        }
        QCOMPARE(client.headMessage(stream, a)->seq, seqA[0]);
        QCOMPARE(client.scanForSubject(stream, a, 1, seqA.back())->seq, seqA[0]);
        QCOMPARE(client.scanForSubject(stream, a, seqA[0] + 1, seqA.back())->data, std::string("a1"));
        QCOMPARE(client.scanForSubject(stream, a, seqA.back() + 1, seqA.back() + 10).status().code(),
                 Status::Code::NotFound);
        QCOMPARE(client.subjectState(stream, a)->messages, uint64_t(3));
        QVERIFY(client.deleteMessage(stream, seqA[0]));
        QVERIFY(client.deleteMessage(stream, seqA[1]));
        QCOMPARE(client.headMessage(stream, a)->data, std::string("a2"));
        QCOMPARE(client.scanForSubject(stream, a, 1, seqA.back())->seq, seqA[2]);  // past deleted ones
        QVERIFY(client.deleteMessage(stream, seqA[2]));
        QCOMPARE(client.subjectState(stream, a)->messages, uint64_t(0));
        QCOMPARE(client.headMessage(stream, a).status().code(), Status::Code::NotFound);
        QCOMPARE(client.headMessage(stream, "paas.queue.never").status().code(), Status::Code::NotFound);
        QCOMPARE(client.headMessage(stream, b)->data, std::string("b0"));
    }

    void concurrentCasLosesNothing()
    {
        QTemporaryDir dir;
        const Config config = configIn(dir);
        Backend backend(config);
        QVERIFY(backend.start().isOk());
        KvStore& kv = backend.ops();
        std::vector<std::thread> threads;
        std::atomic<int> failures{0};
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 25; ++i) {
                    Result<KvEntry> r = kv.updateWith("counter", [](const KvEntry* cur) -> Result<std::string> {
                        return std::to_string(cur ? std::stoi(cur->value) + 1 : 1);
                    });
                    if (!r)
                        ++failures;
                }
            });
        }
        for (auto& th : threads)
            th.join();
        QCOMPARE(failures.load(), 0);
        QCOMPARE(kv.get("counter")->value, std::string("100"));
    }

    void watchDeliversCurrentAndLive()
    {
        QTemporaryDir dir;
        const Config config = configIn(dir);
        Backend backend(config);
        QVERIFY(backend.start().isOk());
        KvStore& kv = backend.projects();
        QVERIFY(kv.put("p1", "a").isOk());
        std::mutex mu;
        std::vector<std::string> seen;
        auto watch = kv.watch(">", [&](const KvEntry& e) {
            std::lock_guard lock(mu);
            seen.push_back(e.key + "=" + e.value);
        });
        QVERIFY(watch.isOk());
        QVERIFY(kv.put("p2", "b").isOk());
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     std::lock_guard l(mu);
                                     return seen.size() >= 2;
                                 }()),
                                 10000);
        std::lock_guard lock(mu);
        QCOMPARE(seen.at(0), std::string("p1=a"));
        QCOMPARE(seen.at(1), std::string("p2=b"));
    }

    void childRestartsAfterKillAndClientReconnects()
    {
        QTemporaryDir dir;
        const Config config = configIn(dir);
        Backend backend(config);
        QVERIFY(backend.start().isOk());
        QVERIFY(backend.projects().put("before", "1").isOk());
        const qint64 firstPid = backend.describe()["pid"].get<qint64>();
        QVERIFY(firstPid > 0);
        ::kill(static_cast<pid_t>(firstPid), SIGKILL);
        QTRY_VERIFY_WITH_TIMEOUT(backend.health() == "degraded", 10000);
        QTRY_VERIFY_WITH_TIMEOUT(backend.health() == "ok", 30000);
        QVERIFY(backend.describe()["pid"].get<qint64>() != firstPid);
        QCOMPARE(backend.describe()["restarts"].get<int>(), 1);
        // The store survived and the connection works again.
        QTRY_VERIFY_WITH_TIMEOUT(backend.projects().put("after", "2").isOk(), 10000);
        QCOMPARE(backend.projects().get("before")->value, std::string("1"));
    }

    void stopLeavesNoOrphanAndSecondInstanceRefused()
    {
        QTemporaryDir dir;
        const Config config = configIn(dir);
        qint64 pid = 0;
        {
            Backend first(config);
            QVERIFY(first.start().isOk());
            pid = first.describe()["pid"].get<qint64>();
            Backend second(config);
            const Status refused = second.start();
            QCOMPARE(refused.reason(), std::string("store_locked"));
            QVERIFY(QString::fromStdString(refused.message()).contains("PAAS_NATS_STORE_DIR"));
            QVERIFY2(::kill(static_cast<pid_t>(pid), 0) == 0, "the first child still runs");
            first.stop();
        }
        QVERIFY2(::kill(static_cast<pid_t>(pid), 0) != 0, "no orphan nats-server after stop()");
    }

    // nats.c posts a connection's disconnected event to its callback thread
    // when the connection closes, so it can arrive after ~NatsClient
    // returned: it must not reach the destroyed client (a use-after-free
    // that ThreadSanitizer found, make test-tsan) nor its state callback.
    void destroyedClientIsNotCalledBack()
    {
        QTemporaryDir dir;
        const Config config = configIn(dir);
        Backend backend(config);
        QVERIFY(backend.start().isOk());
        auto calls = std::make_shared<std::atomic<int>>(0);
        for (int i = 0; i < 20; ++i) {
            Result<std::unique_ptr<NatsClient>> client =
                NatsClient::connect(backend.client().url(), 5000, [calls](bool) { ++*calls; });
            QVERIFY(client.isOk());
            QVERIFY((*client)->connected());
            client->reset();  // closes: the disconnected event is posted now
        }
        QTest::qWait(300);  // let nats.c's callback thread deliver it
        QCOMPARE(calls->load(), 0);
    }

    void missingBinaryIsAClearError()
    {
        Result<QString> bin = NatsServerProcess::findBinary("/nonexistent/nats-server");
        QVERIFY(!bin.isOk());
        QVERIFY(QString::fromStdString(bin.status().message()).contains("PAAS_NATS_SERVER_BIN"));
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
