#pragma once
// Polling fallback for clients that cannot keep an event stream open:
// GET /api/ops/{opID} stays the authoritative snapshot, with an ETag that
// changes whenever the op changes, so pollers send If-None-Match and get 304.
//
// Contract:
//  - opEtag() is a strong validator over the op's JSON as the API serves it
//    (nlohmann dumps object keys sorted, so equal ops give equal tags).
//  - etagMatches() implements If-None-Match (RFC 9110 §13.1.2): "*", a
//    comma-separated list, and weak comparison (W/ prefixes ignored).
// Thread affinity: pure functions, thread-safe.
#include <nlohmann/json.hpp>

#include <QByteArray>

namespace paas::api {

QByteArray opEtag(const nlohmann::json& opJson);
bool etagMatches(const QByteArray& ifNoneMatch, const QByteArray& etag);

}  // namespace paas::api
