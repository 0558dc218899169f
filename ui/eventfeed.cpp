#include "ui/eventfeed.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace paas {

namespace {
Q_LOGGING_CATEGORY(lcFeed, "paas.ui.eventfeed")
constexpr int kMaxDelayMs = 30000;
}  // namespace

EventFeed::EventFeed(QUrl apiUrl, QObject* parent)
    : QObject(parent), m_apiUrl(std::move(apiUrl)), m_nam(new QNetworkAccessManager(this))
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &EventFeed::openStream);
}

EventFeed::~EventFeed()
{
    stop();
}

QUrl EventFeed::streamUrl() const
{
    QUrl url = m_apiUrl;
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path + QStringLiteral("/api/events"));
    url.setFragment(QString());
    return url;
}

void EventFeed::start()
{
    if (m_running)
        return;
    m_running = true;
    m_currentDelayMs = m_baseDelayMs;
    openStream();
}

void EventFeed::stop()
{
    m_running = false;
    m_reconnectTimer.stop();
    if (m_reply) {
        QNetworkReply* reply = m_reply;
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    m_connected = false;
}

void EventFeed::setReconnectDelayMs(int ms)
{
    m_baseDelayMs = qMax(0, ms);
    m_currentDelayMs = m_baseDelayMs;
}

int EventFeed::reconnectDelayMs() const
{
    return m_parser.retryMs() >= 0 ? m_parser.retryMs() : m_currentDelayMs;
}

void EventFeed::openStream()
{
    if (!m_running || m_reply)
        return;
    QNetworkRequest request(streamUrl());
    request.setRawHeader("Accept", "text/event-stream");
    request.setRawHeader("Cache-Control", "no-cache");
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    if (!m_parser.lastEventId().isEmpty())
        request.setRawHeader("Last-Event-ID", m_parser.lastEventId().toUtf8());
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setTransferTimeout(0);  // a stream is long-lived by design
    m_parser.resetPartial();
    m_gotDataThisStream = false;
    ++m_attempts;
    m_reply = m_nam->get(request);
    connect(m_reply, &QNetworkReply::metaDataChanged, this, [this] {
        const int code = m_reply ? m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() : 0;
        if (code >= 200 && code < 300 && !m_connected) {
            m_connected = true;
            emit connected();
        }
    });
    connect(m_reply, &QNetworkReply::readyRead, this, &EventFeed::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &EventFeed::onFinished);
}

void EventFeed::onReadyRead()
{
    if (!m_reply)
        return;
    const int code = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (code < 200 || code >= 300) {
        m_reply->readAll();  // an error page is not an event stream
        return;
    }
    const QByteArray chunk = m_reply->readAll();
    if (!chunk.isEmpty())
        m_gotDataThisStream = true;
    for (const SseEvent& event : m_parser.feed(chunk))
        deliver(event);
}

void EventFeed::deliver(const SseEvent& event)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(event.data.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        qCWarning(lcFeed) << "dropping event" << event.type << "with non-object data:" << error.errorString();
        return;
    }
    const QJsonObject data = doc.object();
    QString type = event.type;
    if (type == QLatin1String("message") && data.contains(QLatin1String("type")))
        type = data.value(QLatin1String("type")).toString();
    emit opEvent(type, data);
}

void EventFeed::onFinished()
{
    QNetworkReply* reply = m_reply;
    m_reply = nullptr;
    if (!reply)
        return;
    if (reply->bytesAvailable() > 0)
        for (const SseEvent& event : m_parser.feed(reply->readAll()))
            deliver(event);
    const int code = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QString reason = reply->error() != QNetworkReply::NoError ? reply->errorString() : QStringLiteral("stream ended");
    if (code != 0 && (code < 200 || code >= 300))
        reason = QStringLiteral("HTTP %1").arg(code);
    reply->deleteLater();
    m_connected = false;
    qCInfo(lcFeed) << "event stream closed:" << reason;
    emit disconnected(reason);
    scheduleReconnect();
}

void EventFeed::scheduleReconnect()
{
    if (!m_running)
        return;
    if (m_gotDataThisStream)
        m_currentDelayMs = m_baseDelayMs;
    const int delay = reconnectDelayMs();
    if (!m_gotDataThisStream)
        m_currentDelayMs = qMin(kMaxDelayMs, qMax(100, m_currentDelayMs * 2));
    m_reconnectTimer.start(delay);
}

}  // namespace paas
