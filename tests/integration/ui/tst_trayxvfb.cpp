// The real system tray: Xvfb + trayer (an XEmbed tray host) + the xcb
// platform. The binary re-executes itself through run-under-xvfb.sh (which
// fails when the tools are missing and CI is set, and reports "skipped"
// otherwise), so ctest runs it like any other paas_add_test.
#include <QApplication>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

#include "ui/trayicon.h"

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
}  // namespace

class TestTrayXvfb : public QObject {
    Q_OBJECT
private slots:
    void trayIconDocksIntoTheTray();
};

void TestTrayXvfb::trayIconDocksIntoTheTray()
{
    QCOMPARE(QGuiApplication::platformName(), QStringLiteral("xcb"));
    // trayer claims _NET_SYSTEM_TRAY_S0 shortly after it starts.
    QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 30000);

    QTemporaryDir artifacts;
    TrayIcon tray(QUrl(QStringLiteral("http://127.0.0.1:8080")), artifacts.path());
    QVERIFY(tray.hasSystemTray());
    QSystemTrayIcon* icon = tray.systemTrayIcon();
    QVERIFY(icon->isVisible());
    QCOMPARE(icon->contextMenu(), tray.menu());
    QVERIFY(icon->toolTip().startsWith(QStringLiteral("paas")));

    QWidget* widget = nullptr;
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
    tray.handleOpEvent(QStringLiteral("op.failed"), QJsonObject{{"op_id", "op1"}, {"status", "failed"}});
    QCOMPARE(tray.state(), TrayState::Failed);
    QCOMPARE(notes.count(), 1);  // and showMessage() went to the real tray
    QVERIFY(dockedAndViewable(widget->winId()));
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
    QApplication app(argc, argv);
    TestTrayXvfb test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_trayxvfb.moc"
