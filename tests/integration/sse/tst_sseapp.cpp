// The SSE endpoints of the real `paas` binary, driven through the
// registration API: the full event sequence of a real op, Last-Event-ID
// replay after the op ended and after an app restart, heartbeats at a short
// PAAS_SSE_HEARTBEAT_MS, 404 for an unknown op, connect/disconnect cycles
// counted through /api/system, and curl clients killed mid-stream.
#include "tests/integration/sse/ssetestclient.h"
#include "tests/support/paasprocess.h"

#include <QDir>
#include <QProcess>
#include <QUrl>
#include <QtTest>

#include <csignal>
#include <memory>

using namespace paas::test;

namespace {

nlohmann::json registration(const std::string& name)
{
    return {{"action", "create"},
            {"spec",
             {{"apiVersion", "platform.example.com/v2"},
              {"kind", "App"},
              {"name", name},
              {"runtime", "static"},
              {"capabilities", {"http"}},
              {"environments", {{"dev", {{"vars", {{"LOG_LEVEL", "info"}}}}}}},
              {"networkPolicies", {{"ingress", "internal"}, {"egress", "internal"}}}}}};
}

template <typename Pred>
bool waitFor(Pred pred, int timeoutMs = 20000)
{
    QElapsedTimer t;
    t.start();
    while (!pred() && t.elapsed() < timeoutMs)
        QTest::qWait(2);
    return pred();
}

quint16 portOf(const PaasProcess& app)
{
    return static_cast<quint16>(QUrl(app.url()).port());
}

int openFds(qint64 pid)
{
    return static_cast<int>(
        QDir(QStringLiteral("/proc/%1/fd").arg(pid)).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size());
}

// What each descriptor points at (socket:[inode], pipe:[..], a path).
QStringList fdTargets(qint64 pid)
{
    const QDir dir(QStringLiteral("/proc/%1/fd").arg(pid));
    QStringList out;
    for (const QFileInfo& fd : dir.entryInfoList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::System))
        out << fd.fileName() + "->" + fd.symLinkTarget();
    return out;
}

bool isTerminal(const std::string& event)
{
    return event == "op.completed" || event == "op.failed";
}

}  // namespace

