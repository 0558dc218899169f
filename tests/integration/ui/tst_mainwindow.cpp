// MainWindow and DesktopShell under QT_QPA_PLATFORM=offscreen with the real
// QtWebEngine (Chromium) loading a page from an in-test HTTP server.
// There is no system tray here: the shell must run normally without one.
#include <QApplication>
#include <QDir>
#include <QSettings>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>
#include <QWebEngineView>

#include <unistd.h>

#include "tests/integration/ui/testhttpserver.h"
#include "ui/desktopshell.h"
#include "ui/mainwindow.h"
#include "ui/shellpage.h"
#include "ui/webengineenvironment.h"

using namespace paas;

namespace {
// Big distinct colour blocks, and the hash route mirrored into the title.
// (Plain literals, not a raw string: moc mis-tokenizes raw strings.)
const QByteArray kPage =
    "<!doctype html>\n"
    "<html><head><title>paas</title><style>\n"
    "body { margin: 0; background: #ffffff; font: 20px sans-serif; }\n"
    "#red { position: absolute; left: 0; top: 0; width: 50%; height: 50%; background: #ff0000; }\n"
    "#blue { position: absolute; right: 0; bottom: 0; width: 50%; height: 50%; background: #0000ff; }\n"
    "</style></head><body><div id='red'></div><div id='blue'></div><p>paas desktop shell test</p>\n"
    "<a id='dl' href='/download/report.txt'>report</a> <a id='ext' href='http://127.0.0.2:9/docs'>docs</a>\n"
    "<script>\n"
    "function route() { document.title = 'paas ' + (location.hash || '#/'); }\n"
    "window.addEventListener('hashchange', route); route();\n"
    "</script></body></html>\n";

int countColor(const QImage& image, QRgb color)
{
    int n = 0;
    for (int y = 0; y < image.height(); y += 4)
        for (int x = 0; x < image.width(); x += 4)
            n += (qRed(image.pixel(x, y)) == qRed(color) && qGreen(image.pixel(x, y)) == qGreen(color) &&
                  qBlue(image.pixel(x, y)) == qBlue(color))
                     ? 1
                     : 0;
    return n;
}

bool g_disabledSandbox = false;  // what prepareWebEngineEnvironment() returned

QString screenshotPath()
{
    const QString dir =
        qEnvironmentVariableIsSet("PAAS_E2E_DIR")
            ? qEnvironmentVariable("PAAS_E2E_DIR")
            : qEnvironmentVariable("PAAS_SOURCE_DIR", QDir::currentPath()) + QStringLiteral("/build/e2e");
    QDir().mkpath(dir);
    return dir + QStringLiteral("/window.png");
}
}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void sandboxOnlyDisabledForRoot();
    void loadsPageAndScreenshots();
    void openOpNavigatesToOpRoute();
    void geometryIsPersisted();
    void closeToTrayOnlyHides();
    void shellRunsWithoutTray();
    void downloadsAreSaved();
    void foreignLinksOpenExternally();
    void retriesUntilTheApiIsUp();

private:
    TestHttpServer m_server;
};

void TestMainWindow::initTestCase()
{
    QVERIFY(m_server.start());
    m_server.setPage(kPage);
}

void TestMainWindow::sandboxOnlyDisabledForRoot()
{
    QVERIFY(QCoreApplication::testAttribute(Qt::AA_ShareOpenGLContexts));
    if (::geteuid() == 0)
        QCOMPARE(qgetenv("QTWEBENGINE_DISABLE_SANDBOX"), QByteArray("1"));
    else
        QVERIFY(!g_disabledSandbox);
}

void TestMainWindow::loadsPageAndScreenshots()
{
    MainWindow window(m_server.url());
    window.resize(800, 600);
    QSignalSpy loaded(&window, &MainWindow::loadFinished);
    window.show();
    QVERIFY(loaded.wait(60000));
    QCOMPARE(loaded.first().at(0).toBool(), true);
    QCOMPARE(m_server.requests().first().path, QByteArray("/"));
    // Chromium paints asynchronously after loadFinished: wait for the page.
    QImage image;
    QTRY_VERIFY_WITH_TIMEOUT((image = window.grab().toImage(),
                              countColor(image, qRgb(255, 0, 0)) > 100 && countColor(image, qRgb(0, 0, 255)) > 100),
                             30000);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 400 && image.height() >= 300);
    const QString path = screenshotPath();
    QVERIFY2(image.save(path), qPrintable(path));
    QVERIFY(QFileInfo(path).size() > 0);
    QVERIFY(window.windowTitle().contains(QStringLiteral("paas")));
}

void TestMainWindow::openOpNavigatesToOpRoute()
{
    MainWindow window(m_server.url());
    QSignalSpy loaded(&window, &MainWindow::loadFinished);
    window.show();
    QVERIFY(loaded.wait(60000));
    window.openOp(QStringLiteral("20260101-abc123"));
    const QUrl expected = MainWindow::opUrl(m_server.url(), QStringLiteral("20260101-abc123"));
    QCOMPARE(expected.toString(), m_server.url().toString() + QStringLiteral("/#/ops/20260101-abc123"));
    QTRY_COMPARE_WITH_TIMEOUT(window.view()->url(), expected, 30000);
    // The page itself saw the route (its script mirrors location.hash).
    QTRY_COMPARE_WITH_TIMEOUT(window.view()->title(), QStringLiteral("paas #/ops/20260101-abc123"), 30000);
}

