#pragma once
// RegistrationBody: the fields of POST /api/events/registration and the
// legacy POST/PUT /api/projects bodies (the spec itself is validated later,
// by SpecParser in the pipeline). Free of QHttpServer and the pipeline so
// the spec parser's fuzz target reaches it (tests/fuzz/fuzz_specparser).
//
// Contract:
//   - optionalStringField(): "" when the key is absent or null (or the body
//     is not an object), the string when it is one, else 400
//     "invalid_field" naming "/<key>". Never throws.
//   - parseRegistrationBody(): action and project_id come from the
//     arguments when they are non-empty (the legacy routes), else from the
//     body (optionalStringField); spec is copied when present;
//     webhook_secret is taken when it is a string (else ignored).
// Thread affinity: pure functions, thread-safe.
#include "engine/core/status.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace paas::api {

struct RegistrationBody {
    std::string action;
    std::string projectId;
    nlohmann::json spec;  // null when absent
    std::optional<std::string> webhookSecret;
};

Result<std::string> optionalStringField(const nlohmann::json& body, const char* key);
Result<RegistrationBody> parseRegistrationBody(const nlohmann::json& body, const std::string& action,
                                               const std::string& projectId);

}  // namespace paas::api
