#pragma once
// Small shared pieces of the route modules: op JSON for answers, the 202
// "accepted" body, query parsing. API thread only, except the Reply
// builders, which are pure and thread-safe.
#include "engine/api/httpexchange.h"
#include "engine/pipeline/platform.h"

namespace paas::api {

// The op as returned by the API (no internal params), with links.
nlohmann::json opJson(const OpRecord& op, bool withSteps = true);
// 202 {"accepted": true, "op": {...}} or 200 {"accepted": false, "reason"}.
Reply submissionReply(const Submission& submission);
// The same, or the error of a failed submission. Thread-safe.
Reply submitted(const Result<Submission>& submission);
int queryInt(const HttpExchange& ex, const char* name, int fallback, int min, int max);
std::string queryString(const HttpExchange& ex, const char* name);
// `fields` (a JSON object) with one more member, `key`, an array whose
// elements are already-serialized JSON texts (the view's cached records):
// the response is assembled, never re-serialized item by item.
QByteArray objectWithRawArray(const nlohmann::json& fields, const std::string& key,
                              const std::vector<std::shared_ptr<const std::string>>& items);

}  // namespace paas::api
