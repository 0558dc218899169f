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

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QList>
#include <QPair>
#include <QStringList>

class QTcpSocket;

namespace paas::api {

using HeaderPairs = QList<QPair<QByteArray, QByteArray>>;

struct HttpExchange {
    const QHttpServerRequest& request;
    QTcpSocket* socket;
    QStringList args;  // route captures, percent-decoded
    QHttpServerResponder responder;
};

// HTTP status for a Status code (the single mapping table).
int httpStatusFor(Status::Code code);
nlohmann::json errorBody(const Status& status);

void sendBytes(QHttpServerResponder& responder, int status, const QByteArray& body,
               const QByteArray& contentType, const HeaderPairs& headers = {});
void sendJson(QHttpServerResponder& responder, int status, const nlohmann::json& body,
              const HeaderPairs& headers = {});
void sendError(QHttpServerResponder& responder, const Status& status, const HeaderPairs& headers = {});

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
