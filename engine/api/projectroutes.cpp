// Projects, the registration event API and the legacy direct endpoints.
#include "engine/api/apiutil.h"
#include "engine/api/legacywaiter.h"
#include "engine/api/offloader.h"
#include "engine/api/pagecursor.h"
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
    Result<nlohmann::json> doc =
        SpecParser::parseBody(std::string_view(body.constData(), body.size()), type.toStdString());
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

// registrationFrom() plus the environments in the order the raw body wrote
// them (the parsed JSON object has lost it).
Result<RegistrationRequest> registrationOf(const HttpExchange& ex, const nlohmann::json& body,
                                           const std::string& action, const std::string& projectId)
{
    Result<RegistrationRequest> req = registrationFrom(body, action, projectId);
    if (req) {
        const QByteArray raw = ex.request.body();
        req->environmentOrder = SpecParser::environmentOrder(std::string_view(raw.constData(), raw.size()),
                                                             ex.request.value("Content-Type").toStdString());
    }
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
    ex.offloader->run(ex, std::move(work),
                      [ctx, accepted, successStatus](QHttpServerResponder& responder, const Reply& reply) {
                          if (reply.status != 202)
                              return sendReply(responder, reply);
                          LegacyWaiter::start(std::move(responder), ctx, accepted->op.id, successStatus);
                      });
}

// GET /api/projects[?q=&sort=name|updated][&limit=N][&cursor=C]. Without
// limit and cursor: every project, as the reference answers. With either:
// one page (limit defaults to 50) and next_cursor (null on the last page).
void listProjects(HttpExchange& ex, const ApiContext& ctx)
{
    const QUrl url = ex.request.url();
    Result<std::optional<int>> limit = pageLimit(url, 500);
    if (!limit)
        return sendError(ex, limit.status());
    const std::string sort = queryString(ex, "sort") == "updated" ? "updated" : "name";
    const std::string cursorText = queryString(ex, "cursor");
    std::optional<StateView::ProjectCursor> after;
    if (!cursorText.empty()) {
        Result<ListCursor> cursor = decodeCursor(cursorText);
        if (cursor && cursor->order != sort)
            cursor = Status::invalidArgument("invalid_cursor",
                                             "cursor: made for sort=" + cursor->order + ", not sort=" + sort,
                                             {{"/cursor", "belongs to another sort order"}});
        if (!cursor)
            return sendError(ex, cursor.status());
        after = StateView::ProjectCursor{cursor->key, cursor->id};
    }
    const bool paged = limit->has_value() || after.has_value();
    const QString q = QString::fromStdString(queryString(ex, "q")).toLower();
    StateView::ProjectFilter keep;
    if (!q.isEmpty())
        keep = [q](const ProjectRecord& p) {
            return QString::fromStdString(p.name + " " + p.id + " " + p.status).toLower().contains(q);
        };
    const StateView::ProjectPage page =
        ctx.platform->projectPage(sort == "updated" ? StateView::ProjectOrder::Updated : StateView::ProjectOrder::Name,
                                  after, paged ? size_t(limit->value_or(50)) : 0, keep);
    nlohmann::json fields{{"count", page.items.size()}};
    if (paged) {
        fields["limit"] = limit->value_or(50);
        fields["total"] = page.total;
        fields["next_cursor"] =
            page.next ? nlohmann::json(encodeCursor({sort, page.next->key, page.next->id})) : nlohmann::json();
    }
    sendBytes(ex.responder, 200, objectWithRawArray(fields, "projects", page.texts), "application/json");
}

}  // namespace

void registerProjectRoutes(Router& router, const ApiContext& ctx)
{
    router.add(M::Post, QStringLiteral("/api/events/registration"), [ctx](HttpExchange& ex) {
        Result<nlohmann::json> body = documentBody(ex);
        if (!body)
            return sendError(ex, body.status());
        submitRegistration(ex, ctx, registrationOf(ex, *body, {}, {}), false);
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
        submitRegistration(ex, ctx, registrationOf(ex, doc, "create", *projectId), true);
    });
    router.add(M::Get, QStringLiteral("/api/projects/([^/]+)"), [ctx](HttpExchange& ex) {
        Result<std::shared_ptr<const std::string>> text = ctx.platform->projectText(ex.args[0].toStdString());
        if (!text)
            return sendError(ex, text.status());
        sendBytes(ex.responder, 200, QByteArray::fromStdString(**text), "application/json");
    });
    router.add(M::Put, QStringLiteral("/api/projects/([^/]+)"), [ctx](HttpExchange& ex) {
        Result<nlohmann::json> body = documentBody(ex);
        if (!body)
            return sendError(ex, body.status());
        nlohmann::json doc = body->contains("spec") ? *body : nlohmann::json{{"spec", *body}};
        submitRegistration(ex, ctx, registrationOf(ex, doc, "update", ex.args[0].toStdString()), true);
    });
    router.add(M::Delete, QStringLiteral("/api/projects/([^/]+)"), [ctx](HttpExchange& ex) {
        submitRegistration(ex, ctx, registrationFrom(nlohmann::json::object(), "delete", ex.args[0].toStdString()),
                           true);
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
        auto cached = ctx.platform->cachedProjectOpTexts(id, offset, limit);
        if (!cached && cached.status().reason() == StateView::kNotResident)  // older ops: off the API thread
            return ex.offloader->run(
                ex, [ctx, id, offset, limit, page] { return page(ctx.platform->projectOps(id, offset, limit)); });
        if (!cached)
            return sendError(ex, cached.status());
        // The same body as page() builds (keys in nlohmann's order), from
        // the texts the view serialized when each op changed.
        QByteArray body =
            "{\"limit\":" + QByteArray::number(limit) + ",\"offset\":" + QByteArray::number(offset) + ",\"ops\":[";
        for (size_t i = 0; i < cached->size(); ++i)
            body.append(i ? "," : "").append((*cached)[i]->data(), qsizetype((*cached)[i]->size()));
        sendBytes(ex.responder, 200, body + "]}", "application/json");
    });
}

}  // namespace paas::api
