#pragma once
// HttpExchange: one request being answered, plus the helpers that write JSON
// answers and errors in the one error shape of docs/API_CONTRACTS.md.
//
// Contract: a handler either answers through the exchange's responder before
// it returns, or moves the responder into a longer-lived object (SSE, the
// legacy endpoints that wait for an op). Every engine Status becomes HTTP in
// exactly one place: sendError() (see errormapping.cpp).
// Thread affinity: the API thread only.
#include "engine/core/status.h"

#include <nlohmann/json.hpp>

#include <optional>

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QList>
#include <QPair>
#include <QStringList>

class QTcpSocket;

namespace paas::api {

class Offloader;

using HeaderPairs = QList<QPair<QByteArray, QByteArray>>;

struct HttpExchange {
    const QHttpServerRequest& request;
    QTcpSocket* socket;
    QStringList args;  // route captures, percent-decoded
    QHttpServerResponder responder;
    Offloader* offloader = nullptr;  // runs waiting work off the API thread (offloader.h)
};

// HTTP status for a Status code (the single mapping table).
int httpStatusFor(Status::Code code);
nlohmann::json errorBody(const Status& status);
// Headers an error answer carries: Retry-After on 503.
HeaderPairs errorHeaders(const Status& status);

// An answer computed before it is sent (e.g. off the API thread, offloader.h).
struct Reply {
    int status = 200;
    nlohmann::json body;
    HeaderPairs headers;
    // Set for a non-JSON answer (a file): sent as is, with contentType.
    std::optional<QByteArray> bytes;
    QByteArray contentType;

    static Reply json(int status, nlohmann::json body) { return {status, std::move(body), {}, {}, {}}; }
    static Reply raw(int status, QByteArray data, QByteArray type, HeaderPairs headers = {})
    {
        return {status, nullptr, std::move(headers), std::move(data), std::move(type)};
    }
    static Reply error(const Status& status);
};

void sendBytes(QHttpServerResponder& responder, int status, const QByteArray& body, const QByteArray& contentType,
               const HeaderPairs& headers = {});
void sendJson(QHttpServerResponder& responder, int status, const nlohmann::json& body, const HeaderPairs& headers = {});
void sendError(QHttpServerResponder& responder, const Status& status, const HeaderPairs& headers = {});
void sendReply(QHttpServerResponder& responder, const Reply& reply);

inline void sendJson(HttpExchange& ex, int status, const nlohmann::json& body, const HeaderPairs& headers = {})
{
    sendJson(ex.responder, status, body, headers);
}
inline void sendError(HttpExchange& ex, const Status& status, const HeaderPairs& headers = {})
{
    sendError(ex.responder, status, headers);
}

// Parses the request body as a JSON object (400 with the parse position on
// failure; bounded depth).
Result<nlohmann::json> jsonBody(const HttpExchange& ex);

}  // namespace paas::api
