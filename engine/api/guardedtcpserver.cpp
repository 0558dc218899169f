#include "engine/api/guardedtcpserver.h"

#include "engine/api/httpexchange.h"

#include <QTcpSocket>
#include <QTimer>

namespace paas::api {

namespace {

constexpr qint64 kHeadAllowance = 64 * 1024;

// The declared Content-Length of a complete request head, or -1.
qint64 declaredLength(const QByteArray& head)
{
    for (const QByteArray& line : head.split('\n')) {
        const int colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == "content-length") {
            bool ok = false;
            const qint64 n = line.mid(colon + 1).trimmed().toLongLong(&ok);
            return ok ? n : -1;
        }
    }
    return -1;
}

}  // namespace

GuardedTcpServer::GuardedTcpServer(qint64 maxBodyBytes, QObject* parent)
    : QTcpServer(parent), m_maxBodyBytes(maxBodyBytes)
{
}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    auto* socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    // Connected before QHttpServer's own slot, so it runs first.
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { inspect(socket); });
    addPendingConnection(socket);
}

void GuardedTcpServer::inspect(QTcpSocket* socket)
{
    const qint64 available = socket->bytesAvailable();
    if (available > m_maxBodyBytes + kHeadAllowance) {
        reject(socket);
        return;
    }
    const QByteArray peeked = socket->peek(kHeadAllowance);
    const int headEnd = peeked.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return;
    if (declaredLength(peeked.left(headEnd)) > m_maxBodyBytes)
        reject(socket);
}

void GuardedTcpServer::reject(QTcpSocket* socket)
{
    // Stop every other reader (QHttpServer) and drop what arrives from now on.
    disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
    socket->readAll();
    const Status status = Status::tooLarge("body_too_large",
        "request body exceeds the limit of " + std::to_string(m_maxBodyBytes) + " bytes");
    const QByteArray body = QByteArray::fromStdString(errorBody(status).dump());
    socket->write("HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\nConnection: close\r\n"
                  "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    // Close a little later: closing while the client is still sending would
    // reset the connection before it reads the 413.
    QTimer::singleShot(1000, socket, [socket] { socket->disconnectFromHost(); });
}

}  // namespace paas::api
