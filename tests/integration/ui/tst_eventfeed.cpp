// EventFeed + TrayIcon state machine against a real in-test SSE server
// (QTcpServer writing text/event-stream frames over real TCP). Runs under
// QT_QPA_PLATFORM=offscreen, so there is no system tray: the state machine
// and notifications must work without one.
#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QMenu>
#include <QSignalSpy>
#include <QTest>

#include "tests/integration/ui/testhttpserver.h"
#include "ui/eventfeed.h"
#include "ui/runningapps.h"
#include "ui/sseparser.h"
#include "ui/trayicon.h"

using namespace paas;

namespace {
QByteArray json(std::initializer_list<std::pair<const char*, const char*>> fields)
{
    QJsonObject o;
    for (const auto& [k, v] : fields)
        o.insert(QLatin1String(k), QString::fromUtf8(v));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QAction* findAction(QMenu* menu, const QString& name)
{
    return menu->findChild<QAction*>(name, Qt::FindChildrenRecursively);
}
}  // namespace

class TestEventFeed : public QObject {
    Q_OBJECT
private slots:
    void parserHandlesWireFormat();
    void trayFollowsFeed();
    void reconnectSendsLastEventId();
    void snapshotsAndDuplicatesDoNotNotify();
    void runningAppsListEnvironments();
};

void TestEventFeed::parserHandlesWireFormat()
{
    SseParser parser;
    // CRLF split across chunks, a comment, retry, multi-line data, no event: field.
    QList<SseEvent> events = parser.feed(": keep-alive\r\nretry: 250\r");
    QCOMPARE(events.size(), 0);
    QCOMPARE(parser.retryMs(), 250);
    events += parser.feed("\nid: 7\r\nevent: op.status\r\ndata: {\"a\":\r\ndata:1}\r\n");
    QCOMPARE(events.size(), 0);
    events += parser.feed("\r\ndata: plain\n\nid: 8\revent:x\rdata:y\r\r");
    QCOMPARE(events.size(), 3);
    QCOMPARE(events[0].type, QStringLiteral("op.status"));
    QCOMPARE(events[0].id, QStringLiteral("7"));
    QCOMPARE(events[0].data, QStringLiteral("{\"a\":\n1}"));
    QCOMPARE(events[1].type, QStringLiteral("message"));
    QCOMPARE(events[1].data, QStringLiteral("plain"));
    QCOMPARE(events[1].id, QStringLiteral("7"));  // ids are sticky
    QCOMPARE(events[2].type, QStringLiteral("x"));
    QCOMPARE(events[2].data, QStringLiteral("y"));
    QCOMPARE(parser.lastEventId(), QStringLiteral("8"));
    // An event without data is not dispatched; a bad retry is ignored.
    QCOMPARE(parser.feed("event: nothing\nretry: -5\n\n").size(), 0);
    QCOMPARE(parser.retryMs(), 250);
}

void TestEventFeed::trayFollowsFeed()
{
    TestHttpServer server;
    QVERIFY(server.start());
    TrayIcon tray(server.url(), QDir::tempPath());
    QVERIFY(!tray.hasSystemTray());  // offscreen: no tray host
    EventFeed feed(server.url());
    connect(&feed, &EventFeed::opEvent, &tray, &TrayIcon::handleOpEvent);
    QSignalSpy notes(&tray, &TrayIcon::notificationRequested);
    QSignalSpy opens(&tray, &TrayIcon::openOpRequested);
    QCOMPARE(tray.state(), TrayState::Idle);

    feed.start();
    QTRY_COMPARE(server.openStreams(), 1);
    QTRY_VERIFY(feed.isConnected());
    server.sendEvent("1", "op.status",
                     json({{"op_id", "opA"},
                           {"project_id", "shop"},
                           {"kind", "create"},
                           {"type", "op.status"},
                           {"status", "running"},
                           {"at", "t1"}}));
    QTRY_COMPARE(tray.runningCount(), 1);
    QCOMPARE(tray.state(), TrayState::Running);
    server.sendEvent(
        "2", "step.started",
        json({{"op_id", "opB"}, {"project_id", "blog"}, {"kind", "ci"}, {"type", "step.started"}, {"at", "t2"}}));
    QTRY_COMPARE(tray.runningCount(), 2);
    QVERIFY(tray.toolTip().contains(QStringLiteral("running (2)")));
    QVERIFY(tray.toolTip().contains(QStringLiteral("opB")));
    server.sendEvent("3", "op.heartbeat", json({{"op_id", "opA"}, {"type", "op.heartbeat"}, {"at", "t3"}}));
    server.sendEvent("4", "op.completed",
                     json({{"op_id", "opA"},
                           {"project_id", "shop"},
                           {"type", "op.completed"},
                           {"status", "succeeded"},
                           {"at", "t4"}}));
    QTRY_COMPARE(tray.runningCount(), 1);
    QCOMPARE(notes.count(), 1);
    QVERIFY(tray.lastNotification().title.contains(QStringLiteral("completed")));
    QVERIFY(!tray.lastNotification().failed);

    // The failure message arrives in the API's error shape.
    server.sendToStreams(
        "id: 5\nevent: op.failed\ndata: {\"op_id\":\"opB\",\"project_id\":\"blog\",\"type\":\"op.failed\","
        "\"status\":\"failed\",\"at\":\"t5\",\"error\":{\"code\":\"build_failed\",\"message\":\"boom\"}}\n\n");
    QTRY_COMPARE(tray.runningCount(), 0);
    QCOMPARE(tray.state(), TrayState::Failed);
    QCOMPARE(notes.count(), 2);
    QVERIFY(notes.last().at(0).toString().contains(QStringLiteral("failed")));
    QVERIFY(notes.last().at(1).toString().contains(QStringLiteral("boom")));
    QVERIFY(tray.lastNotification().failed);
    QCOMPARE(feed.lastEventId(), QStringLiteral("5"));

    // Recent ops in the menu open the window on that op.
    QAction* recentB = findAction(tray.menu(), QStringLiteral("op:opB"));
    QVERIFY(recentB);
    QVERIFY(findAction(tray.menu(), QStringLiteral("op:opA")));
    recentB->trigger();
    QCOMPARE(opens.count(), 1);
    QCOMPARE(opens.first().at(0).toString(), QStringLiteral("opB"));
    for (const char* name : {"open", "copyApiUrl", "openArtifacts", "quit"})
        QVERIFY2(findAction(tray.menu(), QLatin1String(name)), name);
    findAction(tray.menu(), QStringLiteral("copyApiUrl"))->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text(), server.url().toString());
    QSignalSpy quits(&tray, &TrayIcon::quitRequested);
    findAction(tray.menu(), QStringLiteral("quit"))->trigger();
    QCOMPARE(quits.count(), 1);

