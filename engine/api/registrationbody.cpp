#include "engine/api/registrationbody.h"

namespace paas::api {

Result<std::string> optionalStringField(const nlohmann::json& body, const char* key)
{
    if (!body.is_object() || !body.contains(key) || body[key].is_null())
        return std::string();
    if (!body[key].is_string())
        return Status::invalidArgument("invalid_field", std::string(key) + " must be a string",
                                       {{std::string("/") + key, "must be a string"}});
    return body[key].get<std::string>();
}

Result<RegistrationBody> parseRegistrationBody(const nlohmann::json& body, const std::string& action,
                                               const std::string& projectId)
{
    RegistrationBody out;
    out.action = action;
    out.projectId = projectId;
    if (out.action.empty()) {
        Result<std::string> a = optionalStringField(body, "action");
        if (!a)
            return a.status();
        out.action = *a;
    }
    if (out.projectId.empty()) {
        Result<std::string> p = optionalStringField(body, "project_id");
        if (!p)
            return p.status();
        out.projectId = *p;
    }
    if (body.is_object() && body.contains("spec"))
        out.spec = body["spec"];
    if (body.is_object() && body.contains("webhook_secret") && body["webhook_secret"].is_string())
        out.webhookSecret = body["webhook_secret"].get<std::string>();
    return out;
}

}  // namespace paas::api
