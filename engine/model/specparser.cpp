#include "engine/model/specparser.h"

#include "engine/model/specschema.h"

namespace paas {

using json = nlohmann::json;

Result<json> SpecParser::parseBody(std::string_view body, std::string_view contentType, const DocumentLimits& limits)
{
    return parseDocument(body, contentType, limits);
}

// What the schema cannot say about one key: production is never deployed
// automatically (autoDeploy: true on prod/production).
Status checkProductionAutoDeploy(const json& spec, std::string_view pointerPrefix)
{
    std::vector<FieldError> details;
    const json envs = spec.value("environments", json::object());
    for (const char* prod : {"prod", "production"})
        if (envs.contains(prod) && envs[prod].is_object() && envs[prod].value("autoDeploy", false) == true)
            details.push_back({std::string(pointerPrefix) + "/environments/" + prod + "/autoDeploy",
                               "must be false: production is never deployed automatically"});
    if (details.empty())
        return Status::ok();
    const std::string message =
        "spec does not match the App schema: " + details.front().path + " " + details.front().message;
    return Status::unprocessable("invalid_spec", message, std::move(details));
}

Status SpecParser::validate(const json& spec, std::string_view pointerPrefix)
{
    if (Status s = SpecSchema::validate(spec, pointerPrefix); !s)
        return s;
    return checkProductionAutoDeploy(spec, pointerPrefix);
}

Result<ProjectSpec> SpecParser::toProjectSpec(const json& doc, const std::vector<std::string>& userOrder)
{
    try {
        ProjectSpec spec;
        spec.apiVersion = doc.at("apiVersion").get<std::string>();
        spec.kind = doc.at("kind").get<std::string>();
        spec.name = doc.at("name").get<std::string>();
        spec.runtime = doc.at("runtime").get<std::string>();
        spec.capabilities = doc.value("capabilities", std::vector<std::string>{});
        for (const auto& [envName, envDoc] : doc.at("environments").items()) {
            EnvironmentSpec env;
            env.name = envName;
            env.vars = envDoc.value("vars", std::map<std::string, std::string>{});
            env.replicas = envDoc.value("replicas", 1);
            env.port = envDoc.value("port", 8080);
            env.run = envDoc.value("run", std::string());
            env.autoDeploy = envDoc.value("autoDeploy", false);
            spec.environments.push_back(std::move(env));
        }
        sortEnvironments(spec.environments, userOrder);
        const json policies = doc.value("networkPolicies", json::object());
        spec.ingress = policies.value("ingress", std::string("internal"));
        spec.egress = policies.value("egress", std::string("internal"));
        spec.buildNetwork = doc.value("build", json::object()).value("network", std::string());
        return spec;
    } catch (const std::exception& e) {
        return Status::unprocessable("invalid_spec", std::string("spec cannot be converted: ") + e.what());
    }
}

Result<ProjectSpec> SpecParser::parseSpec(const json& spec, std::string_view pointerPrefix,
                                          const std::vector<std::string>& userOrder)
{
    if (Status s = validate(spec, pointerPrefix); !s)
        return s;
    return toProjectSpec(spec, userOrder);
}

std::vector<std::string> SpecParser::environmentOrder(std::string_view body, std::string_view contentType)
{
    std::vector<std::string> order = mappingKeysInOrder(body, contentType, {"spec", "environments"});
    return order.empty() ? mappingKeysInOrder(body, contentType, {"environments"}) : order;
}

Result<ProjectSpec> SpecParser::parseSpecDocument(std::string_view body, std::string_view contentType,
                                                  const DocumentLimits& limits)
{
    Result<json> doc = parseBody(body, contentType, limits);
    if (!doc)
        return doc.status();
    return parseSpec(*doc, "", environmentOrder(body, contentType));
}

}  // namespace paas