    tray.acknowledge();  // the user opened the window
    QCOMPARE(tray.state(), TrayState::Idle);
    feed.stop();
}

void TestEventFeed::reconnectSendsLastEventId()
{
    TestHttpServer server;
    QVERIFY(server.start());
    TrayIcon tray(server.url(), QDir::tempPath());
    EventFeed feed(server.url());
    connect(&feed, &EventFeed::opEvent, &tray, &TrayIcon::handleOpEvent);
    QSignalSpy drops(&feed, &EventFeed::disconnected);
    feed.start();
    QTRY_COMPARE(server.openStreams(), 1);
    QVERIFY(!server.streamRequests().first().headers.contains("last-event-id"));
    QCOMPARE(server.streamRequests().first().headers.value("accept"), QByteArray("text/event-stream"));

    server.sendToStreams("retry: 20\n\n");
    server.sendEvent("41", "op.status", json({{"op_id", "opC"}, {"type", "op.status"}, {"status", "queued"}}));
    QTRY_COMPARE(tray.runningCount(), 1);
    server.closeStreams();  // the server goes away mid-op
    QTRY_VERIFY(drops.count() >= 1);
    QTRY_COMPARE(server.streamRequests().size(), 2);
    QCOMPARE(server.streamRequests().at(1).headers.value("last-event-id"), QByteArray("41"));
    QTRY_COMPARE(server.openStreams(), 1);

    // Replay after reconnection continues the same state machine.
    server.sendEvent("42", "op.completed", json({{"op_id", "opC"}, {"type", "op.completed"}, {"status", "succeeded"}}));
    QTRY_COMPARE(tray.runningCount(), 0);
    QCOMPARE(tray.state(), TrayState::Idle);
    QCOMPARE(tray.notificationCount(), 1);
    QCOMPARE(feed.lastEventId(), QStringLiteral("42"));
    QVERIFY(feed.connectionAttempts() >= 2);
    feed.stop();
}

