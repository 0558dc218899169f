// Issue 10's two queue rows that were proven only by reading, now by a store
// written by hand between two runs of the real app (the test points the app's
// supervised nats-server at a store dir it knows, and between the runs opens
// that store with a nats-server of its own and the engine's store classes):
//  - a store of the previous version, whose project record held the queue
//    (`queue: [...]`) and whose queue stream has no entry: the restarted app
//    moves the list into the stream, runs the ops, and the record is
//    rewritten without the field;
//  - a crash between an op's record and its queue entry (an op `queued` in no
//    queue): the restarted app queues it again, after the migrated ones, and
//    runs it; a further restart runs nothing twice.
#include "tests/integration/registration/regsupport.h"

#include "engine/model/ids.h"
#include "engine/store/kvstore.h"
#include "engine/store/natsclient.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QTcpServer>

using namespace paas;
using namespace paas::test;
using namespace paas::test::reg;
using nlohmann::json;

namespace {

int freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

// An op record as the previous run would have left it when accepted: a copy
// of a finished op of the same kind, reset to `queued`.
json queuedCopy(json op, const std::string& id, const QDateTime& createdAt)
{
    op["id"] = id;
    op["status"] = "queued";
    op["created_at"] = createdAt.toString(Qt::ISODateWithMs).toStdString();
    op["started_at"] = nullptr;
    op["finished_at"] = nullptr;
    op["error"] = nullptr;
    op["trigger"] = json::object();
    for (json& s : op["steps"]) {
        s["status"] = "pending";
        s["started_at"] = nullptr;
        s["finished_at"] = nullptr;
        s["message"] = "";
        s["outputs"] = json::object();
        s["attempt"] = 0;
    }
    return op;
}

json stored(KvStore& kv, const std::string& key)
{
    Result<KvEntry> e = kv.get(key);
    return e ? json::parse(e->value, nullptr, false) : json();
}

}  // namespace

class TestQueueRecovery : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY2(m_store.isValid(), "no temp dir"); }

    void cleanupTestCase()
    {
        if (m_nats.state() != QProcess::NotRunning) {
            m_nats.kill();
            m_nats.waitForFinished(5000);
        }
    }

    void previousVersionsQueueAndALostEntryBothRun()
    {
        PaasProcess app;  // its own supervised nats-server, on a store dir the test knows
        app.env().insert("PAAS_NATS_STORE_DIR", m_store.path());
        QVERIFY2(app.start(), app.output().constData());
        const HttpResult created = app.post("/api/events/registration", regEvent("create", appSpec(kId)));
        QCOMPARE(app.waitForOp(opIdOf(created)).value("status", ""), std::string("completed"));
        const HttpResult updated = app.post("/api/events/registration",
                                            regEvent("update", appSpec(kId, "static", {{"LOG_LEVEL", "debug"}}), kId));
        QCOMPARE(app.waitForOp(opIdOf(updated)).value("status", ""), std::string("completed"));
        QVERIFY(app.stop());
        const std::vector<std::string> ops = leavePreviousVersionsState(opIdOf(updated));
        QVERIFY(!QTest::currentTestFailed() && ops.size() == 3);

        // The next version starts on that store.
        QVERIFY2(app.start(), app.output().constData());
        for (const std::string& op : ops) {
            const json done = app.waitForOp(op, 60000);
            if (done.value("status", "") != "completed")
                qInfo().noquote() << "app output:\n" << app.output();
            QVERIFY2(done.value("status", "") == "completed", done.dump().c_str());
        }
        QVERIFY2(app.output().contains("moved the queue of project legacy-queue"), app.output().constData());
        QVERIFY2(app.output().contains(QByteArray("was in no queue; queued again")), app.output().constData());
        // One at a time, in order: the listed ops first, then the lost one.
        QVERIFY(opField(app, ops[0], "finished_at") <= opField(app, ops[1], "started_at"));
        QVERIFY(opField(app, ops[1], "finished_at") <= opField(app, ops[2], "started_at"));
        QCOMPARE(app.get(projectPath(kId)).json().value("queue_length", -1), 0);

        // A further restart runs nothing again.
        const std::string finished = opField(app, ops[2], "finished_at");
        QVERIFY(app.stop());
        QVERIFY2(app.start(), app.output().constData());
        QVERIFY(waitFor([&] { return app.get(projectPath(kId)).json().value("status", "") == "ready"; }, 30000));
        QTest::qWait(1000);
        QCOMPARE(opField(app, ops[2], "finished_at"), finished);
        QVERIFY2(!app.output().contains("queued again"), app.output().constData());
        QVERIFY(app.stop());

        // The record was rewritten without the list.
        const json record = storedProject();
        QVERIFY2(record.is_object() && !record.contains("queue"), record.dump().c_str());
    }

