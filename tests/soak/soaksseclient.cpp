#include "tests/soak/soaksseclient.h"

namespace paas::soak {

SoakSseClient::SoakSseClient(quint16 port, QObject* parent) : QObject(parent), m_port(port)
{
    connect(&m_socket, &QTcpSocket::connected, this, [this] { m_socket.write(m_request); });
    connect(&m_socket, &QTcpSocket::readyRead, this, [this] { onData(); });
    connect(&m_socket, &QTcpSocket::disconnected, this, [this] { closed(); });
    connect(&m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket.state() != QAbstractSocket::ConnectedState)
            closed();
    });
}

void SoakSseClient::open(const QByteArray& path, uint64_t lastEventId, bool viaQuery)
{
    QByteArray target = path;
    QByteArray extra;
    if (lastEventId && viaQuery)
        target += (path.contains('?') ? "&lastEventId=" : "?lastEventId=") + QByteArray::number(lastEventId);
    else if (lastEventId)
        extra = "Last-Event-ID: " + QByteArray::number(lastEventId) + "\r\n";
    m_request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) +
                "\r\nAccept: text/event-stream\r\n" + extra + "\r\n";
    m_buffer.clear();
    m_status = 0;
    m_open = true;
    m_socket.abort();
    m_socket.connectToHost(QStringLiteral("127.0.0.1"), m_port);
}

void SoakSseClient::abort()
{
    m_open = false;
    m_socket.abort();
}

void SoakSseClient::closed()
{
    if (!m_open)
        return;
    if (m_socket.bytesAvailable() > 0)
        onData();  // the last frames (e.g. the terminal event) may come with the close
    if (!m_open)
        return;  // a frame handler aborted it
    m_open = false;
    if (onClosed)
        onClosed(m_status);
}

void SoakSseClient::onData()
{
    m_buffer += m_socket.readAll();
    if (m_status == 0) {
        const int end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QByteArray first = m_buffer.left(m_buffer.indexOf("\r\n"));
        m_status = first.split(' ').value(1).toInt();
        m_buffer.remove(0, end + 4);
    }
    if (m_status != 200) {
        m_buffer.clear();
        return;
    }
    qsizetype sep;
    qsizetype from = 0;
    while (m_open && (sep = m_buffer.indexOf("\n\n", from)) >= 0) {
        parseFrame(m_buffer.mid(from, sep - from));
        from = sep + 2;
    }
    m_buffer.remove(0, from);
}

void SoakSseClient::parseFrame(const QByteArray& block)
{
    SoakSseFrame f;
    bool any = false;
    for (const QByteArray& line : block.split('\n')) {
        const int colon = line.indexOf(':');
        if (colon <= 0)
            continue;  // comments and field-only lines
        const QByteArray field = line.left(colon);
        const QByteArray value = line.mid(colon + (line.size() > colon + 1 && line[colon + 1] == ' ' ? 2 : 1));
        if (field == "id")
            f.id = value.toULongLong();
        else if (field == "event")
            f.event = value;
        else if (field == "data") {
            f.data += (any ? "\n" : "") + value;
            any = true;
        }
    }
    if (any && onFrame)
        onFrame(f);
}

}  // namespace paas::soak
