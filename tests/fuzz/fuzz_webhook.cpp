// Fuzz target: POST /api/webhooks/source input (engine/api: requestbody,
// webhookpayload): the JSON body parser, both payload shapes (reference,
// GitHub/Gitea push) and the X-Hub-Signature-256 check.
//
// Input: sections split at 0x1E: ?project_id= value, body, secret, the
// X-Hub-Signature-256 header.
// Invariants: no crash or escaped exception; a body is either a JSON object
// or a 400/413; a payload names the query project for forge pushes and only
// strings for the reference shape; the right signature (trimmed, any
// surrounding whitespace) always matches and a one-byte change never does.
#include "engine/api/requestbody.h"
#include "engine/api/webhookpayload.h"
#include "tests/fuzz/fuzzsupport.h"

#include <QMessageAuthenticationCode>

using nlohmann::json;
using namespace paas::api;

namespace {

void checkPayload(const json& body, const std::string& queryProjectId)
{
    paas::Result<WebhookPayload> payload = parseWebhookPayload(body, queryProjectId);
    if (!payload) {
        FUZZ_CHECK(payload.status().reason() == "invalid_field" && !isForgePush(body));
        return;
    }
    FUZZ_CHECK(payload->source == "webhook" || payload->source == "hook");
    if (isForgePush(body)) {
        if (!queryProjectId.empty())
            FUZZ_CHECK(payload->projectId == queryProjectId);
        FUZZ_CHECK(payload->repo.empty() && payload->branch.empty());
        return;
    }
    for (const char* key : {"project_id", "repo", "branch", "ref", "commit"})
        FUZZ_CHECK(!body.contains(key) || body[key].is_string());
    if (body.contains("commit"))
        FUZZ_CHECK(payload->commit == body["commit"].get<std::string>());
}

void checkSignature(const QByteArray& body, const std::string& secret, const QByteArray& header)
{
    const QByteArray right =
        "sha256=" +
        QMessageAuthenticationCode::hash(body, QByteArray::fromStdString(secret), QCryptographicHash::Sha256).toHex();
    FUZZ_CHECK(hubSignatureMatches(body, secret, right));
    FUZZ_CHECK(hubSignatureMatches(body, secret, " \t" + right + "\r\n"));
    QByteArray wrong = right;
    wrong[wrong.size() - 1 - (header.size() % 64)] ^= 0x01;
    FUZZ_CHECK(!hubSignatureMatches(body, secret, wrong));
    FUZZ_CHECK(hubSignatureMatches(body, secret, header) == (header.trimmed() == right));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto parts = paas::fuzz::sections(data, size, 4);
    const QByteArray body = QByteArray::fromStdString(parts[1]);
    paas::Result<json> doc = parseJsonObjectBody(body);
    if (doc) {
        FUZZ_CHECK(doc->is_object());
        checkPayload(*doc, parts[0]);
    } else {
        const std::string& reason = doc.status().reason();
        FUZZ_CHECK(reason == "malformed_json" || reason == "too_deep");
    }
    checkSignature(body, parts[2], QByteArray::fromStdString(parts[3]));
    return 0;
}
