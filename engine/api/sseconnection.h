#pragma once
// SseConnection: one open text/event-stream response, and the SSE frame
// format.
//
// Contract:
//  - Takes over the exchange's responder (moved in) and holds the client's
//    socket in a QPointer. Every write first checks that the socket still
//    exists and is ConnectedState: writing after the client left is a
//    use-after-free crash in Qt 6.4 (DESIGN.md §7), so it never happens here.
//  - open() writes the status line and headers while the request is still
//    alive (inside the route handler); frames are written raw afterwards.
//  - gone() is emitted exactly once: when the client disconnects, when the
//    socket is destroyed, or after close()/abort(). After that every send()
//    is a no-op returning false.
//  - close() flushes what is buffered and then closes the connection (the
//    body of an SSE response ends with the connection); abort() drops it now.
// Thread affinity: the API thread (the thread of the socket) only.
#include "engine/api/httpexchange.h"

#include <QObject>
#include <QPointer>
#include <QTcpSocket>

#include <cstdint>

namespace paas::api {

struct SseFrame {
    uint64_t id = 0;  // 0: no id: line (bootstrap, heartbeat)
    QByteArray event;
    QByteArray data;   // one JSON line; embedded newlines become data: lines
    int retryMs = -1;  // >= 0: a retry: line
};

QByteArray formatSseFrame(const SseFrame& frame);

class SseConnection : public QObject {
    Q_OBJECT
public:
    SseConnection(QHttpServerResponder&& responder, QObject* parent = nullptr);
    ~SseConnection() override;

    // Writes "200 text/event-stream" and the headers; false if the client left.
    bool open();
    bool send(const QByteArray& bytes);
    void close();
    void abort();

    bool isOpen() const;
    qint64 pendingBytes() const;                 // written but not yet sent to the client
    qint64 sentBytes() const { return m_sent; }  // handed to the kernel so far

signals:
    void gone();

private:
    void markGone();

    QHttpServerResponder m_responder;
    QPointer<QTcpSocket> m_socket;
    bool m_gone = false;
    qint64 m_sent = 0;
};

}  // namespace paas::api
