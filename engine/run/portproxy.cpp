#include "engine/run/portproxy.h"

#include "engine/core/tsan.h"

#include <QHostAddress>
#include <QNetworkProxy>
#include <QObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace paas {

namespace {

// Qt's read buffer per socket: a full buffer stops Qt reading the socket, so
// the kernel's window closes and the sender is paused.
constexpr qint64 kReadBufferBytes = 256 * 1024;

// One accepted client and its backend connection, on the proxy thread. Lives
// until both sockets are closed, then reports done and deletes itself.
class ProxyLink : public QObject {
public:
    ProxyLink(QTcpSocket* client, quint16 backendPort, std::function<void()> onDone, QObject* parent);

private:
    void wire();
    void pump(QTcpSocket* from, QTcpSocket* to, bool flush = false);
    void onBackendConnected();
    void onBackendFailed();
    void onSideClosed(QTcpSocket* closed, QTcpSocket* other);
    void checkDone();

    QTcpSocket* m_client;
    QTcpSocket* m_backend;
    QTimer m_connectTimer;
    std::function<void()> m_onDone;
    bool m_backendUp = false;
    bool m_done = false;
};

ProxyLink::ProxyLink(QTcpSocket* client, quint16 backendPort, std::function<void()> onDone, QObject* parent)
    : QObject(parent), m_client(client), m_backend(new QTcpSocket(this)), m_onDone(std::move(onDone))
{
    m_client->setParent(this);
    m_client->setReadBufferSize(kReadBufferBytes);
    m_client->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_backend->setReadBufferSize(kReadBufferBytes);
    m_backend->setProxy(QNetworkProxy::NoProxy);
    m_connectTimer.setSingleShot(true);
    wire();
    m_connectTimer.start(PortProxy::kConnectTimeoutMs);
    m_backend->connectToHost(QHostAddress(QHostAddress::LocalHost), backendPort);
}

void ProxyLink::wire()
{
    connect(m_client, &QTcpSocket::readyRead, this, [this] { pump(m_client, m_backend); });
    connect(m_backend, &QTcpSocket::readyRead, this, [this] { pump(m_backend, m_client); });
    // A write buffer that drained lets the other side be read again.
    connect(m_client, &QTcpSocket::bytesWritten, this, [this] { pump(m_backend, m_client); });
    connect(m_backend, &QTcpSocket::bytesWritten, this, [this] { pump(m_client, m_backend); });
    connect(m_backend, &QTcpSocket::connected, this, &ProxyLink::onBackendConnected);
    connect(m_backend, &QTcpSocket::errorOccurred, this, [this] {
        if (!m_backendUp)
            onBackendFailed();
    });
    connect(&m_connectTimer, &QTimer::timeout, this, &ProxyLink::onBackendFailed);
    connect(m_client, &QTcpSocket::disconnected, this, [this] { onSideClosed(m_client, m_backend); });
    connect(m_backend, &QTcpSocket::disconnected, this, [this] { onSideClosed(m_backend, m_client); });
}

// Moves what `from` has buffered to `to`, unless `to` already holds
// kHighWater unsent bytes (then bytesWritten of `to` calls again). `flush`
// ignores the limit: `from` is closed and its last bytes must go out.
void ProxyLink::pump(QTcpSocket* from, QTcpSocket* to, bool flush)
{
    if (!m_backendUp || !from->isOpen() || to->state() != QAbstractSocket::ConnectedState)
        return;
    if (!flush && to->bytesToWrite() >= PortProxy::kHighWater)
        return;
    // readAll() drains Qt's buffer, which re-enables reading from the socket.
    const QByteArray chunk = from->readAll();
    if (!chunk.isEmpty())
        to->write(chunk);
}

void ProxyLink::onBackendConnected()
{
    m_connectTimer.stop();
    m_backendUp = true;
    m_backend->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (m_client->state() == QAbstractSocket::ConnectedState) {
        pump(m_client, m_backend);
        return;
    }
    // The client left while the backend was connecting: deliver what it sent.
    pump(m_client, m_backend, true);
    m_backend->disconnectFromHost();
    checkDone();
}

void ProxyLink::onBackendFailed()
{
    if (m_backendUp || m_done)
        return;
    m_connectTimer.stop();
    m_backend->abort();
    m_client->disconnectFromHost();
    checkDone();
}

void ProxyLink::onSideClosed(QTcpSocket* closed, QTcpSocket* other)
{
    if (other == m_backend && !m_backendUp) {
        // Still connecting: onBackendConnected() delivers and closes, or the
        // connect fails or times out.
        checkDone();
        return;
    }
    if (other->state() == QAbstractSocket::ConnectedState) {
        pump(closed, other, true);
        other->disconnectFromHost();  // after its write buffer is flushed
    }
    checkDone();
}

void ProxyLink::checkDone()
{
    if (m_done || m_client->state() != QAbstractSocket::UnconnectedState ||
        m_backend->state() != QAbstractSocket::UnconnectedState)
        return;
    m_done = true;
    m_connectTimer.stop();
    m_onDone();
    deleteLater();  // never delete a socket inside its own signal
}

}  // namespace

