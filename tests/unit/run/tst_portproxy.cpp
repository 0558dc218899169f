// PortProxy: bytes round-trip unchanged (5 MiB too); a backend switch leaves
// open connections on the old backend; a refused or silent backend closes the
// client; port_in_use; close() stops accepting and the port rebinds at once;
// the connection count; a closing side is flushed; a stalled backend pushes
// back (bounded buffers); only 127.0.0.1 is bound. Backends and clients live
// on the test thread, served by its event loop while QTRY_*/qWaitFor wait.
#include "engine/run/portproxy.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QNetworkInterface>
#include <QNetworkProxy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <vector>

using namespace paas;

namespace {

constexpr qint64 kMiB = 1024 * 1024;
const QHostAddress kLoopback(QHostAddress::LocalHost);

// A deterministic byte stream: a dropped, repeated or reordered chunk shows.
char patternByte(qint64 i)
{
    return static_cast<char>((i ^ (i >> 8) ^ (i >> 16) ^ (i >> 24)) & 0xff);
}

QByteArray pattern(qint64 offset, qint64 size)
{
    QByteArray out(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        out[i] = patternByte(offset + i);
    return out;
}

quint16 freePort()
{
    QTcpServer probe;
    probe.setProxy(QNetworkProxy::NoProxy);
    return probe.listen(kLoopback, 0) ? probe.serverPort() : 0;
}

// Local addresses (hex, as the kernel prints them) of the TCP sockets on
// `port` in `state` ("0A" LISTEN, "06" TIME_WAIT); nullopt without /proc.
std::optional<QStringList> socketsOn(quint16 port, const QByteArray& state)
{
    QFile v4(QStringLiteral("/proc/net/tcp"));
    QFile v6(QStringLiteral("/proc/net/tcp6"));
    if (!v4.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray table = v4.readAll() + (v6.open(QIODevice::ReadOnly) ? v6.readAll() : QByteArray());
    QStringList found;
    for (const QByteArray& line : table.split('\n')) {  // "sl local:port remote:port st ..."
        const QList<QByteArray> f = line.simplified().split(' ');
        const QList<QByteArray> local = f.size() >= 4 ? f[1].split(':') : QList<QByteArray>();
        if (local.size() == 2 && local[1].toUInt(nullptr, 16) == port && f[3] == state)
            found << QString::fromLatin1(local[0]);
    }
    return found;
}

// A backend "container" on the test thread.
class Backend : public QObject {
public:
    enum class Mode {
        Echo,     // writes back what it reads, as "<tag>:<data>" with a tag
        Burst,    // sends m_burst on accept, then closes
        Collect,  // keeps what it reads, notes when the peer closes
        Sink,     // reads nothing until resume(), then checks the pattern
    };

    explicit Backend(Mode mode, QByteArray tag = {}) : m_mode(mode), m_tag(std::move(tag))
    {
        m_server.setProxy(QNetworkProxy::NoProxy);
        m_server.listen(kLoopback, 0);
        connect(&m_server, &QTcpServer::newConnection, this, &Backend::accept);
    }
    ~Backend() override
    {
        // The sockets go first: deleting them emits disconnected() into us.
        for (QTcpSocket* s : m_server.findChildren<QTcpSocket*>()) {
            s->disconnect(this);
            delete s;
        }
    }

    quint16 port() const { return m_server.serverPort(); }
    int accepted() const { return m_accepted; }
    void closeAll()
    {
        for (QTcpSocket* s : m_server.findChildren<QTcpSocket*>())
            s->disconnectFromHost();
    }
    void resume()
    {
        m_reading = true;
        for (QTcpSocket* s : m_server.findChildren<QTcpSocket*>())
            onRead(s);
    }

    QByteArray m_burst;         // Burst
    QByteArray m_collected;     // Collect, Burst
    bool m_peerClosed = false;  // Collect
    qint64 m_verified = 0;      // Sink: bytes that matched the pattern
    qint64 m_mismatches = 0;    // Sink

private:
    void accept()
    {
        while (QTcpSocket* s = m_server.nextPendingConnection()) {
            ++m_accepted;
            if (m_mode == Mode::Sink) {
                s->setReadBufferSize(64 * 1024);
                s->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 64 * 1024);
            }
            connect(s, &QTcpSocket::readyRead, this, [this, s] { onRead(s); });
            connect(s, &QTcpSocket::disconnected, this, [this, s] {
                if (s->isOpen())  // closed by the peer: what it sent is still buffered
                    onRead(s);
                m_peerClosed = true;
            });
            if (m_mode == Mode::Burst) {
                s->write(m_burst);
                s->disconnectFromHost();
            }
        }
    }

    void onRead(QTcpSocket* s)
    {
        if (m_mode == Mode::Collect || m_mode == Mode::Burst) {
            m_collected += s->readAll();
        } else if (m_mode == Mode::Sink && m_reading) {
            for (char c : s->readAll())
                m_mismatches += c != patternByte(m_verified++) ? 1 : 0;
        } else if (m_mode == Mode::Echo && s->state() == QAbstractSocket::ConnectedState) {
            s->write(m_tag.isEmpty() ? s->readAll() : m_tag + ':' + s->readAll());
        }
    }

    Mode m_mode;
    QByteArray m_tag;
    QTcpServer m_server;
    int m_accepted = 0;
    bool m_reading = false;
};

// A client of the proxy on the test thread; collects what it receives.
struct Client {
    explicit Client(quint16 port)
    {
        socket.setProxy(QNetworkProxy::NoProxy);
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [this] { received += socket.readAll(); });
        QObject::connect(&socket, &QTcpSocket::disconnected, &socket, [this] { closed = true; });
        socket.connectToHost(kLoopback, port);
    }
    bool waitConnected() const
    {
        return QTest::qWaitFor([this] { return socket.state() == QAbstractSocket::ConnectedState; }, 10000);
    }
    bool roundTrip(const QByteArray& out, const QByteArray& expected)
    {
        if (!waitConnected())
            return false;
        received.clear();
        socket.write(out);
        return QTest::qWaitFor([&] { return received.size() >= expected.size(); }, 10000) && received == expected;
    }

    // Declared before the socket: its destructor still signals into them.
    QByteArray received;
    bool closed = false;
    QTcpSocket socket;
};

// Writes pattern() bytes up to `limit`, never more than 1 MiB queued in Qt.
struct Generator {
    explicit Generator(QTcpSocket& s) : socket(s)
    {
        QObject::connect(&socket, &QTcpSocket::connected, &socket, [this] { topUp(); });
        QObject::connect(&socket, &QTcpSocket::bytesWritten, &socket, [this] { topUp(); });
    }
    ~Generator() { QObject::disconnect(&socket, nullptr, &socket, nullptr); }
    void topUp()
    {
        while (written < limit && socket.bytesToWrite() < kMiB) {
            const qint64 n = std::min<qint64>(256 * 1024, limit - written);
            socket.write(pattern(written, n));
            written += n;
        }
    }
    qint64 accepted() const { return written - socket.bytesToWrite(); }  // handed to the kernel

