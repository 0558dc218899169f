#pragma once
// TestHttpServer: a tiny in-test HTTP/1.1 server on 127.0.0.1 (QTcpServer),
// used by the ui integration tests as the "app" the desktop shell talks to.
//
//   GET a path added with addRoute()  -> 200 with that route's headers + body.
//   GET <anything else but /api/events> -> 200 text/html with page(), then close.
//   GET /api/events                 -> 200 text/event-stream; the connection
//                                      stays open, sendToStreams() writes SSE
//                                      frames, closeStreams() ends them.
// Every request's method, path and headers (lower-cased names) are recorded.
// Only what a test fixture needs: one request per connection, no bodies.
//
// Thread affinity: the test's (GUI) thread.
#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

class TestHttpServer : public QObject {
    Q_OBJECT
public:
    struct Request {
        QByteArray method;
        QByteArray path;
        QHash<QByteArray, QByteArray> headers;  // lower-cased names
    };

    explicit TestHttpServer(QObject* parent = nullptr) : QObject(parent)
    {
        connect(&m_server, &QTcpServer::newConnection, this, &TestHttpServer::onNewConnection);
    }

    bool start(quint16 port = 0) { return m_server.listen(QHostAddress::LocalHost, port); }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort())); }

    void setPage(const QByteArray& html) { m_page = html; }
    // headers: complete header lines, each ending in "\r\n".
    void addRoute(const QByteArray& path, const QByteArray& headers, const QByteArray& body)
    {
        m_routes.insert(path, {headers, body});
    }
    const QList<Request>& requests() const { return m_requests; }
    QList<Request> streamRequests() const
    {
        QList<Request> out;
        for (const Request& r : m_requests)
            if (r.path.startsWith("/api/events"))
                out.append(r);
        return out;
    }
    int openStreams() const
    {
        int n = 0;
        for (const auto& s : m_streams)
            n += (s && s->state() == QAbstractSocket::ConnectedState) ? 1 : 0;
        return n;
    }

    // Writes raw bytes (one or more SSE frames) to every open stream.
    void sendToStreams(const QByteArray& bytes)
    {
        for (const auto& s : m_streams)
            if (s && s->state() == QAbstractSocket::ConnectedState) {
                s->write(bytes);
                s->flush();
            }
    }
    // Convenience: one complete frame.
    void sendEvent(const QByteArray& id, const QByteArray& type, const QByteArray& json)
    {
        QByteArray frame;
        if (!id.isEmpty())
            frame += "id: " + id + "\n";
        frame += "event: " + type + "\ndata: " + json + "\n\n";
        sendToStreams(frame);
    }
    void closeStreams()
    {
        for (const auto& s : m_streams)
            if (s)
                s->disconnectFromHost();
        m_streams.clear();
    }

signals:
    void requestReceived();

private:
    void onNewConnection()
    {
        while (QTcpSocket* socket = m_server.nextPendingConnection()) {
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        }
    }

    void onReadyRead(QTcpSocket* socket)
    {
        QByteArray& buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        m_buffers.remove(socket);
        Request request;
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        request.method = first.value(0);
        request.path = first.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                request.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
        }
        m_requests.append(request);
        if (request.path.startsWith("/api/events")) {
            socket->write(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                "Connection: close\r\n\r\n");
            socket->flush();
            m_streams.append(socket);
        } else {
            const auto route =
                m_routes.value(request.path, {QByteArray("Content-Type: text/html; charset=utf-8\r\n"), m_page});
            socket->write("HTTP/1.1 200 OK\r\n" + route.first + "Content-Length: " +
                          QByteArray::number(route.second.size()) + "\r\nConnection: close\r\n\r\n" + route.second);
            socket->disconnectFromHost();
        }
        emit requestReceived();
    }

    QTcpServer m_server;
    QByteArray m_page = "<html><body>paas test</body></html>";
    QHash<QByteArray, QPair<QByteArray, QByteArray>> m_routes;
    QList<Request> m_requests;
    QList<QPointer<QTcpSocket>> m_streams;
    QHash<QTcpSocket*, QByteArray> m_buffers;
};
