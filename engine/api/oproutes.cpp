// Operation snapshots, cancel, and the source webhook API.
#include "engine/api/apiutil.h"
#include "engine/api/offloader.h"
#include "engine/api/router.h"
#include "engine/api/routes.h"
#include "engine/api/ssepolling.h"
#include "engine/api/webhookpayload.h"
#include "engine/pipeline/stateview.h"

namespace paas::api {

namespace {

using M = QHttpServerRequest::Method;

SourceEvent sourceEventFrom(const WebhookPayload& payload)
{
    SourceEvent ev;
    ev.projectId = payload.projectId;
    ev.repo = payload.repo;
    ev.branch = payload.branch;
    ev.ref = payload.ref;
    ev.commit = payload.commit;
    ev.source = payload.source;
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
    if (!hubSignatureMatches(ex.request.body(), project->webhookSecret, ex.request.value("X-Hub-Signature-256")))
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
    Result<WebhookPayload> payload = parseWebhookPayload(*body, queryString(ex, "project_id"));
    if (!payload)
        return sendError(ex, payload.status());
    const SourceEvent event = sourceEventFrom(*payload);
    if (!event.projectId.empty())
        if (Status s = checkSignature(ex, ctx, event.projectId); !s)
            return sendError(ex, s);
    // Resolving the commit (libgit2) and recording the op (JetStream) wait:
    // they run on the Offloader.
    ex.offloader->run(ex, [ctx, event] { return submitted(ctx.platform->submitSourceEvent(event)); });
}

// POST /api/ops/{id}/cancel. Unknown (404) and finished (409) ops are
// answered from memory; the cancel itself is a JetStream write, offloaded.
// 202 {"accepted": true, "op"} once it is recorded: the op is "cancelled"
// already if it was queued, else it ends at its running step's boundary.
void handleCancel(HttpExchange& ex, const ApiContext& ctx)
{
    const std::string id = ex.args[0].toStdString();
    Result<OpRecord> op = ctx.platform->cachedOp(id);
    if (!op && op.status().reason() != StateView::kNotResident)  // not resident: an old, finished op
        return sendError(ex, op.status());
    if (op)
        if (Status refused = Platform::cancelRefusal(*op); !refused)
            return sendError(ex, refused);
    ex.offloader->run(ex, [ctx, id] {
        Result<OpRecord> cancelled = ctx.platform->cancelOp(id);
        return cancelled ? submissionReply(Submission{true, {}, *cancelled}) : Reply::error(cancelled.status());
    });
}

}  // namespace

void registerOpRoutes(Router& router, const ApiContext& ctx)
{
    router.add(M::Get, QStringLiteral("/api/ops/([^/]+)"), [ctx](HttpExchange& ex) {
        const std::string id = ex.args[0].toStdString();
        Result<OpRecord> op = ctx.platform->cachedOp(id);
        if (!op && op.status().reason() == StateView::kNotResident)  // an old op: read it off the API thread
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
    router.add(M::Post, QStringLiteral("/api/ops/([^/]+)/cancel"), [ctx](HttpExchange& ex) { handleCancel(ex, ctx); });
    router.add(M::Post, QStringLiteral("/api/webhooks/source"), [ctx](HttpExchange& ex) { handleWebhook(ex, ctx); });
}

}  // namespace paas::api
