// The real system tray: Xvfb + trayer (an XEmbed tray host) + the xcb
// platform. The binary re-executes itself through run-under-xvfb.sh (which
// fails when the tools are missing and CI is set, and reports "skipped"
// otherwise), so ctest runs it like any other paas_add_test.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QMenu>
#include <QScreen>
#include <QSet>
#include <QJsonObject>
#include <QPointer>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

#include "tests/integration/ui/testhttpserver.h"
#include "tests/support/paasprocess.h"
#include "ui/aboutdialog.h"
#include "ui/autostart.h"
#include "ui/desktopshell.h"
#include "ui/mainwindow.h"
#include "ui/trayicon.h"
#include "ui/webengineenvironment.h"

using namespace paas;

namespace {
// The hidden widget Qt's X11 tray implementation docks into the tray host.
QWidget* trayWidget()
{
    for (QWidget* w : QApplication::topLevelWidgets())
        if (w->inherits("QSystemTrayIconSys"))
            return w;
    return nullptr;
}

QString xwininfo(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral("xwininfo"), args);
    if (!p.waitForFinished(30000))
        return {};
    return QString::fromLocal8Bit(p.readAllStandardOutput());
}

// True when the X window was reparented away from the root (into the tray)
// and is viewable on screen.
bool dockedAndViewable(WId window)
{
    const QString id = QStringLiteral("0x%1").arg(quint64(window), 0, 16);
    const QString tree = xwininfo({QStringLiteral("-tree"), QStringLiteral("-id"), id});
    const QRegularExpression parent(QStringLiteral("Parent window id: (0x[0-9a-f]+)( \\(the root window\\))?"));
    const QRegularExpressionMatch m = parent.match(tree);
    if (!m.hasMatch() || !m.captured(2).isEmpty())
        return false;
    return xwininfo({QStringLiteral("-id"), id}).contains(QStringLiteral("Map State: IsViewable"));
}

QString e2eDir()
{
    const QString dir =
        qEnvironmentVariableIsSet("PAAS_E2E_DIR")
            ? qEnvironmentVariable("PAAS_E2E_DIR")
            : qEnvironmentVariable("PAAS_SOURCE_DIR", QDir::currentPath()) + QStringLiteral("/build/e2e");
    QDir().mkpath(dir);
    return dir;
}

int distinctColors(const QImage& image)
{
    QSet<QRgb> colors;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            colors.insert(image.pixel(x, y));
    return int(colors.size());
}
}  // namespace

class TestTrayXvfb : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void trayIconDocksIntoTheTray();
    void shellClosesToTrayAndReopens();
    void minimizedStartAtLoginAndAbout();
    void realAppQuitsOnSigtermAfterANotification();
    void realAppWindowAndTrayUseTheApiToken();

private:
    TestHttpServer m_server;
};

void TestTrayXvfb::initTestCase()
{
    QCOMPARE(QGuiApplication::platformName(), QStringLiteral("xcb"));
    QVERIFY(m_server.start());
    m_server.setPage("<html><body style='margin:0;background:#00aa00'><h1>paas</h1></body></html>");
    // trayer claims _NET_SYSTEM_TRAY_S0 shortly after it starts.
    QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 30000);
}

