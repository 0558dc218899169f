#pragma once
// BearerInterceptor: adds "Authorization: Bearer <token>" to every request
// the desktop window's web engine sends to the paas API's own origin (scheme,
// host and port), and to nothing else, so the token never leaves for a
// foreign site. Used only when the API requires a token (PAAS_API_TOKEN).
// Thread affinity: the web engine calls interceptRequest() on the UI thread;
// the object is immutable after construction.
#include <QByteArray>
#include <QUrl>
#include <QWebEngineUrlRequestInterceptor>

namespace paas {

class BearerInterceptor : public QWebEngineUrlRequestInterceptor {
    Q_OBJECT
public:
    BearerInterceptor(QUrl apiUrl, QByteArray token, QObject* parent = nullptr)
        : QWebEngineUrlRequestInterceptor(parent), m_apiUrl(std::move(apiUrl)), m_token(std::move(token))
    {
    }

    static bool sameOrigin(const QUrl& a, const QUrl& b)
    {
        return a.scheme() == b.scheme() && a.host() == b.host() && a.port(80) == b.port(80);
    }

    void interceptRequest(QWebEngineUrlRequestInfo& info) override
    {
        if (sameOrigin(info.requestUrl(), m_apiUrl))
            info.setHttpHeader("Authorization", "Bearer " + m_token);
    }

private:
    QUrl m_apiUrl;
    QByteArray m_token;
};

}  // namespace paas
