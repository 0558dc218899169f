#pragma once
// Test support: a raw HTTP/1.1 SSE client on a QTcpSocket (no QNAM, so a
// test can run hundreds of them, abort them, or stop reading). Parses the
// response head and the SSE frames as they arrive.
// Thread affinity: the thread that created it (uses that thread's event loop).
#include <nlohmann/json.hpp>

#include <QElapsedTimer>
#include <QTcpSocket>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace paas::test {

struct SseTestFrame {
    uint64_t id = 0;  // 0: the frame had no id:
    std::string event;
    std::string data;
    int retry = -1;
    qint64 receivedAtMs = 0;  // QElapsedTimer clock of the client
    nlohmann::json json() const { return nlohmann::json::parse(data, nullptr, false); }
};

class SseTestClient : public QObject {
public:
    SseTestClient(quint16 port, const QByteArray& path, const QByteArray& lastEventId = {}, QObject* parent = nullptr)
        : QObject(parent), m_port(port), m_path(path), m_lastEventId(lastEventId)
    {
        m_clock.start();
        connect(&m_socket, &QTcpSocket::connected, this, [this] {
            QByteArray req = "GET " + m_path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) +
                             "\r\nAccept: text/event-stream\r\n";
            if (!m_lastEventId.isEmpty())
                req += "Last-Event-ID: " + m_lastEventId + "\r\n";
            m_socket.write(req + "\r\n");
            m_everConnected = true;
        });
        connect(&m_socket, &QTcpSocket::readyRead, this, [this] { onData(m_socket.readAll()); });
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] { m_closed = true; });
        connect(&m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
            if (e == QAbstractSocket::RemoteHostClosedError || m_socket.state() != QAbstractSocket::ConnectedState)
                m_closed = true;
        });
    }

    void start() { m_socket.connectToHost(QStringLiteral("127.0.0.1"), m_port); }
    void abort()
    {
        m_socket.abort();
        m_closed = true;
    }
    // Stop reading: the kernel buffers fill and the server's send buffer grows.
    void stopReading() { m_socket.setReadBufferSize(1); }
    QTcpSocket& socket() { return m_socket; }

    int status() const { return m_status; }
    bool closed() const { return m_closed; }
    // Connected at some point (a short response may already have closed it).
    bool everConnected() const { return m_everConnected; }
    const QByteArray& head() const { return m_head; }
    const QByteArray& body() const { return m_body; }
    const std::vector<SseTestFrame>& frames() const { return m_frames; }
    std::vector<SseTestFrame> framesOf(const std::string& event) const
    {
        std::vector<SseTestFrame> out;
        for (const SseTestFrame& f : m_frames)
            if (f.event == event)
                out.push_back(f);
        return out;
    }
    // Frames with an id (the events of the log), in arrival order.
    std::vector<uint64_t> ids() const
    {
        std::vector<uint64_t> out;
        for (const SseTestFrame& f : m_frames)
            if (f.id)
                out.push_back(f.id);
        return out;
    }
    std::function<void(const SseTestFrame&)> onFrame;
    qint64 nowMs() const { return m_clock.elapsed(); }

private:
    void onData(const QByteArray& bytes)
    {
        m_buffer += bytes;
        if (m_status == 0) {
            const int end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            m_head = m_buffer.left(end);
            m_buffer.remove(0, end + 4);
            const QList<QByteArray> first = m_head.split('\n').value(0).split(' ');
            m_status = first.value(1).toInt();
        }
        if (m_status != 200) {
            m_body += m_buffer;
            m_buffer.clear();
            return;
        }
        int sep;
        while ((sep = m_buffer.indexOf("\n\n")) >= 0) {
            parseFrame(m_buffer.left(sep));
            m_buffer.remove(0, sep + 2);
        }
    }

    void parseFrame(const QByteArray& block)
    {
        SseTestFrame f;
        bool any = false;
        for (const QByteArray& line : block.split('\n')) {
            const int colon = line.indexOf(':');
            const QByteArray field = colon < 0 ? line : line.left(colon);
            QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
            if (value.startsWith(' '))
                value.remove(0, 1);
            if (field == "id")
                f.id = value.toULongLong();
            else if (field == "event")
                f.event = value.toStdString();
            else if (field == "retry")
                f.retry = value.toInt();
            else if (field == "data") {
                f.data += (any ? "\n" : "") + value.toStdString();
                any = true;
            }
        }
        if (!any)
            return;  // e.g. the feed's leading retry: block
        f.receivedAtMs = m_clock.elapsed();
        m_frames.push_back(f);
        if (onFrame)
            onFrame(m_frames.back());
    }

    QTcpSocket m_socket;
    quint16 m_port;
    QByteArray m_path, m_lastEventId;
    QByteArray m_buffer, m_head, m_body;
    int m_status = 0;
    bool m_closed = false;
    bool m_everConnected = false;
    std::vector<SseTestFrame> m_frames;
    QElapsedTimer m_clock;
};

}  // namespace paas::test