void TestEventFeed::snapshotsAndDuplicatesDoNotNotify()
{
    TrayIcon tray(QUrl(QStringLiteral("http://127.0.0.1:1")), QDir::tempPath());
    QSignalSpy notes(&tray, &TrayIcon::notificationRequested);
    QSignalSpy states(&tray, &TrayIcon::stateChanged);
    auto obj = [](const QByteArray& j) { return QJsonDocument::fromJson(j).object(); };
    // A snapshot of an op that failed yesterday: history, not news.
    tray.handleOpEvent("op.bootstrap", obj(json({{"op_id", "old"}, {"status", "failed"}})));
    QCOMPARE(notes.count(), 0);
    QCOMPARE(tray.state(), TrayState::Idle);
    // A snapshot of a running op counts.
    tray.handleOpEvent("op.bootstrap", obj(json({{"op_id", "live"}, {"status", "running"}})));
    QCOMPARE(tray.runningCount(), 1);
    QCOMPARE(states.count(), 1);
    // op.status=failed then op.failed: one notification.
    tray.handleOpEvent("step.failed", obj(json({{"op_id", "live"}, {"status", "failed"}})));
    QCOMPARE(tray.runningCount(), 1);  // a failed step is not yet a failed op
    tray.handleOpEvent("op.status", obj(json({{"op_id", "live"}, {"status", "failed"}})));
    tray.handleOpEvent("op.failed", obj(json({{"op_id", "live"}, {"status", "failed"}})));
    QCOMPARE(notes.count(), 1);
    QCOMPARE(tray.state(), TrayState::Failed);
    // A late step event does not resurrect a finished op; unknown types and
    // events without op_id are ignored.
    tray.handleOpEvent("step.log", obj(json({{"op_id", "live"}})));
    tray.handleOpEvent("op.unknown", obj(json({{"op_id", "x"}})));
    tray.handleOpEvent("op.status", obj(json({{"status", "running"}})));
    QCOMPARE(tray.runningCount(), 0);
    QCOMPARE(tray.state(), TrayState::Failed);
    // The running icon carries the count and differs from the idle one.
    const QImage idle = TrayIcon::iconFor(TrayState::Idle, 0).pixmap(64, 64).toImage();
    const QImage running = TrayIcon::iconFor(TrayState::Running, 3).pixmap(64, 64).toImage();
    QVERIFY(!idle.isNull());
    QVERIFY(!running.isNull());
    QVERIFY(idle != running);
}

// The tray's Running apps submenu from a real HTTP answer of /api/running.
void TestEventFeed::runningAppsListEnvironments()
{
    TestHttpServer server;
    QVERIFY(server.start());
    server.addRoute(
        "/api/running", "Content-Type: application/json\r\n",
        R"({"environments":[{"project_id":"shop","environment":"dev","url":"http://127.0.0.1:41000","state":"running"},)"
        R"({"project_id":"shop","environment":"staging","url":"http://127.0.0.1:41003","state":"unhealthy"},)"
        R"({"project_id":"blog","environment":"dev","url":"http://127.0.0.1:41006","state":"stopped"}]})");
    TrayIcon tray(server.url(), QStringLiteral("/tmp"));
    QVERIFY(!tray.runningMenu()->isEnabled());
    RunningApps apps(server.url(), tray.runningMenu());
    apps.setApiToken("secret-token-0123456789");
    QSignalSpy refreshed(&apps, &RunningApps::refreshed);
    apps.refresh();
    QVERIFY(refreshed.wait(5000));
    QCOMPARE(apps.count(), 2);  // a stopped environment is not listed
    QVERIFY(tray.runningMenu()->isEnabled());
    QAction* dev = findAction(tray.menu(), QStringLiteral("run:shop/dev"));
    QVERIFY(dev);
    QCOMPARE(dev->text(), QStringLiteral("shop · dev"));
    QAction* staging = findAction(tray.menu(), QStringLiteral("run:shop/staging"));
    QVERIFY(staging);
    QVERIFY(staging->text().contains(QStringLiteral("unhealthy")));
    QVERIFY(!findAction(tray.menu(), QStringLiteral("run:blog/dev")));
    QSignalSpy open(&apps, &RunningApps::openUrlRequested);
    dev->trigger();
    QCOMPARE(open.size(), 1);
    QCOMPARE(open.first().first().toUrl(), QUrl(QStringLiteral("http://127.0.0.1:41000")));
    bool sawToken = false;
    for (const TestHttpServer::Request& r : server.requests())
        sawToken |= r.path == "/api/running" && r.headers.value("authorization") == "Bearer secret-token-0123456789";
    QVERIFY(sawToken);
    apps.show(QJsonArray());  // everything stopped: the menu empties and is disabled
    QVERIFY(!tray.runningMenu()->isEnabled());
    QVERIFY(!findAction(tray.menu(), QStringLiteral("run:shop/dev")));
}

QTEST_MAIN(TestEventFeed)
#include "tst_eventfeed.moc"
