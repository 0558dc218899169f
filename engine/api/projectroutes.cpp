// Projects, the registration event API and the legacy direct endpoints.
#include "engine/api/apiutil.h"
#include "engine/api/legacywaiter.h"
#include "engine/api/offloader.h"
#include "engine/api/registrationbody.h"
#include "engine/api/router.h"
#include "engine/api/routes.h"
#include "engine/model/specparser.h"
#include "engine/pipeline/stateview.h"

#include <algorithm>

namespace paas::api {

namespace {

using M = QHttpServerRequest::Method;

// The request body as JSON, or as YAML with Content-Type application/yaml.
Result<nlohmann::json> documentBody(const HttpExchange& ex)
{
    const QByteArray type = ex.request.value("Content-Type");
    if (!isYamlContentType(type.toStdString()))
        return jsonBody(ex);
    const QByteArray body = ex.request.body();
    Result<nlohmann::json> doc = SpecParser::parseBody(std::string_view(body.constData(), body.size()), type.toStdString());
    if (doc && !doc->is_object())
        return Status::invalidArgument("malformed_yaml", "request body must be a YAML mapping");
    return doc;
}

Result<RegistrationRequest> registrationFrom(const nlohmann::json& body, const std::string& action,
                                             const std::string& projectId)
{
    Result<RegistrationBody> fields = parseRegistrationBody(body, action, projectId);
    if (!fields)
        return fields.status();
    RegistrationRequest req;
    req.action = fields->action;
    req.projectId = fields->projectId;
    req.spec = std::move(fields->spec);
    req.webhookSecret = std::move(fields->webhookSecret);
    return req;
}

// The submission waits on JetStream: it runs on the Offloader, and the
// answer (or the legacy wait for the op) starts back on the API thread.
void submitRegistration(HttpExchange& ex, const ApiContext& ctx, Result<RegistrationRequest> parsed, bool legacy)
{
    if (!parsed) {
        sendError(ex, parsed.status());
        return;
    }
    RegistrationRequest req = std::move(*parsed);
    if (legacy)
        req.source = "legacy";
    auto accepted = std::make_shared<Submission>();
    auto work = [ctx, req, accepted]() -> Reply {
        Result<Submission> submitted = ctx.platform->submitRegistration(req);
        if (!submitted)
            return Reply::error(submitted.status());
        *accepted = *submitted;
        return submissionReply(*submitted);
    };
    if (!legacy)
        return ex.offloader->run(ex, std::move(work));
    const int successStatus = req.action == "create" ? 201 : 200;
    ex.offloader->run(ex, std::move(work), [ctx, accepted, successStatus](QHttpServerResponder& responder, const Reply& reply) {
        if (reply.status != 202)
            return sendReply(responder, reply);
        LegacyWaiter::start(std::move(responder), ctx, accepted->op.id, successStatus);
    });
}

void listProjects(HttpExchange& ex, const ApiContext& ctx)
{
    Result<std::vector<ProjectRecord>> all = ctx.platform->projects();
    if (!all) {
        sendError(ex, all.status());
        return;
    }
    QString q = QString::fromStdString(queryString(ex, "q")).toLower();
    const std::string sort = queryString(ex, "sort");
    std::vector<ProjectRecord> list;
    for (ProjectRecord& p : *all)
        if (q.isEmpty() || QString::fromStdString(p.name + " " + p.id + " " + p.status).toLower().contains(q))
            list.push_back(std::move(p));
    std::sort(list.begin(), list.end(), [&](const ProjectRecord& a, const ProjectRecord& b) {
        return sort == "updated" ? a.updatedAt > b.updatedAt : a.name < b.name;
    });
    nlohmann::json out = nlohmann::json::array();
    for (const ProjectRecord& p : list)
        out.push_back(toJson(p));
    sendJson(ex, 200, {{"projects", out}, {"count", out.size()}});
}

}  // namespace

void registerProjectRoutes(Router& router, const ApiContext& ctx)
{
    router.add(M::Post, QStringLiteral("/api/events/registration"), [ctx](HttpExchange& ex) {
        Result<nlohmann::json> body = documentBody(ex);
        if (!body)
            return sendError(ex, body.status());
        submitRegistration(ex, ctx, registrationFrom(*body, {}, {}), false);
    });
    router.add(M::Get, QStringLiteral("/api/projects"), [ctx](HttpExchange& ex) { listProjects(ex, ctx); });
    router.add(M::Post, QStringLiteral("/api/projects"), [ctx](HttpExchange& ex) {
        Result<nlohmann::json> body = documentBody(ex);
        if (!body)
            return sendError(ex, body.status());
        Result<std::string> projectId = optionalStringField(*body, "project_id");
        if (!projectId)
            return sendError(ex, projectId.status());
        nlohmann::json doc = body->contains("spec") ? *body : nlohmann::json{{"spec", *body}};
        submitRegistration(ex, ctx, registrationFrom(doc, "create", *projectId), true);
    });
    router.add(M::Get, QStringLiteral("/api/projects/([^/]+)"), [ctx](HttpExchange& ex) {
        Result<ProjectRecord> p = ctx.platform->project(ex.args[0].toStdString());
        if (!p)
            return sendError(ex, p.status());
        sendJson(ex, 200, toJson(*p));
    });
    router.add(M::Put, QStringLiteral("/api/projects/([^/]+)"), [ctx](HttpExchange& ex) {
        Result<nlohmann::json> body = documentBody(ex);
        if (!body)
            return sendError(ex, body.status());
        nlohmann::json doc = body->contains("spec") ? *body : nlohmann::json{{"spec", *body}};
        submitRegistration(ex, ctx, registrationFrom(doc, "update", ex.args[0].toStdString()), true);
    });
    router.add(M::Delete, QStringLiteral("/api/projects/([^/]+)"), [ctx](HttpExchange& ex) {
        submitRegistration(ex, ctx, registrationFrom(nlohmann::json::object(), "delete", ex.args[0].toStdString()), true);
    });
    router.add(M::Get, QStringLiteral("/api/projects/([^/]+)/ops"), [ctx](HttpExchange& ex) {
        const int offset = queryInt(ex, "offset", 0, 0, 100000);
        const int limit = queryInt(ex, "limit", 50, 1, 500);
        const std::string id = ex.args[0].toStdString();
        auto page = [offset, limit](const Result<std::vector<OpRecord>>& ops) {
            if (!ops)
                return Reply::error(ops.status());
            nlohmann::json out = nlohmann::json::array();
            for (const OpRecord& op : *ops)
                out.push_back(opJson(op));
            return Reply::json(200, {{"ops", out}, {"offset", offset}, {"limit", limit}});
        };
        Result<std::vector<OpRecord>> cached = ctx.platform->cachedProjectOps(id, offset, limit);
        if (!cached && cached.status().reason() == StateView::kNotResident)   // older ops: off the API thread
            return ex.offloader->run(ex, [ctx, id, offset, limit, page] {
                return page(ctx.platform->projectOps(id, offset, limit));
            });
        sendReply(ex.responder, page(cached));
    });
}

}  // namespace paas::api
