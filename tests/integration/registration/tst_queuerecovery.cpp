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
        PaasProcess app;   // its own supervised nats-server, on a store dir the test knows
        app.env().insert("PAAS_NATS_STORE_DIR", m_store.path());
        QVERIFY2(app.start(), app.output().constData());
        const std::string id = "legacy-queue";
        const HttpResult created = app.post("/api/events/registration", regEvent("create", appSpec(id)));
        QCOMPARE(app.waitForOp(opIdOf(created)).value("status", ""), std::string("completed"));
        const HttpResult updated = app.post("/api/events/registration",
                                            regEvent("update", appSpec(id, "static", {{"LOG_LEVEL", "debug"}}), id));
        const std::string templateOp = opIdOf(updated);
        QCOMPARE(app.waitForOp(templateOp).value("status", ""), std::string("completed"));
        QVERIFY(app.stop());

        // Between the runs: what the previous version (or a crash) left,
        // written through a nats-server of the test's on the same store.
        const QString url = startNats();
        QVERIFY(!url.isEmpty());
        Result<std::unique_ptr<NatsClient>> client = NatsClient::connect(url.toStdString(), 5000);
        QVERIFY2(client, client.status().message().c_str());
        Result<std::unique_ptr<KvStore>> ops = (*client)->openBucket("paas_ops");
        Result<std::unique_ptr<KvStore>> projects = (*client)->openBucket("paas_projects");
        QVERIFY(ops && projects);
        const json tmpl = stored(**ops, templateOp);
        if (!tmpl.is_object())
            qInfo() << "no template op" << templateOp.c_str() << (*ops)->get(templateOp).status().message().c_str();
        QVERIFY2(tmpl.is_object() && tmpl["steps"].size() > 0, tmpl.dump().c_str());
        const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-5);
        const std::string legacyA = newOpId(), legacyB = newOpId(), lost = newOpId();
        for (const std::string& op : {legacyA, legacyB, lost})
            QVERIFY((*ops)->put(op, queuedCopy(tmpl, op, before).dump()));
        json project = stored(**projects, id);
        QVERIFY(project.is_object() && !project.contains("queue"));
        project["queue"] = {legacyA, legacyB};
        QVERIFY((*projects)->put(id, project.dump()));
        ops->reset();
        projects->reset();
        client->reset();
        QVERIFY(stopNats());

        // The next version starts on that store.
        QVERIFY2(app.start(), app.output().constData());
        for (const std::string& op : {legacyA, legacyB, lost}) {
            const json done = app.waitForOp(op, 60000);
            if (done.value("status", "") != "completed")
                qInfo().noquote() << "app output:\n" << app.output();
            QVERIFY2(done.value("status", "") == "completed", done.dump().c_str());
        }
        QVERIFY2(app.output().contains("moved the queue of project legacy-queue"), app.output().constData());
        QVERIFY2(app.output().contains(QByteArray("was in no queue; queued again")), app.output().constData());
        // One at a time, in order: the listed ops first, then the lost one.
        const auto startedAt = [&](const std::string& op) { return app.get("/api/ops/" + QString::fromStdString(op)).json().value("started_at", ""); };
        const auto finishedAt = [&](const std::string& op) { return app.get("/api/ops/" + QString::fromStdString(op)).json().value("finished_at", ""); };
        QVERIFY(finishedAt(legacyA) <= startedAt(legacyB));
        QVERIFY(finishedAt(legacyB) <= startedAt(lost));
        const json projectView = app.get(projectPath(id)).json();
        QCOMPARE(projectView.value("queue_length", -1), 0);

        // A further restart runs nothing again.
        const std::string finished = finishedAt(lost);
        QVERIFY(app.stop());
        QVERIFY2(app.start(), app.output().constData());
        QVERIFY(waitFor([&] { return app.get(projectPath(id)).json().value("status", "") == "ready"; }, 30000));
        QTest::qWait(1000);
        QCOMPARE(finishedAt(lost), finished);
        QVERIFY2(!app.output().contains("queued again"), app.output().constData());
        QVERIFY(app.stop());

        // The record was rewritten without the list.
        QVERIFY(!startNats().isEmpty());
        Result<std::unique_ptr<NatsClient>> after = NatsClient::connect(m_url.toStdString(), 5000);
        QVERIFY(after);
        Result<std::unique_ptr<KvStore>> rewritten = (*after)->openBucket("paas_projects");
        QVERIFY(rewritten);
        const json record = stored(**rewritten, id);
        QVERIFY2(record.is_object() && !record.contains("queue"), record.dump().c_str());
        rewritten->reset();
        after->reset();
        QVERIFY(stopNats());
    }

private:
    // A nats-server on the app's store (the app is stopped meanwhile); the
    // app keeps JetStream in <PAAS_NATS_STORE_DIR>/jetstream.
    QString startNats()
    {
        m_nats.setProcessChannelMode(QProcess::MergedChannels);
        m_nats.start("nats-server", {"-js", "-a", "127.0.0.1", "-p", QString::number(freePort()), "-sd", m_store.path() + "/jetstream"});
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