private:
    static constexpr const char* kId = "legacy-queue";

    static std::string opField(const PaasProcess& app, const std::string& op, const char* field)
    {
        return app.get("/api/ops/" + QString::fromStdString(op)).json().value(field, "");
    }

    // What the previous version (queue in the record: two ops) and a crash
    // between an op's two writes (one op in no queue) leave, written through
    // a nats-server of the test's on the stopped app's store. Returns the
    // three op ids in the order they must run.
    std::vector<std::string> leavePreviousVersionsState(const std::string& templateOp)
    {
        const QString url = startNats();
        Result<std::unique_ptr<NatsClient>> client = NatsClient::connect(url.toStdString(), 5000);
        if (url.isEmpty() || !client)
            return {};
        Result<std::unique_ptr<KvStore>> ops = (*client)->openBucket("paas_ops");
        Result<std::unique_ptr<KvStore>> projects = (*client)->openBucket("paas_projects");
        const json tmpl = ops ? stored(**ops, templateOp) : json();
        json project = projects ? stored(**projects, kId) : json();
        if (!tmpl.is_object() || tmpl["steps"].empty() || !project.is_object() || project.contains("queue"))
            return {};
        const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-5);
        const std::vector<std::string> ids{newOpId(), newOpId(), newOpId()};
        for (const std::string& op : ids)
            if (!(*ops)->put(op, queuedCopy(tmpl, op, before).dump()))
                return {};
        project["queue"] = {ids[0], ids[1]};
        if (!(*projects)->put(kId, project.dump()))
            return {};
        ops->reset();
        projects->reset();
        client->reset();
        return stopNats() ? ids : std::vector<std::string>{};
    }

    json storedProject()
    {
        const QString url = startNats();
        Result<std::unique_ptr<NatsClient>> client = NatsClient::connect(url.toStdString(), 5000);
        if (url.isEmpty() || !client)
            return {};
        Result<std::unique_ptr<KvStore>> projects = (*client)->openBucket("paas_projects");
        const json record = projects ? stored(**projects, kId) : json();
        if (projects)
            projects->reset();
        client->reset();
        stopNats();
        return record;
    }

    // A nats-server on the app's store (the app is stopped meanwhile); the
    // app keeps JetStream in <PAAS_NATS_STORE_DIR>/jetstream.
    QString startNats()
    {
        m_nats.setProcessChannelMode(QProcess::MergedChannels);
        const QString binary =
            QStandardPaths::findExecutable("nats-server", {"/usr/sbin", "/usr/local/sbin", "/usr/bin"});
        m_nats.start(
            binary.isEmpty() ? QStringLiteral("nats-server") : binary,
            {"-js", "-a", "127.0.0.1", "-p", QString::number(freePort()), "-sd", m_store.path() + "/jetstream"});
        if (!m_nats.waitForStarted(5000))
            return {};
        QByteArray out;
        if (!waitFor([&] { return (out += m_nats.readAll()).contains("Server is ready"); }, 10000))
            return {};
        const QRegularExpression re("Listening for client connections on ([0-9.]+:[0-9]+)");
        const QRegularExpressionMatch m = re.match(QString::fromUtf8(out));
        m_url = m.hasMatch() ? "nats://" + m.captured(1) : QString();
        return m_url;
    }

    bool stopNats()
    {
        m_nats.terminate();
        return m_nats.waitForFinished(10000) && m_nats.exitStatus() == QProcess::NormalExit;
    }

    QTemporaryDir m_store;
    QProcess m_nats;
    QString m_url;
};

QTEST_MAIN(TestQueueRecovery)
#include "tst_queuerecovery.moc"
