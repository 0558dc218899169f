// Issue 10, items 2 and 3: faults injected into the real nats-server child of
// a real `paas --headless`. A stopped (SIGSTOP) backend must not hold the
// API; a killed (SIGKILL) one, under load, must lose nothing that was
// accepted.
#include "regsupport.h"

#include <QTcpSocket>

#include <csignal>

using namespace paas::test;
using namespace paas::test::reg;

namespace {

// The client bound on every request made while the backend hangs: a
// request held longer than this is the bug (it was 15 s).
constexpr int kAnswerBoundMs = 5000;

// A raw SSE reader that only counts what arrives (heartbeats included).
class SseCounter {
public:
    SseCounter(const PaasProcess& app, const QByteArray& path)
    {
        const QUrl url(app.url());
        QObject::connect(&m_socket, &QTcpSocket::readyRead, [this] {
            const QByteArray data = m_socket.readAll();
            m_bytes += data.size();
            m_frames += data.count("\n\n");
        });
        m_socket.connectToHost(QStringLiteral("127.0.0.1"), static_cast<quint16>(url.port()));
        m_socket.waitForConnected(5000);
        m_socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(url.port()) +
                       "\r\nAccept: text/event-stream\r\n\r\n");
    }
    qint64 bytes() const { return m_bytes; }
    int frames() const { return m_frames; }
    bool connected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }

private:
    QTcpSocket m_socket;
    qint64 m_bytes = 0;
    int m_frames = 0;
};

struct Timed {
    HttpResult result;
    qint64 ms = 0;
};

Timed timed(const QByteArray& method, const PaasProcess& app, const QString& path, const nlohmann::json& body = {})
{
    QElapsedTimer t;
    t.start();
    Timed out;
    out.result = http(method, app.url() + path, body.is_null() ? QByteArray() : QByteArray::fromStdString(body.dump()),
                      {{"Content-Type", "application/json"}}, kAnswerBoundMs);
    out.ms = t.elapsed();
    return out;
}

}  // namespace

class TestBackendFaults : public QObject {
    Q_OBJECT

private slots:
    void stoppedBackendNeverHoldsTheApi()
    {
        PaasProcess app;
        app.env().insert("PAAS_SSE_HEARTBEAT_MS", "250");
        QVERIFY2(app.start(), app.output().constData());
        const std::string id = "steady";
        const nlohmann::json created =
            app.waitForOp(opIdOf(app.post("/api/events/registration", regEvent("create", appSpec(id)))));
        QVERIFY2(created["status"] == "completed", describe(created).constData());

        // Accepted just before the hang: it must complete after SIGCONT.
        std::vector<std::string> accepted{
            opIdOf(app.post("/api/events/registration", regEvent("update", appSpec(id, "static", {{"V", "0"}}), id)))};
        QVERIFY(!accepted.back().empty());
        SseCounter sse(app, "/api/events?project_id=" + QByteArray::fromStdString(id));
        QVERIFY(waitFor([&] { return sse.bytes() > 0; }, 5000));

        const qint64 nats = app.natsPid();
        QVERIFY(nats > 0);
        QCOMPARE(::kill(static_cast<pid_t>(nats), SIGSTOP), 0);
        QElapsedTimer hang;
        hang.start();
        const qint64 sseBytesAtStop = sse.bytes();
        const int sseFramesAtStop = sse.frames();
        qint64 worstRead = 0, worstWrite = 0, worstSseOpen = 0;
        int refused = 0, degraded = 0, sseRefused = 0;
        int round = 0;
        while (hang.elapsed() < 10000) {
            const Timed health = timed("GET", app, "/healthz");
            const Timed project = timed("GET", app, projectPath(id));
            const Timed list = timed("GET", app, "/api/projects");
            const Timed op = timed("GET", app, "/api/ops/" + QString::fromStdString(accepted.front()));
            // A new SSE stream of a finished op (it ends after its replay):
            // its live side needs no server call (one shared consumer), its
            // replay does. Within the bound it is refused (503), or served
            // from the view: the op's snapshot, then the end of the stream
            // when the replay gives up; never held.
            const Timed events =
                timed("GET", app, "/api/ops/" + QString::fromStdString(created.value("id", "")) + "/events");
            QVERIFY2(events.result.status == 503 ||
                         (events.result.status == 200 && events.result.body.contains("\"status\":\"completed\"")),
                     events.result.body.constData());
            worstSseOpen = std::max(worstSseOpen, events.ms);
            sseRefused += events.result.status == 503 ? 1 : 0;
            for (const Timed* read : {&health, &project, &list, &op}) {
                QVERIFY2(read->result.status != 0, "a read was held past the bound while NATS hung");
                worstRead = std::max(worstRead, read->ms);
            }
            QCOMPARE(project.result.status, 200);
            QCOMPARE(list.result.status, 200);
            QCOMPARE(op.result.status, 200);
            degraded += health.result.status == 503 ? 1 : 0;
            const Timed update = timed("POST", app, "/api/events/registration",
                                       regEvent("update", appSpec(id, "static", {{"V", std::to_string(++round)}}), id));
            const Timed hook = timed("POST", app, "/api/webhooks/source", {{"project_id", id}, {"branch", "main"}});
            for (const Timed* write : {&update, &hook}) {
                QVERIFY2(write->result.status != 0, "a write was held past the bound while NATS hung");
                worstWrite = std::max(worstWrite, write->ms);
                if (write->result.status == 202) {
                    accepted.push_back(opIdOf(write->result));  // raced the probe: must still complete
                    continue;
                }
                if (write->result.status == 200)
                    continue;  // a webhook for a commit already seen
                QCOMPARE(write->result.status, 503);
                QCOMPARE(write->result.json()["error"]["code"], "backend_unavailable");
                QVERIFY(!write->result.header("Retry-After").isEmpty());
                ++refused;
            }
            QTest::qWait(200);
        }
        QVERIFY2(sse.connected(), "the SSE client was dropped while NATS hung");
        const qint64 sseBytes = sse.bytes() - sseBytesAtStop;
        const int heartbeats = sse.frames() - sseFramesAtStop;
        QCOMPARE(::kill(static_cast<pid_t>(nats), SIGCONT), 0);
        qInfo(
            "backend stopped 10 s: worst read %lld ms, worst write %lld ms, %d writes refused 503, "
            "%d health checks degraded, SSE kept %d frames (%lld bytes); new SSE streams: worst %lld ms, "
            "%d refused 503",
            worstRead, worstWrite, refused, degraded, heartbeats, sseBytes, worstSseOpen, sseRefused);
        QVERIFY2(refused > 0, "no write was refused while the backend hung");
        QVERIFY2(degraded > 0, "healthz never reported the hung backend");
        QVERIFY2(heartbeats >= 10, "SSE heartbeats stopped while NATS hung");

        for (const std::string& opId : accepted) {
            const nlohmann::json op = app.waitForOp(opId, 120000);
            QVERIFY2(op["status"] == "completed", describe(op).constData());
        }
        QVERIFY(waitFor([&] { return app.get("/healthz").status == 200; }, 10000));
        const HttpResult after =
            app.post("/api/events/registration", regEvent("update", appSpec(id, "static", {{"V", "end"}}), id));
        QCOMPARE(after.status, 202);
        QCOMPARE(app.waitForOp(opIdOf(after))["status"], "completed");
        QVERIFY(app.stop());
    }

