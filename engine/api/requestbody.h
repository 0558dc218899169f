#pragma once
// Request bodies as JSON: the parsing behind jsonBody() (httpexchange.h),
// kept free of QHttpServer so it can be fuzzed (tests/fuzz/fuzz_webhook).
//
// Contract:
//   - parseJsonObjectBody(): an empty or blank body is 400 "malformed_json";
//     invalid JSON (including numbers outside the double range) is 400
//     "malformed_json" with the parse position; nesting deeper than
//     kMaxJsonBodyDepth is 413 "too_deep"; a valid document that is not an
//     object is 400 "malformed_json". No exception escapes.
// Thread affinity: pure function, thread-safe.
#include "engine/core/status.h"

#include <nlohmann/json.hpp>

#include <QByteArray>

namespace paas::api {

inline constexpr int kMaxJsonBodyDepth = 64;

Result<nlohmann::json> parseJsonObjectBody(const QByteArray& body);

}  // namespace paas::api