class TestSseApp : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_root;
    std::unique_ptr<PaasProcess> m_app;
    std::string m_opId;
    std::vector<uint64_t> m_ids;  // every event id of m_opId, in order
    std::vector<std::string> m_types;

    void startApp()
    {
        m_app = std::make_unique<PaasProcess>(m_root->path());
        m_app->env().insert("PAAS_SSE_HEARTBEAT_MS", "150");
        QVERIFY2(m_app->start(), m_app->output().constData());
    }
    std::unique_ptr<SseTestClient> stream(const QByteArray& path, const QByteArray& lastEventId = {})
    {
        auto c = std::make_unique<SseTestClient>(portOf(*m_app), path, lastEventId);
        c->start();
        return c;
    }
    // The SSE counters in /api/system: top level of "counters", or under "sse".
    nlohmann::json counters() const
    {
        const nlohmann::json all = m_app->get("/api/system").json().value("counters", nlohmann::json());
        return all.is_object() && all.contains("sse") ? all["sse"] : all;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_root = std::make_unique<QTemporaryDir>();
        QVERIFY(m_root->isValid());
        startApp();
    }
    void cleanupTestCase()
    {
        if (m_app)
            m_app->stop();
    }

    void unknownOpIs404()
    {
        HttpResult r = m_app->get("/api/ops/no-such-op/events");
        QCOMPARE(r.status, 404);
        QVERIFY(r.json().contains("error"));
    }

    void fullSequenceOfARealOp()
    {
        HttpResult accepted = m_app->post("/api/events/registration", registration("sse-app"));
        QVERIFY2(accepted.status == 202, accepted.body.constData());
        m_opId = accepted.json()["op"]["id"].get<std::string>();
        auto c = stream(QByteArray("/api/ops/") + m_opId.c_str() + "/events");
        QVERIFY2(waitFor([&] { return c->closed(); }, 120000), "the stream ends after the terminal event");
        QCOMPARE(c->status(), 200);
        QVERIFY(c->frames().size() >= 3);
        QCOMPARE(c->frames().front().event, std::string("op.bootstrap"));
        QVERIFY(c->frames().front().retry > 0);
        QCOMPARE(c->frames().front().json()["op"]["id"].get<std::string>(), m_opId);
        uint64_t previous = 0;
        for (const SseTestFrame& f : c->frames()) {
            if (!f.id)
                continue;
            QVERIFY2(f.id > previous, "ids strictly increase");
            previous = f.id;
            const nlohmann::json data = f.json();
            for (const char* key : {"op_id", "project_id", "type", "at"})
                QVERIFY2(data.contains(key), key);
            QCOMPARE(data["type"].get<std::string>(), f.event);
            QCOMPARE(data["op_id"].get<std::string>(), m_opId);
            m_ids.push_back(f.id);
            m_types.push_back(f.event);
        }
        QVERIFY(isTerminal(m_types.back()));
        QVERIFY(std::find(m_types.begin(), m_types.end(), "step.started") != m_types.end());
        QVERIFY(std::find(m_types.begin(), m_types.end(), "step.completed") != m_types.end());
        QCOMPARE(m_app->waitForOp(m_opId)["status"].get<std::string>(),
                 m_types.back() == "op.completed" ? std::string("completed") : std::string("failed"));
    }

    void lastEventIdAfterTheEnd()
    {
        QVERIFY(m_ids.size() >= 4);
        const QByteArray path = QByteArray("/api/ops/") + m_opId.c_str() + "/events";
        auto mid = stream(path, QByteArray::number(qulonglong(m_ids[2])));
        auto query = stream(path + "?lastEventId=" + QByteArray::number(qulonglong(m_ids[1])));
        auto last = stream(path, QByteArray::number(qulonglong(m_ids.back())));
        QVERIFY(waitFor([&] { return mid->closed() && query->closed() && last->closed(); }));
        QCOMPARE(mid->ids(), std::vector<uint64_t>(m_ids.begin() + 3, m_ids.end()));
        QCOMPARE(query->ids(), std::vector<uint64_t>(m_ids.begin() + 2, m_ids.end()));
        QVERIFY(last->ids().empty());
        QCOMPARE(last->frames().front().event, std::string("op.bootstrap"));
    }

    void heartbeatsAtTheConfiguredInterval()
    {
        auto feed = stream("/api/events");
        QVERIFY(waitFor([&] { return feed->framesOf("op.heartbeat").size() >= 3; }));
        const auto beats = feed->framesOf("op.heartbeat");
        QVERIFY(beats[2].receivedAtMs > beats[0].receivedAtMs);  // periodic, not one burst
        QCOMPARE(beats[0].id, uint64_t(0));
    }

    void connectDisconnectCyclesLeaveNothing()
    {
        const QByteArray path = QByteArray("/api/ops/") + m_opId.c_str() + "/events";
        const int fdsBefore = openFds(m_app->pid());
        const QStringList targetsBefore = fdTargets(m_app->pid());
        QVERIFY(fdsBefore > 0);
        for (int i = 0; i < 1000; ++i) {
            auto c = stream(i % 2 ? path : QByteArray("/api/events?logs=1"));
            // everConnected: a stream of an ended op may be answered and closed
            // within one event-loop pass, before ConnectedState is ever seen.
            QVERIFY(waitFor([&] { return c->everConnected(); }));
            if (i % 10 == 0)
                QVERIFY(waitFor([&] { return c->status() == 200; }));
            c->abort();
        }
        // no leaked sockets: the app's descriptors come back to where they were
        int fdsAfter = 0;
        QVERIFY2(waitFor([&] { return (fdsAfter = openFds(m_app->pid())) <= fdsBefore + 2; }),
                 qPrintable(QStringLiteral("fds before %1, after %2; before: %3; after: %4")
                                .arg(fdsBefore)
                                .arg(fdsAfter)
                                .arg(targetsBefore.join(' '), fdTargets(m_app->pid()).join(' '))));
        nlohmann::json after;
        QVERIFY2(waitFor([&] {
                     after = counters();
                     return after.is_object() && after.value("sse_clients", -1) == 0 && after.contains("event_log") &&
                            after["event_log"].value("nats_subscriptions", -1) == 0;
                 }),
                 ("SSE counters in /api/system (ApiContext::debugCounters = SseHub::processCounters): " + after.dump())
                     .c_str());
        QVERIFY(after.value("sse_accepted_total", 0) >= 100);
        QCOMPARE(m_app->get("/healthz").status, 200);
    }

    void killedClientsDoNotCrashTheServer()
    {
        HttpResult accepted = m_app->post("/api/events/registration", registration("sse-kill"));
        QCOMPARE(accepted.status, 202);
        const std::string op = accepted.json()["op"]["id"].get<std::string>();
        std::vector<std::unique_ptr<QProcess>> curls;
        for (const QString& path :
             {QString("/api/events?logs=1"), QString::fromStdString("/api/ops/" + op + "/events")}) {
            for (int i = 0; i < 4; ++i) {
                curls.push_back(std::make_unique<QProcess>());
                curls.back()->start(QStringLiteral("curl"), {"-sN", m_app->url() + path});
                QVERIFY(curls.back()->waitForStarted());
            }
        }
        QTest::qWait(300);
        for (auto& p : curls)
            p->kill();  // SIGKILL, and only while it runs: kill(0, ...) would hit our own process group
        for (auto& p : curls)
            p->waitForFinished(5000);
        m_app->waitForOp(op);
        QCOMPARE(m_app->get("/healthz").status, 200);
        QCOMPARE(m_app->process().state(), QProcess::Running);
        auto c = stream(QByteArray("/api/ops/") + op.c_str() + "/events");
        QVERIFY(waitFor([&] { return c->closed(); }));
        QVERIFY(!c->ids().empty());
    }

    // Last: restarts the app on the same store.
    void replayAfterAnAppRestart()
    {
        QVERIFY(m_ids.size() >= 4);
        QVERIFY(m_app->stop());
        startApp();
        const QByteArray path = QByteArray("/api/ops/") + m_opId.c_str() + "/events";
        auto resumed = stream(path, QByteArray::number(qulonglong(m_ids[1])));
        QVERIFY(waitFor([&] { return resumed->closed(); }));
        QCOMPARE(resumed->frames().front().event, std::string("op.bootstrap"));
        QCOMPARE(resumed->ids(), std::vector<uint64_t>(m_ids.begin() + 2, m_ids.end()));
        std::vector<std::string> types;
        for (const SseTestFrame& f : resumed->frames())
            if (f.id)
                types.push_back(f.event);
        QCOMPARE(types, std::vector<std::string>(m_types.begin() + 2, m_types.end()));
    }
};

QTEST_GUILESS_MAIN(TestSseApp)
#include "tst_sseapp.moc"
