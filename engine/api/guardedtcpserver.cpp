#include "engine/api/guardedtcpserver.h"

#include "engine/api/httpexchange.h"
#include "engine/api/requestguard.h"

#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace paas::api {

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
    // QHttpServer writes a response's head and body in two writes: with
    // Nagle on, a body past one segment waits for the client's delayed ACK
    // of the head (~40 ms on Linux; `make bench` P6 measured a 46 KB page at
    // 43 ms instead of 0.6 ms). Responses are whole messages: send at once.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // Connected before QHttpServer's own slot, so it runs first and sees the
    // bytes QHttpServer is about to read (it reads all of them every time).
    auto guard = std::make_shared<RequestGuard>(m_maxBodyBytes);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket, guard] { inspect(socket, *guard); });
    addPendingConnection(socket);
}

void GuardedTcpServer::inspect(QTcpSocket* socket, RequestGuard& guard)
{
    const qint64 available = socket->bytesAvailable();
    if (available > m_maxBodyBytes + kHeadAllowance) {
        reject(socket);
        return;
    }
    // peek() starts where QHttpServer stopped reading: only the new bytes.
    if (guard.feed(socket->peek(available)) == RequestGuard::Verdict::Reject)
        reject(socket);
}

void GuardedTcpServer::reject(QTcpSocket* socket)
{
    // Stop every other reader (QHttpServer) and drop what arrives from now on.
    disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
    socket->readAll();
    const Status status = Status::tooLarge(
        "body_too_large", "request body exceeds the limit of " + std::to_string(m_maxBodyBytes) + " bytes");
    const QByteArray body = QByteArray::fromStdString(errorBody(status).dump());
    socket->write(
        "HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\nConnection: close\r\n"
        "Content-Length: " +
        QByteArray::number(body.size()) + "\r\n\r\n" + body);
    // Close a little later: closing while the client is still sending would
    // reset the connection before it reads the 413.
    QTimer::singleShot(1000, socket, [socket] { socket->disconnectFromHost(); });
}

}  // namespace paas::api
