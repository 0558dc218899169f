// Operation snapshots and the source webhook API.
#include "engine/api/apiutil.h"
#include "engine/api/offloader.h"
#include "engine/api/router.h"
#include "engine/api/routes.h"
#include "engine/api/ssepolling.h"
#include "engine/pipeline/stateview.h"

#include <QMessageAuthenticationCode>

namespace paas::api {

namespace {

using M = QHttpServerRequest::Method;

// GitHub/Gitea push payloads carry ref, after and repository.
bool isForgePush(const nlohmann::json& body)
{
    return body.contains("after") && body.contains("repository") && body.contains("ref");
}

SourceEvent sourceEventFrom(const HttpExchange& ex, const nlohmann::json& body)
{
    SourceEvent ev;
    auto text = [&](const char* key) { return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : ""; };
    if (isForgePush(body)) {
        ev.projectId = queryString(ex, "project_id");
        if (ev.projectId.empty() && body["repository"].is_object())
            ev.projectId = body["repository"].value("name", "");
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

Status checkSignature(const HttpExchange& ex, const ApiContext& ctx, const std::string& projectId)
{
    Result<ProjectRecord> project = ctx.platform->project(projectId);
    if (!project || project->webhookSecret.empty())
        return Status::ok();
    // The project's own git hooks (hooktokens.h): a local, per-project credential.
    if (ctx.platform->hookTokens().verify(projectId, ex.request.value(HookTokens::kHeader)))
        return Status::ok();
    const QByteArray given = ex.request.value("X-Hub-Signature-256").trimmed();
    const QByteArray expected = "sha256=" + QMessageAuthenticationCode::hash(
        ex.request.body(), QByteArray::fromStdString(project->webhookSecret), QCryptographicHash::Sha256).toHex();
    if (!constantTimeEquals(given, expected))
        return {Status::Code::Unauthorized, "invalid_signature",
                "X-Hub-Signature-256 is missing or does not match this project's webhook secret "
                "(and no valid X-Paas-Hook-Token was sent)"};
    return Status::ok();
}

void handleWebhook(HttpExchange& ex, const ApiContext& ctx)
{
    Result<nlohmann::json> body = jsonBody(ex);
    if (!body)
        return sendError(ex, body.status());
    const SourceEvent event = sourceEventFrom(ex, *body);
    for (const char* key : {"project_id", "repo", "branch", "ref", "commit"})
        if (body->contains(key) && !(*body)[key].is_string() && !isForgePush(*body))
            return sendError(ex, Status::invalidArgument("invalid_field", std::string(key) + " must be a string",
                                                         {{std::string("/") + key, "must be a string"}}));
    if (!event.projectId.empty())
        if (Status s = checkSignature(ex, ctx, event.projectId); !s)
            return sendError(ex, s);
    // Resolving the commit (libgit2) and recording the op (JetStream) wait:
    // they run on the Offloader.
    ex.offloader->run(ex, [ctx, event] { return submitted(ctx.platform->submitSourceEvent(event)); });
}

}  // namespace

void registerOpRoutes(Router& router, const ApiContext& ctx)
{
    router.add(M::Get, QStringLiteral("/api/ops/([^/]+)"), [ctx](HttpExchange& ex) {
        const std::string id = ex.args[0].toStdString();
        Result<OpRecord> op = ctx.platform->cachedOp(id);
        if (!op && op.status().reason() == StateView::kNotResident)   // an old op: read it off the API thread
            return ex.offloader->run(ex, [ctx, id] {
                Result<OpRecord> stored = ctx.platform->op(id);
                return stored ? Reply::json(200, opJson(*stored)) : Reply::error(stored.status());
            });
        if (!op)
            return sendError(ex, op.status());
        const nlohmann::json body = opJson(*op);
        const QByteArray etag = opEtag(body);
        if (etagMatches(ex.request.value("If-None-Match"), etag))
            return sendBytes(ex.responder, 304, {}, "application/json", {{"ETag", etag}});
        sendJson(ex, 200, body, {{"ETag", etag}});
    });
    router.add(M::Post, QStringLiteral("/api/webhooks/source"), [ctx](HttpExchange& ex) { handleWebhook(ex, ctx); });
}

}  // namespace paas::api
