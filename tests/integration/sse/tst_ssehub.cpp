// The SSE endpoints (SseHub on the real Router/QHttpServer) against a real
// nats-server: events are published to PAAS_EVENTS exactly as the pipeline's
// EventBus does, op snapshots come from a table the test controls.
#include "engine/api/router.h"
#include "engine/api/sseconnection.h"
#include "engine/api/ssehub.h"
#include "engine/api/ssepolling.h"
#include "engine/store/backend.h"
#include "tests/integration/sse/ssetestclient.h"

#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <map>
#include <memory>

using namespace paas;
using namespace paas::api;
using paas::test::SseTestClient;

namespace {
std::string str(const nlohmann::json& j)
{
    return j.is_string() ? j.get<std::string>() : j.dump();
}
// Polls the event loop in small steps (QTRY_* sleeps 50 ms per step).
template <typename Pred>
bool waitFor(Pred pred, int timeoutMs = 10000)
{
    QElapsedTimer t;
    t.start();
    while (!pred() && t.elapsed() < timeoutMs)
        QTest::qWait(1);
    return pred();
}
}  // namespace

class TestSseHub : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    Config m_config;
    std::unique_ptr<Backend> m_backend;
    std::map<std::string, nlohmann::json> m_ops;
    std::unique_ptr<Router> m_router;
    SseHub* m_hub = nullptr;
    quint16 m_port = 0;
    std::vector<std::unique_ptr<SseTestClient>> m_clients;

    void startHub(SseHubOptions options)
    {
        stopHub();
        m_router = std::make_unique<Router>();
        auto snapshot = [this](const std::string& id) -> Result<nlohmann::json> {
            auto it = m_ops.find(id);
            if (it == m_ops.end())
                return Status::notFound("op_not_found", "no op " + id);
            return it->second;
        };
        m_hub = new SseHub(m_backend->client(), snapshot, options, m_router.get());
        m_hub->addRoutes(*m_router);
        auto* tcp = new QTcpServer(m_router.get());
        QVERIFY(tcp->listen(QHostAddress::LocalHost, 0));
        m_port = tcp->serverPort();
        m_router->setAllowedAuthority(QStringLiteral("127.0.0.1"), m_port);
        m_router->bind(tcp);
    }
    void stopHub()
    {
        m_clients.clear();
        m_router.reset();
        m_hub = nullptr;
    }

    void setOp(const std::string& op, const std::string& project, const std::string& status)
    {
        m_ops[op] = {{"id", op},         {"kind", "create"},       {"project_id", project},
                     {"status", status}, {"finished_at", nullptr}, {"steps", nlohmann::json::array()}};
    }
    uint64_t publish(const std::string& project, const std::string& op, const std::string& type,
                     nlohmann::json extra = nlohmann::json::object())
    {
        nlohmann::json data{{"type", type}, {"op_id", op}, {"project_id", project}, {"kind", "create"}, {"at", "t"}};
        data.update(extra);
        Result<uint64_t> seq = m_backend->client().publish(eventsubjects::exact(project, op), data.dump());
        return seq ? *seq : 0;
    }
    SseTestClient& client(const QByteArray& path, const QByteArray& lastEventId = {})
    {
        m_clients.push_back(std::make_unique<SseTestClient>(m_port, path, lastEventId));
        m_clients.back()->start();
        return *m_clients.back();
    }
    int counter(const char* name) const { return m_hub->counters()[name].get<int>(); }
    int natsSubscriptions() const { return m_hub->counters()["event_log"]["nats_subscriptions"].get<int>(); }
    int64_t serverConsumers() const
    {
        jsStreamInfo* info = nullptr;
        if (js_GetStreamInfo(&info, m_backend->client().jetStream(), "PAAS_EVENTS", nullptr, nullptr) != NATS_OK)
            return -1;
        const int64_t n = info->State.Consumers;
        jsStreamInfo_Destroy(info);
        return n;
    }
    // A running op with `n` step.log events published; returns their ids.
    std::vector<uint64_t> runningOp(const std::string& op, const std::string& project, int n)
    {
        setOp(op, project, "running");
        std::vector<uint64_t> ids{publish(project, op, "op.status", {{"status", "running"}})};
        for (int i = 1; i < n; ++i)
            ids.push_back(publish(project, op, "step.log", {{"step", "registrar"}, {"line", std::to_string(i)}}));
        return ids;
    }
    void allGone()
    {
        QTRY_COMPARE_WITH_TIMEOUT(counter("sse_clients"), 0, 20000);
        QCOMPARE(counter("sse_channels"), 0);
        QTRY_COMPARE_WITH_TIMEOUT(natsSubscriptions(), 0, 20000);  // taps are released on the hub's reaper thread
        QTRY_COMPARE_WITH_TIMEOUT(serverConsumers(), int64_t(0), 60000);  // the server deletes ~500 consumers
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_config.artifactsRoot = m_dir.path() + "/artifacts";
        m_config.natsStoreDir = m_dir.path() + "/nats";
        m_backend = std::make_unique<Backend>(m_config);
        QVERIFY(m_backend->start().isOk());
    }
    void init() { startHub({}); }
    void cleanup() { stopHub(); }
    void cleanupTestCase() { m_backend.reset(); }

    void frameFormat()
    {
        QCOMPARE(formatSseFrame({7, "op.status", "{\"a\":1}", -1}),
                 QByteArray("id: 7\nevent: op.status\ndata: {\"a\":1}\n\n"));
        QCOMPARE(formatSseFrame({0, "op.bootstrap", "x\ny", 3000}),
                 QByteArray("retry: 3000\nevent: op.bootstrap\ndata: x\ndata: y\n\n"));
        QCOMPARE(formatSseFrame({0, {}, QByteArray(), 1000}), QByteArray("retry: 1000\n\n"));
    }

    void etagHelpers()
    {
        const nlohmann::json a{{"id", "o"}, {"status", "running"}};
        const nlohmann::json b{{"status", "running"}, {"id", "o"}};
        const nlohmann::json c{{"id", "o"}, {"status", "completed"}};
        QCOMPARE(opEtag(a), opEtag(b));
        QVERIFY(opEtag(a) != opEtag(c));
        QVERIFY(opEtag(a).startsWith('"') && opEtag(a).endsWith('"'));
        QVERIFY(etagMatches(opEtag(a), opEtag(a)));
        QVERIFY(etagMatches("W/" + opEtag(a), opEtag(a)));
        QVERIFY(etagMatches("\"x\", " + opEtag(a), opEtag(a)));
        QVERIFY(etagMatches("*", opEtag(a)));
        QVERIFY(!etagMatches(opEtag(c), opEtag(a)));
        QVERIFY(!etagMatches("", opEtag(a)));
    }

    void unknownOpIs404Json()
    {
        SseTestClient& c = client("/api/ops/nosuchop/events");
        QTRY_COMPARE_WITH_TIMEOUT(c.status(), 404, 10000);
        QTRY_VERIFY(c.body().contains("op_not_found"));
        QCOMPARE(counter("sse_clients"), 0);
    }

    void fullSequenceInOrderThenEnd()
    {
        setOp("op-full", "pf", "queued");
        SseTestClient& c = client("/api/ops/op-full/events");
        QTRY_COMPARE_WITH_TIMEOUT(c.frames().size(), size_t(1), 10000);
        const auto boot = c.frames().front();
        QCOMPARE(boot.event, std::string("op.bootstrap"));
        QVERIFY(boot.retry > 0);
        QCOMPARE(boot.id, uint64_t(0));
        QCOMPARE(str(boot.json()["op"]["status"]), std::string("queued"));
        QCOMPARE(str(boot.json()["op_id"]), std::string("op-full"));
        QCOMPARE(natsSubscriptions(), 1);

        const std::vector<std::string> types{"op.status", "step.started",   "step.log",
                                             "step.log",  "step.completed", "op.completed"};
        std::vector<uint64_t> expected;
        for (const std::string& t : types)
            expected.push_back(publish("pf", "op-full", t, {{"step", "registrar"}}));
        QTRY_VERIFY_WITH_TIMEOUT(c.closed(), 10000);
        QCOMPARE(c.ids(), expected);
        std::vector<std::string> got;
        for (const auto& f : c.frames())
            if (f.id) {
                got.push_back(f.event);
                QCOMPARE(str(f.json()["type"]), f.event);
                QCOMPARE(str(f.json()["op_id"]), std::string("op-full"));
                QVERIFY(f.json().contains("at") && f.json().contains("project_id"));
            }
        QCOMPARE(got, types);
        allGone();
    }

    void lastEventIdReplaysExactlyTheMissingEvents()
    {
        const std::vector<uint64_t> ids = runningOp("op-mid", "pm", 5);
        SseTestClient& all = client("/api/ops/op-mid/events");
        QTRY_COMPARE_WITH_TIMEOUT(all.ids(), ids, 10000);  // no Last-Event-ID: the whole op

        SseTestClient& header = client("/api/ops/op-mid/events", QByteArray::number(qulonglong(ids[1])));
        SseTestClient& query = client("/api/ops/op-mid/events?lastEventId=" + QByteArray::number(qulonglong(ids[3])));
        QTRY_COMPARE_WITH_TIMEOUT(header.ids(), std::vector<uint64_t>(ids.begin() + 2, ids.end()), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(query.ids(), std::vector<uint64_t>(ids.begin() + 4, ids.end()), 10000);
        QCOMPARE(header.frames().front().event, std::string("op.bootstrap"));

        const uint64_t more = publish("pm", "op-mid", "step.log", {{"line", "live"}});
        std::vector<uint64_t> tail(ids.begin() + 2, ids.end());
        tail.push_back(more);
        QTRY_COMPARE_WITH_TIMEOUT(header.ids(), tail, 10000);
        QCOMPARE(natsSubscriptions(), 1);  // one tap for the op, shared by the three clients
        m_ops["op-mid"]["status"] = "completed";
        publish("pm", "op-mid", "op.completed");
        QTRY_VERIFY_WITH_TIMEOUT(all.closed() && header.closed() && query.closed(), 10000);
        allGone();
    }

    void replayAfterTheOpEnded()
    {
        std::vector<uint64_t> ids = runningOp("op-end", "pe", 4);
        ids.push_back(publish("pe", "op-end", "op.failed", {{"error", {{"code", "boom"}}}}));
        m_ops["op-end"]["status"] = "failed";

        SseTestClient& fresh = client("/api/ops/op-end/events");
        SseTestClient& mid = client("/api/ops/op-end/events", QByteArray::number(qulonglong(ids[2])));
        SseTestClient& done = client("/api/ops/op-end/events", QByteArray::number(qulonglong(ids.back())));
        QTRY_VERIFY_WITH_TIMEOUT(fresh.closed() && mid.closed() && done.closed(), 10000);
        QCOMPARE(fresh.ids(), ids);
        QCOMPARE(mid.ids(), std::vector<uint64_t>(ids.begin() + 3, ids.end()));
        QVERIFY(done.ids().empty());
        QCOMPARE(done.frames().size(), size_t(1));
        QCOMPARE(done.frames().front().event, std::string("op.bootstrap"));
        QCOMPARE(mid.frames().back().event, std::string("op.failed"));
        allGone();
    }

    void idOlderThanRetentionGivesBootstrapThenLive()
    {
        runningOp("op-old", "po", 3);
        jsErrCode jerr = static_cast<jsErrCode>(0);
        QCOMPARE(js_PurgeStream(m_backend->client().jetStream(), "PAAS_EVENTS", nullptr, &jerr), NATS_OK);
        SseTestClient& c = client("/api/ops/op-old/events", "1");
        QTRY_COMPARE_WITH_TIMEOUT(c.frames().size(), size_t(1), 10000);
        QCOMPARE(c.frames().front().event, std::string("op.bootstrap"));
        QTest::qWait(200);
        const uint64_t live = publish("po", "op-old", "step.log");
        QTRY_COMPARE_WITH_TIMEOUT(c.ids(), std::vector<uint64_t>{live}, 10000);
    }

    void heartbeatsArrive()
    {
        SseHubOptions o;
        o.heartbeatMs = 100;
        startHub(o);
        setOp("op-hb", "ph", "running");
        SseTestClient& op = client("/api/ops/op-hb/events");
        SseTestClient& feed = client("/api/events");
        QTRY_VERIFY_WITH_TIMEOUT(op.framesOf("op.heartbeat").size() >= 3, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(feed.framesOf("op.heartbeat").size() >= 3, 10000);
        const auto hb = op.framesOf("op.heartbeat").front();
        QCOMPARE(hb.id, uint64_t(0));  // never moves the client's Last-Event-ID
        QCOMPARE(str(hb.json()["op_id"]), std::string("op-hb"));
        QVERIFY(hb.json().contains("at"));
    }

    void globalFeedFiltersAndReplays()
    {
        SseTestClient& lifecycle = client("/api/events");
        SseTestClient& logs = client("/api/events?logs=1");
        SseTestClient& onlyB = client("/api/events?project_id=gb");
        QTRY_VERIFY_WITH_TIMEOUT(lifecycle.socket().state() == QAbstractSocket::ConnectedState, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(counter("sse_feed_clients"), 3, 10000);
        QTest::qWait(100);
        const uint64_t a1 = publish("ga", "op-ga", "op.status", {{"status", "running"}});
        const uint64_t a2 = publish("ga", "op-ga", "step.log", {{"line", "x"}});
        const uint64_t b1 = publish("gb", "op-gb", "op.status", {{"status", "running"}});
        const uint64_t a3 = publish("ga", "op-ga", "op.completed");
        QTRY_COMPARE_WITH_TIMEOUT(lifecycle.ids(), (std::vector<uint64_t>{a1, b1, a3}), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(logs.ids(), (std::vector<uint64_t>{a1, a2, b1, a3}), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(onlyB.ids(), (std::vector<uint64_t>{b1}), 10000);
        QVERIFY(!lifecycle.closed());  // the feed never ends
        QCOMPARE(natsSubscriptions(), 1);

        SseTestClient& resumed = client("/api/events", QByteArray::number(qulonglong(a1)));
        QTRY_COMPARE_WITH_TIMEOUT(resumed.ids(), (std::vector<uint64_t>{b1, a3}), 10000);
    }

    void twoHundredClientsOnOneOpGetEveryEvent()
    {
        setOp("op-200", "p2", "running");
        std::vector<SseTestClient*> cs;
        for (int i = 0; i < 200; ++i)
            cs.push_back(&client("/api/ops/op-200/events"));
        QTRY_COMPARE_WITH_TIMEOUT(counter("sse_op_clients"), 200, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(cs.begin(), cs.end(), [](auto* c) { return !c->frames().empty(); }),
                                 30000);
        QCOMPARE(natsSubscriptions(), 1);
        std::vector<uint64_t> expected;
        for (int i = 0; i < 30; ++i)
            expected.push_back(publish("p2", "op-200", "step.log", {{"line", std::to_string(i)}}));
        expected.push_back(publish("p2", "op-200", "op.completed"));
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(cs.begin(), cs.end(), [](auto* c) { return c->closed(); }), 30000);
        for (SseTestClient* c : cs)
            QCOMPARE(c->ids(), expected);
        allGone();
    }

    void connectDisconnectCyclesLeakNothing()
    {
        setOp("op-cyc", "pc", "running");
        publish("pc", "op-cyc", "op.status");
        for (int i = 0; i < 1000; ++i) {
            auto c = std::make_unique<SseTestClient>(m_port, i % 2 ? "/api/ops/op-cyc/events" : "/api/events");
            c->start();
            if (i % 10 == 0)  // some leave after the response head, most at once
                QVERIFY(waitFor([&] { return c->status() == 200; }));
            else
                QVERIFY(waitFor([&] { return c->socket().state() == QAbstractSocket::ConnectedState; }));
            c->abort();
            if (i % 100 == 0)
                QCoreApplication::processEvents();
        }
        allGone();
        qInfo("after the cycles: %s", m_hub->counters().dump().c_str());
        QVERIFY(m_hub->counters()["sse_accepted_total"].get<int>() >= 100);
        QCOMPARE(m_hub->counters()["sse_accepted_total"], m_hub->counters()["sse_closed_total"]);
        // what /api/system shows (ApiContext::debugCounters = SseHub::processCounters)
        const nlohmann::json process = SseHub::processCounters();
        QCOMPARE(process["sse_hubs"].get<int>(), 1);
        QCOMPARE(process["sse_clients"].get<int>(), 0);
        QCOMPARE(process["event_log"]["nats_subscriptions"].get<int>(), 0);
        QCOMPARE(process["sse_accepted_total"], m_hub->counters()["sse_accepted_total"]);
        // still healthy
        SseTestClient& c = client("/api/ops/op-cyc/events");
        QTRY_COMPARE_WITH_TIMEOUT(c.ids().size(), size_t(1), 10000);
    }

    // Abandoned replays are cancelled: clients that leave while their replay
    // waits in the pool (or runs) cost no more NATS work, and a new client's
    // replay is not queued behind theirs (the issue 10 flake). Counted in
    // replayed events, not in time, so a loaded machine cannot flip it.
    void abandonedReplaysAreCancelled()
    {
        const int events = 2000, leavers = 40;
        const std::vector<uint64_t> ids = runningOp("op-aband", "pab", events);
        const uint64_t replayedBefore = m_hub->counters()["event_log"]["replayed_events"].get<uint64_t>();
        std::vector<std::unique_ptr<SseTestClient>> gone;
        for (int i = 0; i < leavers; ++i) {
            gone.push_back(std::make_unique<SseTestClient>(m_port, "/api/ops/op-aband/events"));
            gone.back()->start();
        }
        QVERIFY(
            waitFor([&] { return std::all_of(gone.begin(), gone.end(), [](auto& c) { return !c->frames().empty(); }); },
                    30000));
        for (auto& c : gone)
            c->abort();
        QTRY_COMPARE_WITH_TIMEOUT(counter("sse_clients"), 0, 20000);
        SseTestClient& fresh = client("/api/ops/op-aband/events");
        QTRY_COMPARE_WITH_TIMEOUT(fresh.ids().size(), size_t(events), 30000);
        QCOMPARE(fresh.ids(), ids);
        const nlohmann::json counters = m_hub->counters();
        qInfo("after %d abandoned replays: %s", leavers, counters.dump().c_str());
        QVERIFY(counters["sse_replays_cancelled_total"].get<uint64_t>() >= 1);
        // Without cancellation every leaver replays all its events (40 x 2000).
        const uint64_t replayed = counters["event_log"]["replayed_events"].get<uint64_t>() - replayedBefore;
        QVERIFY2(replayed < uint64_t(events) * leavers / 2, std::to_string(replayed).c_str());
        fresh.abort();
        allGone();
    }

    void clientKilledMidStreamDoesNotCrash()
    {
        setOp("op-kill", "pk", "running");
        const QString url = QStringLiteral("http://127.0.0.1:%1/api/ops/op-kill/events").arg(m_port);
        std::vector<std::unique_ptr<QProcess>> curls;
        for (int i = 0; i < 5; ++i) {
            curls.push_back(std::make_unique<QProcess>());
            curls.back()->start(QStringLiteral("curl"), {"-sN", url});
            QVERIFY(curls.back()->waitForStarted());
        }
        std::vector<SseTestClient*> inproc;
        for (int i = 0; i < 20; ++i)
            inproc.push_back(&client("/api/ops/op-kill/events"));
        QTRY_COMPARE_WITH_TIMEOUT(counter("sse_op_clients"), 25, 20000);
        const std::string big(16 * 1024, 'x');
        for (int i = 0; i < 200; ++i) {
            publish("pk", "op-kill", "step.log", {{"line", big}});
            if (i == 50)
                for (auto& p : curls)
                    p->kill();  // SIGKILL, and only while it runs: kill(0, ...) would hit our own process group
            if (i % 10 == 5)
                inproc[static_cast<size_t>(i / 10)]->abort();
            if (i % 20 == 0)
                QCoreApplication::processEvents();
        }
        for (auto& p : curls)
            p->waitForFinished(5000);
        QTRY_COMPARE_WITH_TIMEOUT(counter("sse_op_clients"), 0, 30000);  // every survivor was aborted
        SseTestClient& after = client("/api/ops/op-kill/events");
        QTRY_COMPARE_WITH_TIMEOUT(after.ids().size(), size_t(200), 20000);
    }

    void stalledReaderIsDropped()
    {
        SseHubOptions o;
        o.stallBytes = 64 * 1024;
        o.stallMs = 500;
        startHub(o);
        setOp("op-stall", "ps", "running");
        SseTestClient& slow = client("/api/ops/op-stall/events");
        SseTestClient& fast = client("/api/ops/op-stall/events");
        QTRY_VERIFY_WITH_TIMEOUT(!slow.frames().empty() && !fast.frames().empty(), 10000);
        slow.stopReading();
        const std::string big(64 * 1024, 'y');
        for (int i = 0; i < 300 && counter("sse_dropped_stalled_total") == 0; ++i) {
            publish("ps", "op-stall", "step.log", {{"line", big}});
            QTest::qWait(10);
        }
        QTRY_COMPARE_WITH_TIMEOUT(counter("sse_dropped_stalled_total"), 1, 30000);
        QCOMPARE(counter("sse_op_clients"), 1);  // the reading client stays
        QVERIFY(!fast.closed());
    }

    void clientLimitAnswers503WithRetryAfter()
    {
        SseHubOptions o;
        o.maxClients = 3;
        startHub(o);
        setOp("op-lim", "pl", "running");
        for (int i = 0; i < 3; ++i)
            client("/api/ops/op-lim/events");
        QTRY_COMPARE_WITH_TIMEOUT(counter("sse_clients"), 3, 10000);
        SseTestClient& extra = client("/api/events");
        QTRY_COMPARE_WITH_TIMEOUT(extra.status(), 503, 10000);
        QVERIFY(extra.head().toLower().contains("retry-after: 5"));
        QCOMPARE(counter("sse_rejected_busy_total"), 1);
    }
};

QTEST_GUILESS_MAIN(TestSseHub)
#include "tst_ssehub.moc"
