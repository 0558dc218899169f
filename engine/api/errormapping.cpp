// The one place where engine Status values become HTTP responses.
#include "engine/api/httpexchange.h"

#include "engine/api/requestbody.h"

#include <QTcpSocket>

#include <utility>

namespace paas::api {

namespace {

struct CodeMapping {
    Status::Code code;
    int http;
};

constexpr CodeMapping kMappings[] = {
    {Status::Code::Ok, 200},           {Status::Code::InvalidArgument, 400},
    {Status::Code::Unauthorized, 401}, {Status::Code::Forbidden, 403},
    {Status::Code::NotFound, 404},     {Status::Code::MethodNotAllowed, 405},
    {Status::Code::Conflict, 409},     {Status::Code::TooLarge, 413},
    {Status::Code::Misdirected, 421},  {Status::Code::Unprocessable, 422},
    {Status::Code::Unavailable, 503},  {Status::Code::Internal, 500},
};

}  // namespace

int httpStatusFor(Status::Code code)
{
    for (const CodeMapping& m : kMappings)
        if (m.code == code)
            return m.http;
    return 500;
}

nlohmann::json errorBody(const Status& status)
{
    nlohmann::json error{{"code", status.reason()}, {"message", status.message()}};
    if (!status.details().empty()) {
        nlohmann::json details = nlohmann::json::array();
        for (const FieldError& d : status.details())
            details.push_back({{"path", d.path}, {"message", d.message}});
        error["details"] = std::move(details);
    }
    return {{"error", std::move(error)}};
}

void sendBytes(QHttpServerResponder& responder, int status, const QByteArray& body, const QByteArray& contentType,
               const HeaderPairs& headers)
{
    QTcpSocket* socket = responder.socket();
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(status));
    responder.writeHeader("Content-Type", contentType);
    responder.writeHeader("Content-Length", QByteArray::number(body.size()));
    responder.writeHeader("X-Content-Type-Options", "nosniff");
    responder.writeHeader("Cache-Control", "no-store");
    for (const auto& [name, value] : headers)
        responder.writeHeader(name, value);
    responder.writeBody(body);
}

void sendJson(QHttpServerResponder& responder, int status, const nlohmann::json& body, const HeaderPairs& headers)
{
    sendBytes(responder, status, QByteArray::fromStdString(body.dump()), "application/json", headers);
}

Reply Reply::error(const Status& status)
{
    return {httpStatusFor(status.code()), errorBody(status), errorHeaders(status)};
}

HeaderPairs errorHeaders(const Status& status)
{
    if (status.code() == Status::Code::Unavailable)
        return {{"Retry-After", "2"}};
    return {};
}

void sendError(QHttpServerResponder& responder, const Status& status, const HeaderPairs& headers)
{
    sendJson(responder, httpStatusFor(status.code()), errorBody(status), headers + errorHeaders(status));
}

void sendReply(QHttpServerResponder& responder, const Reply& reply)
{
    if (reply.bytes)
        return sendBytes(responder, reply.status, *reply.bytes, reply.contentType, reply.headers);
    sendJson(responder, reply.status, reply.body, reply.headers);
}

Result<nlohmann::json> jsonBody(const HttpExchange& ex)
{
    return parseJsonObjectBody(ex.request.body());
}

}  // namespace paas::api