void TestTrayXvfb::trayIconDocksIntoTheTray()
{
    QTemporaryDir artifacts;
    TrayIcon tray(QUrl(QStringLiteral("http://127.0.0.1:8080")), artifacts.path());
    QVERIFY(tray.hasSystemTray());
    QSystemTrayIcon* icon = tray.systemTrayIcon();
    QVERIFY(icon->isVisible());
    QCOMPARE(icon->contextMenu(), tray.menu());
    QVERIFY(icon->toolTip().startsWith(QStringLiteral("paas")));

    // Qt may re-create its dock widget when the tray host re-announces
    // itself: never keep a raw pointer to it across the event loop.
    QPointer<QWidget> widget;
    QTRY_VERIFY_WITH_TIMEOUT((widget = trayWidget()) != nullptr && widget->isVisible(), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(dockedAndViewable(widget->winId()), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!icon->geometry().isEmpty(), 30000);

    // The docked icon follows the op state.
    const qint64 idleKey = icon->icon().cacheKey();
    QSignalSpy notes(&tray, &TrayIcon::notificationRequested);
    tray.handleOpEvent(QStringLiteral("op.status"),
                       QJsonObject{{"op_id", "op1"}, {"project_id", "shop"}, {"status", "running"}});
    QCOMPARE(tray.state(), TrayState::Running);
    QVERIFY(icon->icon().cacheKey() != idleKey);
    QVERIFY(icon->toolTip().contains(QStringLiteral("op1")));
    QImage running;
    QTRY_VERIFY_WITH_TIMEOUT((running = QGuiApplication::primaryScreen()->grabWindow(0).toImage(),
                              distinctColors(running.copy(icon->geometry())) > 4),
                             30000);
    QVERIFY(
        running.copy(icon->geometry().adjusted(-40, 0, 0, 40)).save(e2eDir() + QStringLiteral("/tray-running.png")));
    tray.handleOpEvent(QStringLiteral("op.failed"), QJsonObject{{"op_id", "op1"}, {"status", "failed"}});
    QCOMPARE(tray.state(), TrayState::Failed);
    QCOMPARE(notes.count(), 1);  // and showMessage() went to the real tray
    QVERIFY((widget = trayWidget()) != nullptr && dockedAndViewable(widget->winId()));

    // The icon is really painted on the screen, inside the tray host.
    QImage screen;
    QTRY_VERIFY_WITH_TIMEOUT((screen = QGuiApplication::primaryScreen()->grabWindow(0).toImage(),
                              distinctColors(screen.copy(icon->geometry())) > 4),
                             30000);
    QVERIFY(screen.save(e2eDir() + QStringLiteral("/tray.png")));
}

void TestTrayXvfb::shellClosesToTrayAndReopens()
{
    QTemporaryDir artifacts;
    DesktopShell shell(m_server.url(), artifacts.path());
    QVERIFY(shell.hasSystemTray());
    QVERIFY(shell.window()->closeToTray());
    QSignalSpy quit(&shell, &DesktopShell::quitRequested);
    QSignalSpy loaded(shell.window(), &MainWindow::loadFinished);
    shell.show();
    QVERIFY(loaded.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(shell.window()->isVisible(), 30000);
    QVERIFY(!shell.window()->close());  // with a tray, closing only hides
    QVERIFY(!shell.window()->isVisible());
    QCOMPARE(quit.count(), 0);
    shell.tray()->menu()->findChild<QAction*>(QStringLiteral("open"))->trigger();
    QVERIFY(shell.window()->isVisible());
    QImage screen;
    QTRY_VERIFY_WITH_TIMEOUT((screen = QGuiApplication::primaryScreen()->grabWindow(0).toImage(),
                              distinctColors(screen.copy(shell.window()->geometry())) > 1),
                             30000);
    QVERIFY(screen.save(e2eDir() + QStringLiteral("/desktop.png")));
    shell.tray()->menu()->findChild<QAction*>(QStringLiteral("quit"))->trigger();
    QCOMPARE(quit.count(), 1);
}

// Issue 13: --minimized starts to the tray (the window appears on a click on
// the icon); Start at login in the tray menu and in the window's menu writes
// and removes the autostart entry, both check marks following it; About
// shows the version, commit, artifacts root and API URL.
void TestTrayXvfb::minimizedStartAtLoginAndAbout()
{
    QTemporaryDir artifacts;
    DesktopShell shell(m_server.url(), artifacts.path());
    QVERIFY(shell.hasSystemTray());
    shell.setBuildInfo(QStringLiteral("9.8.7-1-gabcdef0"), QStringLiteral("abcdef0123456789abcdef0123456789abcdef01"));
    shell.show(true);
    QTest::qWait(500);
    QVERIFY(!shell.window()->isVisible());
    emit shell.tray()->systemTrayIcon()->activated(QSystemTrayIcon::Trigger);  // what a click on the icon emits
    QTRY_VERIFY_WITH_TIMEOUT(shell.window()->isVisible(), 30000);

    // XDG_CONFIG_HOME is a temporary folder (main() below).
    const QString entry = qEnvironmentVariable("XDG_CONFIG_HOME") + QStringLiteral("/autostart/dev.paas.Paas.desktop");
    QCOMPARE(shell.autostart()->filePath(), entry);
    auto* trayItem = shell.tray()->menu()->findChild<QAction*>(QStringLiteral("startAtLogin"));
    auto* windowItem = shell.window()->findChild<QAction*>(QStringLiteral("windowStartAtLogin"));
    QVERIFY(trayItem && windowItem && trayItem->isCheckable() && windowItem->isCheckable());
    QVERIFY(!trayItem->isChecked() && !windowItem->isChecked() && !QFile::exists(entry));
    trayItem->trigger();
    QVERIFY(QFile::exists(entry));
    QVERIFY(trayItem->isChecked() && windowItem->isChecked());
    QFile file(entry);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().contains(" --minimized\n"));
    file.close();
    windowItem->trigger();
    QVERIFY(!QFile::exists(entry));
    QVERIFY(!trayItem->isChecked() && !windowItem->isChecked());

    shell.tray()->menu()->findChild<QAction*>(QStringLiteral("about"))->trigger();
    QVERIFY(shell.aboutDialog());
    QTRY_VERIFY_WITH_TIMEOUT(shell.aboutDialog()->isVisible(), 30000);
    const QString text = shell.aboutDialog()->findChild<QLabel*>(QStringLiteral("aboutText"))->text();
    for (const QString& part :
         {QStringLiteral("9.8.7-1-gabcdef0"), QStringLiteral("abcdef0123456789abcdef0123456789abcdef01"),
          artifacts.path(), m_server.url().toString()})
        QVERIFY2(text.contains(part), qPrintable(part + QStringLiteral(" not in: ") + text));
    shell.aboutDialog()->close();
}

// Issue 10, 1b: the real app in window mode, with a tray host running before
// it starts and after a tray notification, quits in order on ONE SIGTERM
// (logout, shutdown): exit 0, and its nats-server gone with it.
void TestTrayXvfb::realAppQuitsOnSigtermAfterANotification()
{
    test::PaasProcess app;
    app.setWindowed(true);
    QVERIFY2(app.start(), app.output().constData());
    const qint64 nats = app.natsPid();
    QVERIFY(nats > 0);
    // The tray follows the live feed (no history): create once it listens.
    QTRY_VERIFY_WITH_TIMEOUT(app.get("/api/system").json()["counters"].value("sse_feed_clients", 0) >= 1, 60000);
    const nlohmann::json spec{{"apiVersion", "platform.example.com/v2"},
                              {"kind", "App"},
                              {"name", "tray-quit"},
                              {"runtime", "static"},
                              {"capabilities", {"http"}},
                              {"environments", {{"dev", {{"vars", {{"LOG_LEVEL", "info"}}}}}}},
                              {"networkPolicies", {{"ingress", "internal"}, {"egress", "internal"}}}};
    const test::HttpResult r = app.post("/api/events/registration", {{"action", "create"}, {"spec", spec}});
    QVERIFY2(r.status == 202, r.body.constData());
    const nlohmann::json op = app.waitForOp(r.json()["op"]["id"].get<std::string>());
    QCOMPARE(op.value("status", ""), std::string("completed"));
    QTRY_VERIFY2_WITH_TIMEOUT(app.output().contains("notification: paas:"), app.output().right(3000).constData(),
                              30000);
    QVERIFY2(!app.output().contains("no system tray available"), app.output().constData());
    QTest::qWait(2000);  // as a user would: the balloon is up, the window idles beside the tray

    QVERIFY2(app.stop(15000), app.output().constData());  // one SIGTERM, exit code 0
    QVERIFY(!test::processAlive(nats));
}

// Issue 10, item 8: with PAAS_API_TOKEN the window's page (its EventSource
// on /api/events) and the tray's feed both get through: two feed clients.
void TestTrayXvfb::realAppWindowAndTrayUseTheApiToken()
{
    test::PaasProcess app;
    app.setWindowed(true);
    const QByteArray token = "window-and-tray-token-0123456789";
    app.env().insert("PAAS_API_TOKEN", QString::fromLatin1(token));
    QVERIFY2(app.start(), app.output().constData());
    QCOMPARE(app.get("/api/system").status, 401);
    app.setDefaultHeaders({{"Authorization", "Bearer " + token}});
    QTRY_VERIFY2_WITH_TIMEOUT(app.get("/api/system").json()["counters"].value("sse_feed_clients", 0) >= 2,
                              app.get("/api/system").body.constData(), 60000);
    QVERIFY(app.stop(15000));
}

int main(int argc, char** argv)
{
    if (qEnvironmentVariable("PAAS_UI_UNDER_XVFB") != QLatin1String("1")) {
        std::vector<char*> args{const_cast<char*>("sh"), const_cast<char*>(PAAS_UI_XVFB_WRAPPER)};
        for (int i = 0; i < argc; ++i)
            args.push_back(argv[i]);
        args.push_back(nullptr);
        ::execvp("sh", args.data());
        perror("exec run-under-xvfb.sh");
        return 1;
    }
    QTemporaryDir home;
    for (const char* var : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"})
        qputenv(var, (home.path() + QLatin1Char('/') + QLatin1String(var)).toUtf8());
    paas::prepareWebEngineEnvironment();
    QApplication app(argc, argv);
    TestTrayXvfb test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_trayxvfb.moc"
