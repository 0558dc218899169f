#pragma once
// WebhookPayload: POST /api/webhooks/source bodies -> the source event they
// describe, and the X-Hub-Signature-256 check. Free of QHttpServer and the
// pipeline so it can be fuzzed (tests/fuzz/fuzz_webhook).
//
// Contract:
//   - Two shapes are accepted (docs/API_CONTRACTS.md):
//       * a GitHub/Gitea push: an object with "ref", "after" and
//         "repository"; the project is ?project_id= (queryProjectId), else
//         repository.name; ref/after are taken when they are strings;
//         source "webhook".
//       * the reference shape: project_id, repo, branch, ref, commit (each a
//         string when present, else 400 "invalid_field" naming it) and
//         trigger ("hook" -> source "hook", anything else "webhook").
//   - Wrong types never throw: a non-string value reads as "" unless the
//     reference shape requires a string (above).
//   - hubSignatureMatches(): header == "sha256=" + hex HMAC-SHA256(body,
//     secret), compared in constant time after trimming the header.
// Thread affinity: pure functions, thread-safe.
#include "engine/core/status.h"

#include <nlohmann/json.hpp>

#include <QByteArray>

#include <string>

namespace paas::api {

struct WebhookPayload {
    std::string projectId;
    std::string repo;
    std::string branch;
    std::string ref;
    std::string commit;
    std::string source = "webhook";  // webhook | hook
};

bool isForgePush(const nlohmann::json& body);
Result<WebhookPayload> parseWebhookPayload(const nlohmann::json& body, const std::string& queryProjectId);
bool hubSignatureMatches(const QByteArray& body, const std::string& secret, const QByteArray& header);

}  // namespace paas::api
