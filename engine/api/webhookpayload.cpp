#include "engine/api/webhookpayload.h"

#include "engine/core/constanttime.h"

#include <QMessageAuthenticationCode>

namespace paas::api {

namespace {

WebhookPayload payloadFrom(const nlohmann::json& body, const std::string& queryProjectId)
{
    WebhookPayload ev;
    auto text = [&](const char* key) {
        return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : "";
    };
    if (isForgePush(body)) {
        ev.projectId = queryProjectId;
        const nlohmann::json& repository = body["repository"];
        if (ev.projectId.empty() && repository.is_object() && repository.contains("name") &&
            repository["name"].is_string())
            ev.projectId = repository["name"].get<std::string>();
        ev.ref = text("ref");
        ev.commit = text("after");
        ev.source = "webhook";
        return ev;
    }
    ev.projectId = text("project_id");
    ev.repo = text("repo");
    ev.branch = text("branch");
    ev.ref = text("ref");
    ev.commit = text("commit");
    const std::string trigger = text("trigger");
    ev.source = trigger == "hook" ? "hook" : "webhook";
    return ev;
}

}  // namespace

// GitHub/Gitea push payloads carry ref, after and repository.
bool isForgePush(const nlohmann::json& body)
{
    return body.contains("after") && body.contains("repository") && body.contains("ref");
}

Result<WebhookPayload> parseWebhookPayload(const nlohmann::json& body, const std::string& queryProjectId)
{
    WebhookPayload payload = payloadFrom(body, queryProjectId);
    for (const char* key : {"project_id", "repo", "branch", "ref", "commit"})
        if (body.contains(key) && !body[key].is_string() && !isForgePush(body))
            return Status::invalidArgument("invalid_field", std::string(key) + " must be a string",
                                           {{std::string("/") + key, "must be a string"}});
    return payload;
}

bool hubSignatureMatches(const QByteArray& body, const std::string& secret, const QByteArray& header)
{
    const QByteArray expected =
        "sha256=" +
        QMessageAuthenticationCode::hash(body, QByteArray::fromStdString(secret), QCryptographicHash::Sha256).toHex();
    return constantTimeEquals(header.trimmed(), expected);
}

}  // namespace paas::api
