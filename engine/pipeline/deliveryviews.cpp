#include "engine/pipeline/deliveryviews.h"

#include "engine/model/documentparser.h"
#include "engine/model/specparser.h"
#include "engine/pipeline/deliverydiff.h"
#include "engine/pipeline/deliverystate.h"
#include "engine/pipeline/environmentrunner.h"
#include "engine/pipeline/pipelinestore.h"
#include "engine/pipeline/platform.h"
#include "engine/render/manifestrenderer.h"

#include <algorithm>

namespace paas {

namespace {

struct Loaded {
    ProjectRecord project;
    ProjectSpec spec;
};

Result<Loaded> load(const Platform& platform, const std::string& projectId)
{
    Result<ProjectRecord> project = platform.project(projectId);
    if (!project)
        return project.status();
    Result<ProjectSpec> spec = SpecParser::parseSpec(project->spec, "/spec", project->environmentOrder);
    if (!spec)
        return spec.status();
    return Loaded{std::move(*project), std::move(*spec)};
}

Result<nlohmann::json> envReleases(const Platform& platform, const Loaded& in, const std::string& env)
{
    Result<std::vector<ReleaseRef>> history = platform.store().releases(in.project.id, env);
    if (!history)
        return history.status();
    const nlohmann::json current = DeliveryState::current(in.project, env);
    const int currentNumber = current.is_null() ? 0 : current.value("number", 0);
    nlohmann::json out = nlohmann::json::array();
    for (auto it = history->rbegin(); it != history->rend(); ++it) {
        nlohmann::json r = toJson(*it);
        r["environment"] = env;
        r["current"] = it->number == currentNumber;
        out.push_back(r);
    }
    return out;
}

std::vector<nlohmann::json> objectsOf(const std::string& rendered)
{
    if (rendered.empty())
        return {};
    Result<std::vector<nlohmann::json>> docs = parseYamlDocuments(rendered);
    return docs ? *docs : std::vector<nlohmann::json>{};
}

}  // namespace

Result<nlohmann::json> DeliveryViews::environments(const Platform& platform, const std::string& projectId)
{
    Result<Loaded> in = load(platform, projectId);
    if (!in)
        return in.status();
    nlohmann::json list = nlohmann::json::array();
    for (const EnvironmentSpec& env : in->spec.environments)
        list.push_back({{"name", env.name},
                        {"production", isProductionEnv(env.name)},
                        {"replicas", env.replicas},
                        {"port", env.port},
                        {"current", DeliveryState::current(in->project, env.name)},
                        {"run", platform.runner().state(projectId, env)}});
    return nlohmann::json{{"project_id", projectId}, {"environments", list}};
}

Result<nlohmann::json> DeliveryViews::releases(const Platform& platform, const std::string& projectId,
                                               const std::string& env)
{
    Result<Loaded> in = load(platform, projectId);
    if (!in)
        return in.status();
    if (!env.empty()) {
        Result<std::string> name = DeliveryState::resolveEnv(in->spec, env, "/env");
        if (!name)
            return name.status();
        Result<nlohmann::json> list = envReleases(platform, *in, *name);
        if (!list)
            return list.status();
        return nlohmann::json{{"project_id", projectId},
                              {"environment", *name},
                              {"current", DeliveryState::current(in->project, *name)},
                              {"releases", *list}};
    }
    nlohmann::json all = nlohmann::json::array();
    for (const EnvironmentSpec& e : in->spec.environments) {
        Result<nlohmann::json> list = envReleases(platform, *in, e.name);
        if (!list)
            return list.status();
        for (const auto& r : *list)
            all.push_back(r);
    }
    std::stable_sort(all.begin(), all.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
        return a.value("at", "") > b.value("at", "");
    });
    return nlohmann::json{{"project_id", projectId}, {"releases", all}};
}

Result<nlohmann::json> DeliveryViews::diff(const Platform& platform, const std::string& projectId,
                                           const std::string& from, const std::string& to)
{
    Result<Loaded> in = load(platform, projectId);
    if (!in)
        return in.status();
    Result<std::string> fromEnv = DeliveryState::resolveEnv(in->spec, from, "/from");
    if (!fromEnv)
        return fromEnv.status();
    Result<std::string> toEnv = DeliveryState::resolveEnv(in->spec, to, "/to");
    if (!toEnv)
        return toEnv.status();
    if (*fromEnv == *toEnv)
        return Status::conflict("same_environment", "from and to are both '" + *toEnv + "'");
    const nlohmann::json source = DeliveryState::current(in->project, *fromEnv);
    if (source.is_null())
        return Status::conflict("nothing_deployed", "environment '" + *fromEnv + "' has nothing deployed");
    const nlohmann::json target = DeliveryState::current(in->project, *toEnv);
    std::string before;
    if (!target.is_null()) {
        const std::string path = DeliveryState::releaseDir(*toEnv, target.value("number", 0)) + "/rendered.yaml";
        Result<std::string> text = DeliveryState::readArtifact(platform.projectDir(projectId), path);
        if (!text)
            return text.status();
        before = *text;
    }
    Result<RenderedEnvironment> after =
        ManifestRenderer::render(in->spec, projectId, *toEnv, source.value("image", ""));
    if (!after)
        return after.status();
    Result<std::string> unified = DeliveryDiff::unified(before, after->rendered, *toEnv + "/current/rendered.yaml",
                                                        *toEnv + "/promoted-from-" + *fromEnv + "/rendered.yaml");
    if (!unified)
        return unified.status();
    return nlohmann::json{{"project_id", projectId},
                          {"from", *fromEnv},
                          {"to", *toEnv},
                          {"from_image", source.value("image", "")},
                          {"to_image", target.is_null() ? nlohmann::json() : nlohmann::json(target.value("image", ""))},
                          {"changed", !unified->empty()},
                          {"unified", *unified},
                          {"objects", DeliveryDiff::objectChanges(objectsOf(before), objectsOf(after->rendered))}};
}

}  // namespace paas
