// The one place where engine Status values become HTTP responses.
#include "engine/api/httpexchange.h"

#include <QTcpSocket>

#include <utility>

namespace paas::api {

namespace {

struct CodeMapping {
    Status::Code code;
    int http;
};

constexpr CodeMapping kMappings[] = {
    {Status::Code::Ok, 200},
    {Status::Code::InvalidArgument, 400},
    {Status::Code::Unauthorized, 401},
    {Status::Code::Forbidden, 403},
    {Status::Code::NotFound, 404},
    {Status::Code::MethodNotAllowed, 405},
    {Status::Code::Conflict, 409},
    {Status::Code::TooLarge, 413},
    {Status::Code::Misdirected, 421},
    {Status::Code::Unprocessable, 422},
    {Status::Code::Unavailable, 503},
    {Status::Code::Internal, 500},
};

constexpr int kMaxJsonDepth = 64;

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

void sendBytes(QHttpServerResponder& responder, int status, const QByteArray& body,
               const QByteArray& contentType, const HeaderPairs& headers)
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
    sendJson(responder, reply.status, reply.body, reply.headers);
}

Result<nlohmann::json> jsonBody(const HttpExchange& ex)
{
    const QByteArray body = ex.request.body();
    if (body.trimmed().isEmpty())
        return Status::invalidArgument("malformed_json", "request body is empty; expected a JSON object");
    int depth = 0;
    bool tooDeep = false;
    auto limiter = [&](int, nlohmann::json::parse_event_t event, nlohmann::json&) {
        if (event == nlohmann::json::parse_event_t::object_start || event == nlohmann::json::parse_event_t::array_start)
            tooDeep |= ++depth > kMaxJsonDepth;
        else if (event == nlohmann::json::parse_event_t::object_end || event == nlohmann::json::parse_event_t::array_end)
            --depth;
        return !tooDeep;
    };
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(body.constData(), body.constData() + body.size(), limiter);
    } catch (const nlohmann::json::parse_error& e) {
        return Status::invalidArgument("malformed_json", std::string("request body is not valid JSON: ") + e.what());
    }
    if (tooDeep)
        return Status::tooLarge("too_deep", "JSON nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    if (!doc.is_object())
        return Status::invalidArgument("malformed_json", "request body must be a JSON object");
    return doc;
}

}  // namespace paas::api
