// The paas binary run as a user would: startup lines, health, security
// guards, single store ownership, clean shutdown.
#include "tests/support/paasprocess.h"

#include <QFileInfo>
#include <QTcpSocket>
#include <QtTest>

#include <csignal>

using namespace paas::test;

namespace {

// Writes `pieces` to the API one by one (each flushed and given time to be
// read), then returns the response's status line ("" if none came).
QByteArray rawStatusLine(quint16 port, const QList<QByteArray>& pieces)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    for (const QByteArray& piece : pieces) {
        if (socket.state() != QAbstractSocket::ConnectedState || socket.bytesAvailable() > 0)
            break;  // answered (or closed) early
        socket.write(piece);
        socket.waitForBytesWritten(5000);
        QTest::qWait(20);
    }
    QElapsedTimer timer;
    timer.start();
    while (!socket.canReadLine() && timer.elapsed() < 10000 && socket.state() == QAbstractSocket::ConnectedState)
        socket.waitForReadyRead(200);
    return socket.readLine().trimmed();
}

}  // namespace

class TestApp : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void startsPrintsLinesAndServes()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        const QString out = QString::fromUtf8(app.output());
        QVERIFY(out.contains("Artifacts root: " + app.artifactsRoot()));
        QVERIFY(out.contains(QRegularExpression("Instance: \\S+-[0-9a-f]{6} role=all\n")));
        QVERIFY(out.contains(QRegularExpression("NATS: embedded child pid \\d+ port \\d+ store ")));
        QVERIFY(out.contains(QRegularExpression("API listening on http://127\\.0\\.0\\.1:\\d+")));
        QVERIFY(!app.url().endsWith(":0"));

        HttpResult health = app.get("/healthz");
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json()["status"], "ok");
        QVERIFY(health.json().contains("uptime_s"));

        HttpResult index = app.get("/");
        QCOMPARE(index.status, 200);
        QVERIFY(index.header("Content-Type").startsWith("text/html"));
        QVERIFY(index.body.contains("<html"));

        HttpResult system = app.get("/api/system");
        QCOMPARE(system.status, 200);
        QCOMPARE(system.json()["artifacts_root"], app.artifactsRoot().toStdString());
        QCOMPARE(system.json()["nats"]["mode"], "embedded");
        QCOMPARE(system.json()["instance"]["role"], "all");
        QVERIFY(out.contains("Instance: " + QString::fromStdString(system.json()["instance"].value("id", "?"))));
        QVERIFY(system.json()["image_builder"].contains("effective"));

        HttpResult missing = app.get("/api/nope");
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.json()["error"]["code"], "route_not_found");
        HttpResult wrongMethod = app.send("DELETE", "/healthz", {});
        QCOMPARE(wrongMethod.status, 405);
        QVERIFY(!wrongMethod.header("Allow").isEmpty());

        const qint64 nats = app.natsPid();
        QVERIFY(nats > 0);
        QVERIFY2(app.stop(5000), "SIGTERM exits 0 within 5 s");
        QVERIFY2(::kill(static_cast<pid_t>(nats), 0) != 0, "no orphan nats-server");
    }

    void securityGuards()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        HttpResult rebinding = app.get("/healthz", {{"Host", "attacker.example:80"}});
        QCOMPARE(rebinding.status, 421);
        QCOMPARE(rebinding.json()["error"]["code"], "host_not_allowed");
        HttpResult localhost =
            app.get("/healthz", {{"Host", QByteArray("localhost:") + QByteArray::number(QUrl(app.url()).port())}});
        QCOMPARE(localhost.status, 200);

        HttpResult csrf =
            app.post("/api/events/registration", {{"action", "create"}}, {{"Origin", "http://evil.example"}});
        QCOMPARE(csrf.status, 403);
        QCOMPARE(csrf.json()["error"]["code"], "origin_not_allowed");
        HttpResult sameOrigin = app.get("/healthz", {{"Origin", "http://evil.example"}});
        QCOMPARE(sameOrigin.status, 200);  // reads are not state-changing

        const QByteArray big(2 * 1024 * 1024, 'x');
        HttpResult tooLarge = app.send("POST", "/api/events/registration", big);
        QCOMPARE(tooLarge.status, 413);
        QCOMPARE(tooLarge.json()["error"]["code"], "body_too_large");
        QCOMPARE(app.get("/healthz").status, 200);  // still serving

        // The guard follows the framing across reads (engine/api/requestguard.h):
        // a Content-Length split over two writes, and a chunked body sent in
        // small writes, were both let through before.
        const quint16 port = quint16(QUrl(app.url()).port());
        const QByteArray head = "POST /api/events/registration HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port);
        QVERIFY(rawStatusLine(port, {head + "\r\nContent-Len", "gth: 5000000\r\n\r\n", "{}"}).contains(" 413 "));
        QList<QByteArray> chunked{head + "\r\nTransfer-Encoding: chunked\r\n\r\n"};
        for (int i = 0; i < 20; ++i)
            chunked << "10000\r\n" + QByteArray(0x10000, 'x') + "\r\n";
        chunked << "0\r\n\r\n";
        QVERIFY(rawStatusLine(port, chunked).contains(" 413 "));
        QCOMPARE(app.get("/healthz").status, 200);
    }

    void secondInstanceOnSameStoreRefuses()
    {
        PaasProcess first;
        QVERIFY2(first.start(), first.output().constData());
        PaasProcess second(first.root());
        QVERIFY(!second.start({}, 30000));
        QVERIFY(second.process().exitCode() != 0);
        QVERIFY2(second.output().contains("another paas instance"), second.output().constData());
        QCOMPARE(first.get("/healthz").status, 200);
    }

    void badConfigurationFailsWithOneClearLine()
    {
        struct Case {
            const char* var;
            const char* value;
            const char* expect;
        };
        const Case cases[] = {
            {"PAAS_LISTEN", "nonsense", "PAAS_LISTEN"},
            {"PAAS_NATS_SERVER_BIN", "/nonexistent/nats-server", "PAAS_NATS_SERVER_BIN"},
            {"PAAS_ARTIFACTS_ROOT", "/proc/paas-cannot-write", "PAAS_ARTIFACTS_ROOT"},
            {"PAAS_IMAGE_BUILDER_MODE", "docker", "PAAS_IMAGE_BUILDER_MODE"},
            {"PAAS_ROLE", "leader", "PAAS_ROLE"},
            {"PAAS_ROLE", "worker", "PAAS_NATS_URL"},  // a worker shares a cluster: it needs one
            {"PAAS_NATS_REPLICAS", "3", "PAAS_NATS_URL"},
            {"PAAS_INSTANCE_ID", "bad id!", "PAAS_INSTANCE_ID"},
        };
        for (const Case& c : cases) {
            PaasProcess app;
            app.env().insert(c.var, c.value);
            QVERIFY(!app.start({}, 30000));
            QVERIFY2(app.process().exitCode() != 0, c.var);
            QVERIFY2(app.output().contains(c.expect), app.output().constData());
        }
    }

    // The desktop shell is a module loaded only for a window: a headless
    // process maps no Widgets, Gui or WebEngine library; a windowed one
    // whose module is missing says so in one line and exits.
    void headlessMapsNoDesktopLibraries()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        QFile maps(QStringLiteral("/proc/%1/maps").arg(app.pid()));
        QVERIFY(maps.open(QIODevice::ReadOnly));
        const QByteArray mapped = maps.readAll();
        QVERIFY(mapped.contains("libQt6Core"));  // the check reads real maps
        for (const char* lib : {"libQt6WebEngineCore", "libQt6Widgets", "libQt6Gui", "paas_desktop"})
            QVERIFY2(!mapped.contains(lib), lib);
        QVERIFY(app.stop());

        PaasProcess windowed;
        windowed.setWindowed(true);
        windowed.env().insert("QT_QPA_PLATFORM", "offscreen");
        windowed.env().insert("PAAS_DESKTOP_MODULE", "/nonexistent/paas_desktop");
        if (!QFileInfo::exists(QFileInfo(paasBinary()).absolutePath() + "/paas_desktop.so")) {
            // A server-only build (PAAS_WITH_UI=OFF, e.g. make test-sanitize)
            // has no window to show: it serves as if headless.
            QVERIFY2(windowed.start({}, 30000), windowed.output().constData());
            QVERIFY(windowed.stop());
            return;
        }
        QVERIFY(!windowed.start({}, 30000));
        QVERIFY(windowed.process().exitCode() != 0);
        QVERIFY2(windowed.output().contains("the desktop window's module cannot be loaded"),
                 windowed.output().constData());
    }

    // Issue 10, item 8: beyond loopback only with a token; then every
    // request needs it, under any Host.
    void beyondLoopbackRequiresAToken()
    {
        PaasProcess refused;
        refused.env().insert("PAAS_LISTEN", "0.0.0.0:0");
        QVERIFY(!refused.start({}, 30000));
        QVERIFY(refused.process().exitCode() != 0);
        QVERIFY2(refused.output().contains("PAAS_API_TOKEN") && refused.output().contains("--generate-api-token"),
                 refused.output().constData());
        QVERIFY(!refused.output().contains("API listening"));

        PaasProcess app;
        app.env().insert("PAAS_LISTEN", "0.0.0.0:0");
        QByteArray out;
        QCOMPARE(run(paasBinary(), {"--generate-api-token"}, {}, &out, 30000, app.env()), 0);
        const QString tokenFile = app.artifactsRoot() + "/.paas/api-token";
        QVERIFY2(out.contains(tokenFile.toUtf8()), out.constData());
        QCOMPARE(QFileInfo(tokenFile).permissions() & ~(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                        QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::Permissions());
        QFile file(tokenFile);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray token = file.readAll().trimmed();
        QVERIFY(token.size() >= 32);
        QVERIFY(!out.contains(token));  // printed: the path, never the token

        QVERIFY2(app.start(), app.output().constData());
        QVERIFY(!app.output().contains(token));
        const QString port = QString::number(QUrl(app.url()).port());
        HttpResult anonymous = http("GET", "http://127.0.0.1:" + port + "/api/projects");
        QCOMPARE(anonymous.status, 401);
        QCOMPARE(anonymous.json()["error"]["code"], "unauthorized");
        QVERIFY(anonymous.header("WWW-Authenticate").startsWith("Bearer"));
        QCOMPARE(http("GET", "http://127.0.0.1:" + port + "/healthz", {},
                      {{"Authorization", "Bearer wrong-token-0123456789"}})
                     .status,
                 401);
        const Headers bearer{{"Authorization", "Bearer " + token}};
        QCOMPARE(http("GET", "http://127.0.0.1:" + port + "/api/projects", {}, bearer).status, 200);
        // Reached under another name than loopback (as over a LAN): the token is what counts.
        QCOMPARE(http("GET", "http://127.0.0.1:" + port + "/healthz", {},
                      bearer + Headers{{"Host", "paas.lan:" + port.toUtf8()}})
                     .status,
                 200);
        QVERIFY(app.stop());

        // A token file readable by others is refused.
        QVERIFY(QFile::setPermissions(tokenFile,
                                      QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
        PaasProcess loose(app.root());
        loose.env().insert("PAAS_LISTEN", "0.0.0.0:0");
        QVERIFY(!loose.start({}, 30000));
        QVERIFY2(loose.output().contains("chmod 600"), loose.output().constData());
    }

    void portInUseIsReported()
    {
        PaasProcess first;
        QVERIFY(first.start());
        PaasProcess second;
        second.env().insert("PAAS_LISTEN", QUrl(first.url()).host() + ":" + QString::number(QUrl(first.url()).port()));
        QVERIFY(!second.start({}, 30000));
        QVERIFY2(second.output().contains("PAAS_LISTEN"), second.output().constData());
    }
};

QTEST_GUILESS_MAIN(TestApp)
#include "tst_app.moc"
