#include "engine/api/router.h"

#include "engine/api/offloader.h"

#include <QTcpSocket>
#include <QUrl>

namespace paas::api {

namespace {

struct MethodName {
    QHttpServerRequest::Method method;
    const char* name;
    bool changesState;
};

constexpr MethodName kMethods[] = {
    {QHttpServerRequest::Method::Get, "GET", false},         {QHttpServerRequest::Method::Head, "HEAD", false},
    {QHttpServerRequest::Method::Options, "OPTIONS", false}, {QHttpServerRequest::Method::Post, "POST", true},
    {QHttpServerRequest::Method::Put, "PUT", true},          {QHttpServerRequest::Method::Patch, "PATCH", true},
    {QHttpServerRequest::Method::Delete, "DELETE", true},
};

const MethodName* methodInfo(QHttpServerRequest::Method m)
{
    for (const MethodName& info : kMethods)
        if (info.method == m)
            return &info;
    return nullptr;
}

}  // namespace

Router::Router(QObject* parent) : QAbstractHttpServer(parent), m_offloader(new Offloader(this)) {}

void Router::add(QHttpServerRequest::Method method, const QString& pattern, Handler handler)
{
    m_routes.push_back({method, QRegularExpression("^" + pattern + "$"), std::move(handler)});
}

void Router::setAllowedAuthority(const QString& host, quint16 port)
{
    m_authority.allow(host, port);
}

Status Router::checkHostAndOrigin(const QHttpServerRequest& request) const
{
    const MethodName* info = methodInfo(request.method());
    return m_authority.check(request.value("Host"), request.value("Origin"), info && info->changesState);
}

Status Router::checkBearer(const QHttpServerRequest& request) const
{
    if (bearerMatches(request.value("Authorization"), m_bearer))
        return Status::ok();
    return {Status::Code::Unauthorized, "unauthorized",
            "this server requires Authorization: Bearer <token> (PAAS_API_TOKEN or <root>/.paas/api-token)"};
}

bool Router::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket)
{
    HttpExchange ex{request, socket, {}, makeResponder(request, socket), m_offloader};
    if (!m_bearer.isEmpty()) {
        if (Status s = checkBearer(request); !s) {
            sendError(ex, s, {{"WWW-Authenticate", "Bearer realm=\"paas\""}});
            return true;
        }
    } else if (Status s = checkHostAndOrigin(request); !s) {
        sendError(ex, s);
        return true;
    }
    const QString path = request.url().path(QUrl::FullyEncoded);
    if (dispatch(ex, path))
        return true;
    if (request.method() == QHttpServerRequest::Method::Get && m_static && !path.startsWith("/api/")) {
        ex.args = QStringList{QUrl::fromPercentEncoding(path.toUtf8())};
        m_static(ex);
        return true;
    }
    sendError(ex, Status::notFound("route_not_found", "no route for " + path.toStdString()));
    return true;
}

bool Router::dispatch(HttpExchange& ex, const QString& path)
{
    QStringList allowed;
    for (const Route& route : m_routes) {
        const QRegularExpressionMatch match = route.pattern.match(path);
        if (!match.hasMatch())
            continue;
        if (route.method != ex.request.method()) {
            if (const MethodName* info = methodInfo(route.method))
                allowed << QString::fromLatin1(info->name);
            continue;
        }
        for (int i = 1; i <= match.lastCapturedIndex(); ++i)
            ex.args << QUrl::fromPercentEncoding(match.captured(i).toUtf8());
        route.handler(ex);
        return true;
    }
    if (allowed.isEmpty())
        return false;
    allowed.removeDuplicates();
    sendError(ex,
              {Status::Code::MethodNotAllowed, "method_not_allowed",
               "method not allowed; use " + allowed.join(", ").toStdString()},
              {{"Allow", allowed.join(", ").toLatin1()}});
    return true;
}

void Router::missingHandler(const QHttpServerRequest& request, QTcpSocket* socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    sendError(responder, Status::notFound("route_not_found", "no route"));
}

}  // namespace paas::api