    QTcpSocket& socket;
    qint64 written = 0;
    qint64 limit = 0;
};

}  // namespace

class TestPortProxy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void bytesRoundTripUnchanged()
    {
        Backend echo(Backend::Mode::Echo);
        PortProxy proxy;
        const quint16 port = freePort();
        const Status s = proxy.listen(port, echo.port());
        QVERIFY2(s.isOk(), s.toString().c_str());
        QCOMPARE(proxy.backend(port), std::optional<quint16>(echo.port()));

        Client c(port);
        QVERIFY(c.roundTrip("hello", "hello"));
        const QByteArray payload = pattern(0, 5 * kMiB);
        c.received.clear();
        c.socket.write(payload);
        QTRY_VERIFY_WITH_TIMEOUT(c.received.size() >= payload.size(), 60000);
        QCOMPARE(c.received.size(), payload.size());
        QVERIFY2(c.received == payload, "the 5 MiB payload came back altered");
        QVERIFY(!c.closed);
    }

    void switchKeepsOpenConnectionsOnTheOldBackend()
    {
        Backend a(Backend::Mode::Echo, "A");
        Backend b(Backend::Mode::Echo, "B");
        PortProxy proxy;
        const quint16 port = freePort();
        QVERIFY(proxy.listen(port, a.port()).isOk());

        Client c1(port);
        QVERIFY(c1.roundTrip("x", "A:x"));
        proxy.setBackend(port, b.port());
        QCOMPARE(proxy.backend(port), std::optional<quint16>(b.port()));
        Client c2(port);
        QVERIFY(c2.roundTrip("y", "B:y"));
        QVERIFY(c1.roundTrip("z", "A:z"));  // the open connection still talks to A
        QCOMPARE(a.accepted(), 1);
        QCOMPARE(b.accepted(), 1);

        // listen() on a port already listening only changes the backend.
        QVERIFY(proxy.listen(port, a.port()).isOk());
        QCOMPARE(proxy.backend(port), std::optional<quint16>(a.port()));
        Client c3(port);
        QVERIFY(c3.roundTrip("w", "A:w"));
        QVERIFY(c2.roundTrip("v", "B:v"));
        QCOMPARE(proxy.openConnections(port), 3);
    }

    void refusedBackendClosesTheClient()
    {
        Backend echo(Backend::Mode::Echo);
        PortProxy proxy;
        const quint16 port = freePort();
        const quint16 nobody = freePort();  // nothing listens there
        QVERIFY(proxy.listen(port, nobody).isOk());

        Client c(port);
        QVERIFY(c.waitConnected());
        c.socket.write("GET / HTTP/1.1\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(c.closed, 10000);
        QVERIFY(c.received.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(proxy.openConnections(port), 0, 5000);

        proxy.setBackend(port, echo.port());  // the port itself still works
        Client again(port);
        QVERIFY(again.roundTrip("ok", "ok"));
    }

    void silentBackendTimesOutAndClosesTheClient()
    {
        // A listener with a full accept queue: the kernel drops further SYNs,
        // so the proxy's connect hangs until its own timeout.
        struct Fd {
            int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            ~Fd() { ::close(fd); }
        } guard;
        const int fd = guard.fd;
        QVERIFY(fd >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(addr);
        QCOMPARE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
        QCOMPARE(::listen(fd, 0), 0);
        QCOMPARE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
        const quint16 silent = ntohs(addr.sin_port);
        Client filler(silent);
        QVERIFY(filler.waitConnected());

        PortProxy proxy;
        const quint16 port = freePort();
        QVERIFY(proxy.listen(port, silent).isOk());
        QElapsedTimer timer;
        timer.start();
        Client c(port);
        QVERIFY(c.waitConnected());
        QTRY_COMPARE_WITH_TIMEOUT(proxy.openConnections(port), 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(c.closed, PortProxy::kConnectTimeoutMs + 10000);
        QVERIFY2(timer.elapsed() >= PortProxy::kConnectTimeoutMs - 500,
                 qPrintable(QStringLiteral("closed after %1 ms: the connect did not hang").arg(timer.elapsed())));
        QTRY_COMPARE_WITH_TIMEOUT(proxy.openConnections(port), 0, 5000);
    }

    void portInUseIsAnError()
    {
        PortProxy proxy;
        for (const QHostAddress& address : {kLoopback, QHostAddress(QHostAddress::AnyIPv4)}) {
            QTcpServer blocker;
            blocker.setProxy(QNetworkProxy::NoProxy);
            QVERIFY(blocker.listen(address, 0));
            const Status s = proxy.listen(blocker.serverPort(), 1);
            QVERIFY2(!s.isOk(), qPrintable(address.toString()));
            QCOMPARE(s.code(), Status::Code::Unavailable);
            QCOMPARE(s.reason(), std::string("port_in_use"));
            QVERIFY(!proxy.backend(blocker.serverPort()).has_value());
            QCOMPARE(proxy.openConnections(blocker.serverPort()), 0);
        }
        const Status zero = proxy.listen(0, 1);
        QCOMPARE(zero.code(), Status::Code::InvalidArgument);
        QCOMPARE(zero.reason(), std::string("invalid_port"));
    }

    void closeStopsAcceptingAndTheRestartRebindsAtOnce()
    {
        Backend echo(Backend::Mode::Echo);
        PortProxy proxy;
        const quint16 port = freePort();
        QVERIFY(proxy.listen(port, echo.port()).isOk());
        Client c(port);
        QVERIFY(c.roundTrip("one", "one"));

        proxy.close(port);
        QVERIFY(!proxy.backend(port).has_value());
        QCOMPARE(proxy.openConnections(port), 0);
        QTRY_VERIFY_WITH_TIMEOUT(c.closed, 5000);  // its connections are dropped

        QTcpSocket refused;
        refused.setProxy(QNetworkProxy::NoProxy);
        refused.connectToHost(kLoopback, port);
        QTRY_COMPARE_WITH_TIMEOUT(refused.state(), QAbstractSocket::UnconnectedState, 5000);
        QCOMPARE(refused.error(), QAbstractSocket::ConnectionRefusedError);

        // The dropped connection left the port in TIME_WAIT on the proxy's
        // side; SO_REUSEADDR lets the restart bind it at once anyway.
        if (socketsOn(port, "06"))
            QTRY_VERIFY_WITH_TIMEOUT(!socketsOn(port, "06")->isEmpty(), 5000);
        const Status s = proxy.listen(port, echo.port());
        QVERIFY2(s.isOk(), s.toString().c_str());
        Client after(port);
        QVERIFY(after.roundTrip("two", "two"));
    }

    void openConnectionsFollowTheClients()
    {
        Backend echo(Backend::Mode::Echo);
        PortProxy proxy;
        const quint16 port = freePort();
        QVERIFY(proxy.listen(port, echo.port()).isOk());
        QCOMPARE(proxy.openConnections(port), 0);
        std::vector<std::unique_ptr<Client>> clients;
        for (int i = 0; i < 3; ++i) {
            clients.push_back(std::make_unique<Client>(port));
            QVERIFY(clients.back()->roundTrip("ping", "ping"));
        }
        QTRY_COMPARE_WITH_TIMEOUT(proxy.openConnections(port), 3, 5000);

        clients[0]->socket.disconnectFromHost();  // a client leaves
        QTRY_COMPARE_WITH_TIMEOUT(proxy.openConnections(port), 2, 5000);
        QCOMPARE(echo.accepted(), 3);
        echo.closeAll();  // the backend ends the others
        QTRY_VERIFY_WITH_TIMEOUT(clients[1]->closed && clients[2]->closed, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(proxy.openConnections(port), 0, 5000);
        QCOMPARE(proxy.openConnections(freePort()), 0);  // a port not listening
    }

    void aClosingSideIsFlushedFirst()
    {
        PortProxy proxy;
        const quint16 port = freePort();

        // Backend -> client: 3 MiB, then the backend closes at once.
        Backend burst(Backend::Mode::Burst);
        burst.m_burst = pattern(7, 3 * kMiB);
        QVERIFY(proxy.listen(port, burst.port()).isOk());
        Client c(port);
        QTRY_VERIFY_WITH_TIMEOUT(c.closed, 30000);
        QCOMPARE(c.received.size(), burst.m_burst.size());
        QVERIFY2(c.received == burst.m_burst, "the backend's last bytes were altered or lost");

        // Client -> backend: 3 MiB, then the client closes at once.
        Backend collect(Backend::Mode::Collect);
        proxy.setBackend(port, collect.port());
        Client d(port);
        QVERIFY(d.waitConnected());
        const QByteArray payload = pattern(11, 3 * kMiB);
        d.socket.write(payload);
        d.socket.disconnectFromHost();
        QTRY_VERIFY_WITH_TIMEOUT(collect.m_peerClosed, 30000);
        QCOMPARE(collect.m_collected.size(), payload.size());
        QVERIFY2(collect.m_collected == payload, "the client's last bytes were altered or lost");
        QTRY_COMPARE_WITH_TIMEOUT(proxy.openConnections(port), 0, 5000);
    }

    void aStalledBackendPushesBackOnTheClient()
    {
        // Without backpressure the proxy would read all 256 MiB into memory.
        // With it, the client stalls once the kernel buffers (tcp_rmem up to
        // 32 MiB here) and the proxy's ~1.5 MiB are full.
        Backend sink(Backend::Mode::Sink);
        PortProxy proxy;
        const quint16 port = freePort();
        QVERIFY(proxy.listen(port, sink.port()).isOk());
        QTcpSocket socket;
        socket.setProxy(QNetworkProxy::NoProxy);
        Generator gen(socket);
        gen.limit = 256 * kMiB;
        socket.connectToHost(kLoopback, port);
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::ConnectedState, 5000);
        socket.setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, 64 * 1024);

        qint64 last = -1;
        QElapsedTimer unchanged;
        auto stalled = [&] {  // no progress for a whole second
            if (gen.accepted() != last) {
                last = gen.accepted();
                unchanged.restart();
                return false;
            }
            return unchanged.elapsed() >= 1000;
        };
        QTRY_VERIFY_WITH_TIMEOUT(stalled(), 120000);
        QVERIFY2(gen.accepted() < 64 * kMiB,
                 qPrintable(QStringLiteral("the proxy took %1 MiB from a client whose backend reads nothing")
                                .arg(gen.accepted() / kMiB)));

        gen.limit = gen.written;  // stop here; the backend now reads and checks everything
        sink.resume();
        QTRY_VERIFY_WITH_TIMEOUT(sink.m_verified >= gen.limit, 120000);
        QCOMPARE(sink.m_verified, gen.limit);
        QCOMPARE(sink.m_mismatches, qint64(0));
    }

    void listensOnLoopbackOnly()
    {
        Backend echo(Backend::Mode::Echo);
        PortProxy proxy;
        const quint16 port = freePort();
        QVERIFY(proxy.listen(port, echo.port()).isOk());
        const std::optional<QStringList> listening = socketsOn(port, "0A");
        if (!listening)
            QSKIP("no /proc/net/tcp to read the listening address from");
        QCOMPARE(*listening, QStringList{QStringLiteral("0100007F")});  // 127.0.0.1, nothing else

        for (const QHostAddress& address : QNetworkInterface::allAddresses()) {
            if (address.isLoopback() || address.protocol() != QAbstractSocket::IPv4Protocol)
                continue;
            QTcpSocket outside;
            outside.setProxy(QNetworkProxy::NoProxy);
            outside.connectToHost(address, port);
            QTRY_COMPARE_WITH_TIMEOUT(outside.state(), QAbstractSocket::UnconnectedState, 5000);
            QVERIFY2(outside.error() == QAbstractSocket::ConnectionRefusedError, qPrintable(address.toString()));
        }
    }

    void destructorClosesEverything()
    {
        Backend echo(Backend::Mode::Echo);
        const quint16 port = freePort();
        std::unique_ptr<Client> c;
        {
            PortProxy proxy;
            QVERIFY(proxy.listen(port, echo.port()).isOk());
            c = std::make_unique<Client>(port);
            QVERIFY(c->roundTrip("hi", "hi"));
            QCOMPARE(proxy.openConnections(port), 1);
        }
        QTRY_VERIFY_WITH_TIMEOUT(c->closed, 5000);
        QTcpServer rebind;
        rebind.setProxy(QNetworkProxy::NoProxy);
        QVERIFY2(rebind.listen(kLoopback, port), qPrintable(rebind.errorString()));
    }
};

QTEST_GUILESS_MAIN(TestPortProxy)
#include "tst_portproxy.moc"