    void killedBackendUnderLoadLosesNothing()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        const std::vector<std::string> steady{"load-a", "load-b"};
        for (const std::string& id : steady)
            QCOMPARE(
                app.waitForOp(opIdOf(app.post("/api/events/registration", regEvent("create", appSpec(id)))))["status"],
                "completed");
        const qint64 firstNats = app.natsPid();
        std::vector<std::string> accepted, createdIds;
        int sent = 0, unavailable = 0;
        bool killed = false;
        QElapsedTimer load;
        load.start();
        // About 50 requests/s for 12 s: creates, updates and webhooks; the
        // nats-server child is killed with SIGKILL at 4 s.
        while (load.elapsed() < 12000) {
            if (!killed && load.elapsed() > 4000) {
                QCOMPARE(::kill(static_cast<pid_t>(firstNats), SIGKILL), 0);
                killed = true;
            }
            HttpResult r;
            const int kind = sent % 5;
            if (kind == 0) {
                const std::string id = "burst-" + std::to_string(sent);
                r = app.post("/api/events/registration", regEvent("create", appSpec(id)));
                if (r.status == 202)
                    createdIds.push_back(id);
            } else if (kind == 4) {
                r = app.post("/api/webhooks/source", {{"project_id", steady[sent % 2]}, {"branch", "main"}});
            } else {
                const std::string& id = steady[sent % 2];
                r = app.post("/api/events/registration",
                             regEvent("update", appSpec(id, "static", {{"N", std::to_string(sent)}}), id));
            }
            ++sent;
            if (r.status == 202)
                accepted.push_back(opIdOf(r));
            else if (r.status == 503)
                ++unavailable;
            else
                QVERIFY2(r.status == 200, r.body.constData());                                // a duplicate webhook
            QTest::qWait(static_cast<int>(std::max<qint64>(0, sent * 20 - load.elapsed())));  // 50/s
        }
        QVERIFY(waitFor([&] { return app.get("/healthz").status == 200; }, 30000));
        const qint64 secondNats = app.get("/api/system").json()["nats"].value("pid", qint64(0));
        QVERIFY2(secondNats > 0 && secondNats != firstNats, "the app did not restart its nats-server");
        int completed = 0, failed = 0;
        for (const std::string& opId : accepted) {
            const nlohmann::json op = app.waitForOp(opId, 180000);
            QVERIFY2(op["status"] == "completed" || op["status"] == "failed", describe(op).constData());
            (op["status"] == "completed" ? completed : failed) += 1;
        }
        // Every create that got a 202 is a project now (an acknowledged write).
        const nlohmann::json list = app.get("/api/projects").json();
        std::set<std::string> listed;
        for (const auto& p : list["projects"])
            listed.insert(p.value("id", ""));
        for (const std::string& id : createdIds)
            QVERIFY2(listed.count(id), id.c_str());
        qInfo(
            "nats-server killed under load: %d requests, %zu accepted (%d completed, %d failed), %d refused 503, "
            "0 lost",
            sent, accepted.size(), completed, failed, unavailable);
        QVERIFY(app.stop());
    }
};

QTEST_MAIN(TestBackendFaults)
#include "tst_backendfaults.moc"