void TestMainWindow::geometryIsPersisted()
{
    {
        MainWindow window(m_server.url());
        window.show();
        window.resize(640, 480);
        QTRY_COMPARE(window.size(), QSize(640, 480));
        QVERIFY(window.close());  // no tray: the close is accepted and saves
    }
    QSettings settings(QStringLiteral("paas"), QStringLiteral("paas"));
    QVERIFY(!settings.value(QStringLiteral("mainWindow/geometry")).toByteArray().isEmpty());
    MainWindow restored(m_server.url());
    QCOMPARE(restored.size(), QSize(640, 480));
}

void TestMainWindow::closeToTrayOnlyHides()
{
    MainWindow window(m_server.url());
    QSignalSpy closing(&window, &MainWindow::closeRequested);
    window.setCloseToTray(true);
    window.show();
    QVERIFY(!window.close());  // ignored: hidden to the tray
    QVERIFY(!window.isVisible());
    QCOMPARE(closing.count(), 0);
    window.setCloseToTray(false);
    window.show();
    QVERIFY(window.close());
    QCOMPARE(closing.count(), 1);
}

void TestMainWindow::shellRunsWithoutTray()
{
    QVERIFY(!QSystemTrayIcon::isSystemTrayAvailable());
    QTemporaryDir artifacts;
    DesktopShell shell(m_server.url(), artifacts.path());
    QVERIFY(!shell.hasSystemTray());
    QVERIFY(!shell.window()->closeToTray());
    QVERIFY(!QGuiApplication::quitOnLastWindowClosed());  // quitting goes through quitRequested()
    QSignalSpy quit(&shell, &DesktopShell::quitRequested);
    QSignalSpy loaded(shell.window(), &MainWindow::loadFinished);
    shell.show();
    QVERIFY(shell.window()->isVisible());
    QVERIFY(loaded.wait(60000));
    QCOMPARE(loaded.first().at(0).toBool(), true);
    QTRY_COMPARE(m_server.openStreams(), 1);  // the event feed is connected
    shell.openOp(QStringLiteral("op42"));
    QTRY_COMPARE_WITH_TIMEOUT(shell.window()->view()->title(), QStringLiteral("paas #/ops/op42"), 30000);
    // Without a tray, closing the window is quitting.
    QVERIFY(shell.window()->close());
    QCOMPARE(quit.count(), 1);
}

void TestMainWindow::downloadsAreSaved()
{
    m_server.addRoute("/download/report.txt",
                      "Content-Type: text/plain\r\nContent-Disposition: attachment; filename=\"report.txt\"\r\n",
                      "artifact bytes\n");
    QTemporaryDir downloads;
    MainWindow window(m_server.url());
    window.setDownloadDirectory(downloads.path());
    QSignalSpy loaded(&window, &MainWindow::loadFinished);
    QSignalSpy saved(&window, &MainWindow::downloadFinished);
    window.show();
    QVERIFY(loaded.wait(60000));
    window.view()->page()->runJavaScript(QStringLiteral("document.getElementById('dl').click()"));
    QVERIFY(saved.wait(60000));
    QCOMPARE(saved.first().at(1).toBool(), true);
    const QString path = saved.first().at(0).toString();
    QCOMPARE(QFileInfo(path).dir().absolutePath(), QDir(downloads.path()).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("artifact bytes\n"));
    QCOMPARE(window.failedLoads(), 0);  // the aborted page navigation is not retried
}

void TestMainWindow::foreignLinksOpenExternally()
{
    MainWindow window(m_server.url());
    QList<QUrl> external;
    window.page()->setExternalUrlHandler([&external](const QUrl& url) { external.append(url); });
    QSignalSpy loaded(&window, &MainWindow::loadFinished);
    window.show();
    QVERIFY(loaded.wait(60000));
    QVERIFY(window.page()->isAppUrl(MainWindow::opUrl(m_server.url(), QStringLiteral("x"))));
    QVERIFY(!window.page()->isAppUrl(QUrl(QStringLiteral("http://127.0.0.2:9/docs"))));
    window.view()->page()->runJavaScript(QStringLiteral("document.getElementById('ext').click()"));
    QTRY_COMPARE_WITH_TIMEOUT(external.size(), 1, 30000);
    QCOMPARE(external.first(), QUrl(QStringLiteral("http://127.0.0.2:9/docs")));
    // window.open() on the app's own origin stays in the window.
    window.view()->page()->runJavaScript(QStringLiteral("window.open('/#/ops/popup')"));
    QTRY_COMPARE_WITH_TIMEOUT(window.view()->title(), QStringLiteral("paas #/ops/popup"), 30000);
    QCOMPARE(window.view()->url().host(), m_server.url().host());
    QCOMPARE(external.size(), 1);
    QCOMPARE(window.failedLoads(), 0);
}

void TestMainWindow::retriesUntilTheApiIsUp()
{
    quint16 port = 0;
    {
        QTcpServer probe;  // find a free port, then leave it closed
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    MainWindow window(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
    window.setLoadRetryIntervalMs(200);
    QSignalSpy loads(&window, &MainWindow::loadFinished);
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(window.failedLoads() >= 1, 30000);  // connection refused
    QCOMPARE(loads.first().at(0).toBool(), false);
    TestHttpServer late;
    late.setPage(kPage);
    QVERIFY(late.start(port));  // the API comes up
    QTRY_VERIFY_WITH_TIMEOUT(!loads.isEmpty() && loads.last().at(0).toBool(), 30000);
    QCOMPARE(window.failedLoads(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(window.view()->title(), QStringLiteral("paas #/"), 30000);
}

int main(int argc, char** argv)
{
    // Keep QSettings away from the user's real configuration.
    QTemporaryDir home;
    for (const char* var : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"})
        qputenv(var, (home.path() + QLatin1Char('/') + QLatin1String(var)).toUtf8());
    g_disabledSandbox = paas::prepareWebEngineEnvironment();
    QApplication app(argc, argv);
    TestMainWindow test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_mainwindow.moc"
