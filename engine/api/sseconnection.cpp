#include "engine/api/sseconnection.h"

namespace paas::api {

QByteArray formatSseFrame(const SseFrame& frame)
{
    QByteArray out;
    out.reserve(frame.data.size() + frame.event.size() + 48);
    if (frame.retryMs >= 0)
        out += "retry: " + QByteArray::number(frame.retryMs) + '\n';
    if (frame.id > 0)
        out += "id: " + QByteArray::number(static_cast<qulonglong>(frame.id)) + '\n';
    if (!frame.event.isEmpty())
        out += "event: " + frame.event + '\n';
    if (!frame.data.isNull()) {
        for (const QByteArray& line : frame.data.split('\n'))
            out += "data: " + line + '\n';
    }
    out += '\n';
    return out;
}

SseConnection::SseConnection(QHttpServerResponder&& responder, QObject* parent)
    : QObject(parent), m_responder(std::move(responder)), m_socket(m_responder.socket())
{
    if (!m_socket) {
        m_gone = true;
        return;
    }
    connect(m_socket, &QAbstractSocket::disconnected, this, &SseConnection::markGone);
    connect(m_socket, &QIODevice::bytesWritten, this, [this](qint64 n) { m_sent += n; });
    connect(m_socket, &QObject::destroyed, this, &SseConnection::markGone);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (!isOpen())
            markGone();
    });
}

SseConnection::~SseConnection()
{
    if (m_socket)
        disconnect(m_socket, nullptr, this, nullptr);
}

bool SseConnection::isOpen() const
{
    return !m_gone && m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

qint64 SseConnection::pendingBytes() const
{
    return isOpen() ? m_socket->bytesToWrite() : 0;
}

bool SseConnection::open()
{
    if (!isOpen())
        return false;
    m_responder.writeStatusLine(QHttpServerResponder::StatusCode::Ok);
    m_responder.writeHeader("Content-Type", "text/event-stream; charset=utf-8");
    m_responder.writeHeader("Cache-Control", "no-cache, no-store");
    m_responder.writeHeader("Connection", "close");
    m_responder.writeHeader("X-Accel-Buffering", "no");
    m_responder.writeHeader("X-Content-Type-Options", "nosniff");
    m_responder.writeBody(QByteArray());  // ends the head
    return true;
}

bool SseConnection::send(const QByteArray& bytes)
{
    if (!isOpen())
        return false;
    m_responder.writeBody(bytes);
    return true;
}

void SseConnection::close()
{
    if (isOpen())
        m_socket->disconnectFromHost();  // sends what is buffered first
    markGone();
}

void SseConnection::abort()
{
    if (isOpen())
        m_socket->abort();
    markGone();
}

void SseConnection::markGone()
{
    if (m_gone)
        return;
    m_gone = true;
    emit gone();
}

}  // namespace paas::api
