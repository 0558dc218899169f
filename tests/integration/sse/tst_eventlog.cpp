// EventLog (the read side of PAAS_EVENTS) against a real nats-server child:
// bounds, replay by op / project / all after a sequence, the newest event of
// a subject, and shared live taps that carry the true stream sequence.
#include "engine/store/backend.h"
#include "engine/store/eventlog.h"

#include <QTemporaryDir>
#include <QtTest>

#include <mutex>
#include <thread>

using namespace paas;

namespace {

Config configIn(const QTemporaryDir& dir)
{
    Config c;
    c.artifactsRoot = dir.path() + "/artifacts";
    c.natsStoreDir = dir.path() + "/nats";
    return c;
}

uint64_t publish(Backend& b, const std::string& project, const std::string& op, const std::string& type)
{
    const nlohmann::json data{{"type", type}, {"op_id", op}, {"project_id", project}, {"at", "t"}};
    Result<uint64_t> seq = b.client().publish(eventsubjects::exact(project, op), data.dump());
    return seq ? *seq : 0;
}

std::vector<uint64_t> replaySeqs(EventLog& log, const std::string& filter, uint64_t after)
{
    std::vector<uint64_t> out;
    Result<uint64_t> n = log.replay({filter, after}, [&](const StoredEvent& e) {
        out.push_back(e.seq);
        return true;
    });
    if (!n)
        qWarning() << "replay failed" << QString::fromStdString(n.status().toString());
    return out;
}

}  // namespace

