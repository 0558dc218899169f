#pragma once
// Router: the table of API routes and the HTTP server that dispatches them.
//
// Contract:
//  - Routes are (method, path regex with non-capturing groups except the
//    captures handed to the handler, handler). The first route whose pattern
//    matches the raw (still percent-encoded) path and whose method matches
//    wins; captures are percent-decoded before the handler sees them.
//  - A path that matches only with another method answers 405 with Allow; no
//    match at all is a JSON 404.
//  - Before routing: the Host header must name this server's loopback
//    address (else 421, DNS rebinding), and state-changing methods with a
//    foreign Origin are refused with 403 (CSRF). Requests without Origin
//    (curl, git hooks) pass.
//  - With a bearer token set (PAAS_API_TOKEN), every request must carry
//    "Authorization: Bearer <token>" (compared in constant time), else 401
//    unauthorized with WWW-Authenticate. A request with the token skips the
//    Host/Origin checks: they guard ambient (cookie-less, loopback) trust,
//    which a bearer token replaces, and a server bound beyond loopback is
//    reached under any host name.
//  - Each exchange carries the Router's Offloader: a handler whose work may
//    wait (NATS writes, git, files) runs it there and answers later.
// Thread affinity: the API thread only.
#include "engine/api/httpexchange.h"
#include "engine/api/requestguard.h"

#include <QAbstractHttpServer>
#include <QRegularExpression>

#include <functional>
#include <vector>

namespace paas::api {

class Offloader;

using Handler = std::function<void(HttpExchange&)>;

struct Route {
    QHttpServerRequest::Method method;
    QRegularExpression pattern;
    Handler handler;
};

class Router : public QAbstractHttpServer {
    Q_OBJECT
public:
    explicit Router(QObject* parent = nullptr);

    void add(QHttpServerRequest::Method method, const QString& pattern, Handler handler);
    // Host names (with and without port) that this server answers to.
    void setAllowedAuthority(const QString& host, quint16 port);
    void setBearerToken(const QByteArray& token) { m_bearer = token; }

    // Fallback for GET requests that match no route (static web files).
    void setStaticHandler(Handler handler) { m_static = std::move(handler); }

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    Status checkHostAndOrigin(const QHttpServerRequest& request) const;
    Status checkBearer(const QHttpServerRequest& request) const;
    bool dispatch(HttpExchange& ex, const QString& path);

    std::vector<Route> m_routes;
    Handler m_static;
    AuthorityPolicy m_authority;
    QByteArray m_bearer;
    Offloader* m_offloader;  // child; handed to every exchange
};

}  // namespace paas::api