// The port table: shared by the public methods (any thread) and the worker.
class PortProxy::Routes {
public:
    void add(quint16 port, quint16 backendPort)
    {
        std::lock_guard lock(m_mutex);
        m_routes[port] = Route{backendPort, 0};
    }
    void remove(quint16 port)
    {
        std::lock_guard lock(m_mutex);
        m_routes.erase(port);
    }
    bool update(quint16 port, quint16 backendPort)  // false when not listening
    {
        std::lock_guard lock(m_mutex);
        auto it = m_routes.find(port);
        if (it == m_routes.end())
            return false;
        it->second.backendPort = backendPort;
        return true;
    }
    std::optional<quint16> backend(quint16 port) const
    {
        std::lock_guard lock(m_mutex);
        auto it = m_routes.find(port);
        return it == m_routes.end() ? std::nullopt : std::optional<quint16>(it->second.backendPort);
    }
    void countConnection(quint16 port, int delta)
    {
        std::lock_guard lock(m_mutex);
        auto it = m_routes.find(port);
        if (it != m_routes.end())
            it->second.connections += delta;
    }
    int connections(quint16 port) const
    {
        std::lock_guard lock(m_mutex);
        auto it = m_routes.find(port);
        return it == m_routes.end() ? 0 : it->second.connections;
    }

private:
    struct Route {
        quint16 backendPort = 0;
        int connections = 0;
    };
    mutable std::mutex m_mutex;
    std::map<quint16, Route> m_routes;
};

// Owns the listeners (and, through them, every ProxyLink) on the proxy thread.
class PortProxy::Worker : public QObject {
public:
    explicit Worker(Routes& routes) : m_routes(routes) {}
    ~Worker() override { closeAll(); }
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    Status listen(quint16 port, quint16 backendPort);
    void close(quint16 port);
    void closeAll();

private:
    void accept(QTcpServer* server, quint16 port);

    Routes& m_routes;
    std::map<quint16, QTcpServer*> m_servers;
};

Status PortProxy::Worker::listen(quint16 port, quint16 backendPort)
{
    if (m_servers.count(port) != 0) {
        m_routes.update(port, backendPort);
        return Status::ok();
    }
    auto* server = new QTcpServer(this);
    server->setProxy(QNetworkProxy::NoProxy);
    if (!server->listen(QHostAddress(QHostAddress::LocalHost), port)) {
        Status status = Status::unavailable("port_in_use", "cannot listen on 127.0.0.1:" + std::to_string(port) + " (" +
                                                               server->errorString().toStdString() + ")");
        delete server;
        return status;
    }
    m_routes.add(port, backendPort);
    m_servers[port] = server;
    connect(server, &QTcpServer::newConnection, this, [this, server, port] { accept(server, port); });
    return Status::ok();
}

void PortProxy::Worker::accept(QTcpServer* server, quint16 port)
{
    while (QTcpSocket* client = server->nextPendingConnection()) {
        const std::optional<quint16> backendPort = m_routes.backend(port);
        if (!backendPort) {
            client->abort();
            client->deleteLater();
            continue;
        }
        m_routes.countConnection(port, +1);
        Routes& routes = m_routes;
        // The link is the server's child: close(port) deletes it with the server.
        new ProxyLink(
            client, *backendPort, [&routes, port] { routes.countConnection(port, -1); }, server);
    }
}

void PortProxy::Worker::close(quint16 port)
{
    auto it = m_servers.find(port);
    if (it == m_servers.end())
        return;
    m_routes.remove(port);
    delete it->second;  // closes the listener and aborts its links' sockets
    m_servers.erase(it);
}

void PortProxy::Worker::closeAll()
{
    while (!m_servers.empty())
        close(m_servers.begin()->first);
}

PortProxy::PortProxy() : m_routes(std::make_unique<Routes>()), m_thread(new QThread)
{
    m_thread->setObjectName(QStringLiteral("paas-proxy"));
    m_worker = new Worker(*m_routes);
    m_worker->moveToThread(m_thread);
    m_thread->start();
}

PortProxy::~PortProxy()
{
    runOnProxyThread([this] { m_worker->closeAll(); });
    // Deleted on the proxy thread: by its event loop, or as the thread ends.
    m_worker->deleteLater();
    m_worker = nullptr;
    m_thread->quit();
    if (!m_thread->wait(QDeadlineTimer(kStopTimeoutMs))) {
        qWarning("PortProxy: the proxy thread did not stop within %d ms; leaving it", kStopTimeoutMs);
        return;  // deleting a running QThread would abort the process
    }
    delete m_thread;
}

void PortProxy::runOnProxyThread(const std::function<void()>& fn) const
{
    if (QThread::currentThread() == m_thread) {
        Q_ASSERT_X(false, "PortProxy", "listen/close/~PortProxy called from the proxy thread");
        fn();  // a blocking queued call to our own thread would deadlock
        return;
    }
    int done = 0;
    QMetaObject::invokeMethod(m_worker, tsan::handOff([&fn, &done] {
                                  fn();
                                  tsan::release(&done);
                              }),
                              Qt::BlockingQueuedConnection);
    tsan::acquire(&done);
}

Status PortProxy::listen(quint16 port, quint16 backendPort)
{
    if (port == 0)
        return Status::invalidArgument("invalid_port", "the proxy needs a fixed port to listen on, not 0");
    if (m_routes->update(port, backendPort))
        return Status::ok();  // already listening: only the backend changes
    Status status;
    runOnProxyThread([this, &status, port, backendPort] { status = m_worker->listen(port, backendPort); });
    return status;
}

void PortProxy::setBackend(quint16 port, quint16 backendPort)
{
    m_routes->update(port, backendPort);
}

void PortProxy::close(quint16 port)
{
    runOnProxyThread([this, port] { m_worker->close(port); });
}

std::optional<quint16> PortProxy::backend(quint16 port) const
{
    return m_routes->backend(port);
}

int PortProxy::openConnections(quint16 port) const
{
    return m_routes->connections(port);
}

}  // namespace paas
