// The delivery pathway: deployment, promotion, release and rollback events
// (async, 202 with an op) and the read APIs the UI uses: environments,
// release history, diff before promote.
#include "engine/api/apiutil.h"
#include "engine/api/offloader.h"
#include "engine/api/router.h"
#include "engine/api/routes.h"
#include "engine/pipeline/deliveryviews.h"

namespace paas::api {

namespace {

using M = QHttpServerRequest::Method;

// The first present of `keys` as a string ("" when absent); 400 when present
// but not a string.
Result<std::string> textField(const nlohmann::json& body, std::initializer_list<const char*> keys)
{
    for (const char* key : keys) {
        if (!body.contains(key) || body[key].is_null())
            continue;
        if (!body[key].is_string())
            return Status::invalidArgument("invalid_field", std::string(key) + " must be a string",
                                           {{std::string("/") + key, "must be a string"}});
        return body[key].get<std::string>();
    }
    return std::string();
}

struct FieldSpec {
    std::string* target;
    std::initializer_list<const char*> keys;
};

Status readFields(const nlohmann::json& body, std::initializer_list<FieldSpec> fields)
{
    for (const FieldSpec& f : fields) {
        Result<std::string> v = textField(body, f.keys);
        if (!v)
            return v.status();
        *f.target = *v;
    }
    return Status::ok();
}

Result<DeliveryRequest> requestFrom(const nlohmann::json& body, const std::string& kind)
{
    DeliveryRequest req;
    req.kind = kind;
    Status s = readFields(body, {{&req.projectId, {"project_id"}},
                                 {&req.fromEnv, {"from_env", "from"}},
                                 {&req.toEnv, {"to_env", "to"}},
                                 {&req.environment, {"environment", "env"}}});
    if (!s)
        return s;
    if (body.contains("release") && !body["release"].is_null()) {
        const nlohmann::json& r = body["release"];
        if (!r.is_number_integer() || r.get<long long>() < 1 || r.get<long long>() > 1000000)
            return Status::invalidArgument("invalid_release", "release must be a positive integer",
                                           {{"/release", "must be an integer >= 1"}});
        req.release = r.get<int>();
    }
    return req;
}

void submit(HttpExchange& ex, const ApiContext& ctx, const std::string& kind)
{
    Result<nlohmann::json> body = jsonBody(ex);
    if (!body)
        return sendError(ex, body.status());
    Result<DeliveryRequest> req = requestFrom(*body, kind);
    if (!req)
        return sendError(ex, req.status());
    ex.offloader->run(ex, [ctx, r = *req] { return submitted(ctx.platform->submitDelivery(r)); });
}

// The delivery views read release history (JetStream) and rendered
// manifests (files): they run on the Offloader.
void answer(HttpExchange& ex, std::function<Result<nlohmann::json>()> view)
{
    ex.offloader->run(ex, [view = std::move(view)] {
        Result<nlohmann::json> doc = view();
        return doc ? Reply::json(200, std::move(*doc)) : Reply::error(doc.status());
    });
}

}  // namespace

void registerDeliveryRoutes(Router& router, const ApiContext& ctx)
{
    static const std::pair<const char*, const char*> kEvents[] = {
        {"/api/events/deployment", "deploy"},
        {"/api/events/promotion", "promote"},
        {"/api/events/release", "release"},
        {"/api/events/rollback", "rollback"},
    };
    for (const auto& [path, kind] : kEvents) {
        const std::string k = kind;
        router.add(M::Post, QString::fromLatin1(path), [ctx, k](HttpExchange& ex) { submit(ex, ctx, k); });
    }
    router.add(M::Get, QStringLiteral("/api/projects/([^/]+)/environments"), [ctx](HttpExchange& ex) {
        answer(ex, [ctx, id = ex.args[0].toStdString()] { return DeliveryViews::environments(*ctx.platform, id); });
    });
    router.add(M::Get, QStringLiteral("/api/projects/([^/]+)/releases"), [ctx](HttpExchange& ex) {
        answer(ex, [ctx, id = ex.args[0].toStdString(), env = queryString(ex, "env")] {
            return DeliveryViews::releases(*ctx.platform, id, env);
        });
    });
    router.add(M::Get, QStringLiteral("/api/projects/([^/]+)/diff"), [ctx](HttpExchange& ex) {
        answer(ex, [ctx, id = ex.args[0].toStdString(), from = queryString(ex, "from"), to = queryString(ex, "to")] {
            return DeliveryViews::diff(*ctx.platform, id, from, to);
        });
    });
}

}  // namespace paas::api
