#pragma once
// EventFeed: client of the app's global op event stream, GET <url>/api/events
// (text/event-stream), over QNetworkAccessManager.
//
// Emits opEvent(type, data) for every event whose data is a JSON object: type
// is the SSE `event:` field (e.g. op.status, step.started, step.completed,
// step.failed, op.completed, op.failed, op.heartbeat, op.bootstrap), or the
// data's "type" member when the frame had no event: field. Data that is not a
// JSON object is logged and dropped.
//
// Guarantees:
//   - Reconnects forever after the stream ends or fails (until stop()), after
//     reconnectDelayMs(): the server's `retry:` value when it sent one, else
//     the configured delay, doubled after each failed attempt up to 30 s and
//     reset once a stream delivers data.
//   - Every reconnection carries `Last-Event-ID: <last id seen>` so the server
//     replays what was missed.
//   - No exceptions; network errors are reported through disconnected().
//
// Thread affinity: a QObject of the thread that created it (GUI thread);
// call everything from that thread.
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include "ui/sseparser.h"

class QNetworkAccessManager;
class QNetworkReply;

namespace paas {

class EventFeed : public QObject {
    Q_OBJECT
public:
    // apiUrl is the API base, e.g. http://127.0.0.1:8080 (a path prefix is kept).
    explicit EventFeed(QUrl apiUrl, QObject* parent = nullptr);
    ~EventFeed() override;

    QUrl streamUrl() const;
    // Sent as "Authorization: Bearer <token>" when the API requires one.
    void setApiToken(const QByteArray& token) { m_token = token; }
    void start();
    void stop();
    bool isConnected() const { return m_connected; }

    QString lastEventId() const { return m_parser.lastEventId(); }
    // Delay before the first reconnection attempt (default 1000 ms).
    void setReconnectDelayMs(int ms);
    int reconnectDelayMs() const;
    int connectionAttempts() const { return m_attempts; }

signals:
    void opEvent(const QString& type, const QJsonObject& data);
    void connected();                          // response headers received (2xx)
    void disconnected(const QString& reason);  // stream ended or failed; a reconnect follows

private:
    void openStream();
    void onReadyRead();
    void onFinished();
    void scheduleReconnect();
    void deliver(const SseEvent& event);

    QUrl m_apiUrl;
    QNetworkAccessManager* m_nam = nullptr;
    QPointer<QNetworkReply> m_reply;
    QTimer m_reconnectTimer;
    SseParser m_parser;
    bool m_running = false;
    bool m_connected = false;
    bool m_gotDataThisStream = false;
    int m_baseDelayMs = 1000;
    int m_currentDelayMs = 1000;
    int m_attempts = 0;
    QByteArray m_token;
};

}  // namespace paas