class TestEventLog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void subjects()
    {
        std::string p, o;
        QVERIFY(eventsubjects::parse("paas.events.proj-1.op-2", p, o));
        QCOMPARE(p, std::string("proj-1"));
        QCOMPARE(o, std::string("op-2"));
        QVERIFY(!eventsubjects::parse("paas.events.proj", p, o));
        QVERIFY(!eventsubjects::parse("paas.work.x.y", p, o));
        QVERIFY(!eventsubjects::parse("paas.events.a.b.c", p, o));
        QCOMPARE(eventsubjects::ofOp("o1"), std::string("paas.events.*.o1"));
        QCOMPARE(eventsubjects::ofProject("p1"), std::string("paas.events.p1.*"));
    }

    void replayByOpProjectAndAll()
    {
        QTemporaryDir dir;
        const Config config = configIn(dir);
        Backend backend(config);
        QVERIFY(backend.start().isOk());
        EventLog log(backend.client());

        Result<StreamBounds> empty = log.bounds();
        QVERIFY(empty.isOk());
        QCOMPARE(empty->messages, uint64_t(0));
        QVERIFY(replaySeqs(log, eventsubjects::all(), 0).empty());

        std::vector<uint64_t> a1, a2, b1;
        for (int i = 0; i < 5; ++i) {
            a1.push_back(publish(backend, "pa", "op1", "step.log"));
            a2.push_back(publish(backend, "pa", "op2", "step.log"));
            b1.push_back(publish(backend, "pb", "op3", "step.log"));
        }
        QCOMPARE(replaySeqs(log, eventsubjects::ofOp("op1"), 0), a1);
        QCOMPARE(replaySeqs(log, eventsubjects::exact("pa", "op2"), 0), a2);
        QCOMPARE(replaySeqs(log, eventsubjects::ofOp("op1"), a1[2]), std::vector<uint64_t>(a1.begin() + 3, a1.end()));
        QVERIFY(replaySeqs(log, eventsubjects::ofOp("op1"), a1.back()).empty());
        QVERIFY(replaySeqs(log, eventsubjects::ofOp("nosuchop"), 0).empty());
        QCOMPARE(replaySeqs(log, eventsubjects::ofProject("pb"), 0), b1);
        QCOMPARE(replaySeqs(log, eventsubjects::all(), 0).size(), size_t(15));
        QCOMPARE(replaySeqs(log, eventsubjects::all(), 10).size(), size_t(5));

        Result<StoredEvent> last = log.lastOnSubject(eventsubjects::exact("pa", "op1"));
        QVERIFY(last.isOk());
        QCOMPARE(last->seq, a1.back());
        QCOMPARE(last->opId, std::string("op1"));
        QCOMPARE(nlohmann::json::parse(last->data)["type"], "step.log");
        QCOMPARE(log.lastOnSubject(eventsubjects::exact("pa", "none")).status().code(), Status::Code::NotFound);

        Result<StreamBounds> b = log.bounds();
        QVERIFY(b.isOk());
        QCOMPARE(b->firstSeq, uint64_t(1));
        QCOMPARE(b->lastSeq, b1.back());

        // bounded
        Result<uint64_t> n = log.replay({eventsubjects::all(), 0, 4}, [](const StoredEvent&) { return true; });
        QVERIFY(n.isOk());
        QCOMPARE(*n, uint64_t(4));
        // Started by time: from a moment (less the clock-skew minute), so an
        // op's replay never walks the stream from its first message.
        const auto byTime = [&](int64_t notBeforeMs) {
            std::vector<uint64_t> out;
            EventLog::ReplayOptions options{eventsubjects::exact("pa", "op2"), 0};
            options.notBeforeMs = notBeforeMs;
            Result<uint64_t> replayed = log.replay(options, [&](const StoredEvent& e) {
                out.push_back(e.seq);
                return true;
            });
            return replayed ? out : std::vector<uint64_t>{0};
        };
        const int64_t now = QDateTime::currentMSecsSinceEpoch();
        QCOMPARE(byTime(now - 1000), a2);               // published within the skew minute
        QVERIFY(byTime(now + 10 * 60 * 1000).empty());  // a start after every event: none
        // replay consumers are deleted again
        jsStreamInfo* info = nullptr;
        QCOMPARE(js_GetStreamInfo(&info, backend.client().jetStream(), "PAAS_EVENTS", nullptr, nullptr), NATS_OK);
        QCOMPARE(info->State.Consumers, int64_t(0));
        jsStreamInfo_Destroy(info);
    }

    void liveTapsShareOneSubscription()
    {
        QTemporaryDir dir;
        const Config config = configIn(dir);
        Backend backend(config);
        QVERIFY(backend.start().isOk());
        EventLog log(backend.client());
        publish(backend, "pa", "op1", "op.status");  // before the tap: not live

        std::mutex mutex;
        std::vector<uint64_t> got1, got2, gotAll;
        auto collect = [&](std::vector<uint64_t>& into) {
            return [&mutex, &into](const StoredEvent& e) {
                std::lock_guard lock(mutex);
                into.push_back(e.seq);
            };
        };
        auto t1 = log.tap(eventsubjects::ofOp("op1"), collect(got1));
        auto t2 = log.tap(eventsubjects::ofOp("op1"), collect(got2));
        auto tAll = log.tap(eventsubjects::all(), collect(gotAll));
        QVERIFY(t1.isOk() && t2.isOk() && tAll.isOk());
        QCOMPARE(log.subscriptionCount(), 1);  // an op's taps and the whole feed: one consumer

        std::vector<uint64_t> expected;
        for (int i = 0; i < 20; ++i) {
            expected.push_back(publish(backend, "pa", "op1", "step.log"));
            publish(backend, "pa", "other", "step.log");
        }
        auto size = [&](std::vector<uint64_t>& v) {
            std::lock_guard lock(mutex);
            return v.size();
        };
        QTRY_COMPARE_WITH_TIMEOUT(size(got1), size_t(20), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(size(got2), size_t(20), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(size(gotAll), size_t(40), 10000);
        {
            std::lock_guard lock(mutex);
            QCOMPARE(got1, expected);
            QCOMPARE(got2, expected);
        }
        t1->reset();
        QCOMPARE(log.subscriptionCount(), 1);
        publish(backend, "pa", "op1", "op.completed");
        QTRY_COMPARE_WITH_TIMEOUT(size(got2), size_t(21), 10000);
        QCOMPARE(size(got1), size_t(20));  // detached: never called again
        t2->reset();
        tAll->reset();
        QCOMPARE(log.subscriptionCount(), 0);
        QCOMPARE(log.counters()["taps"].get<int64_t>(), int64_t(0));
        // the ordered consumers are gone from the server
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                jsStreamInfo* info = nullptr;
                if (js_GetStreamInfo(&info, backend.client().jetStream(), "PAAS_EVENTS", nullptr, nullptr) != NATS_OK)
                    return false;
                const bool none = info->State.Consumers == 0;
                jsStreamInfo_Destroy(info);
                return none;
            }(),
            10000);
    }
};

QTEST_GUILESS_MAIN(TestEventLog)
#include "tst_eventlog.moc"
