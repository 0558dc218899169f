#include "engine/model/projectspec.h"

#include <algorithm>

namespace paas {

bool isProductionEnv(std::string_view envName)
{
    return envName == "prod" || envName == "production";
}

std::string canonicalEnv(std::string_view envName)
{
    return isProductionEnv(envName) ? std::string("prod") : std::string(envName);
}

namespace {
// 0 = dev, 1 = everything else, 2 = production.
int envRank(std::string_view name)
{
    if (name == "dev")
        return 0;
    return isProductionEnv(name) ? 2 : 1;
}
}  // namespace

bool envOrderLess(std::string_view a, std::string_view b)
{
    const int ra = envRank(a);
    const int rb = envRank(b);
    return ra != rb ? ra < rb : a < b;
}

void sortEnvironments(std::vector<EnvironmentSpec>& envs, const std::vector<std::string>& userOrder)
{
    // Middle environments: by their place in userOrder; the ones it does not
    // name come after, alphabetically.
    auto place = [&](const std::string& name) {
        const auto it = std::find(userOrder.begin(), userOrder.end(), name);
        return static_cast<size_t>(it - userOrder.begin());
    };
    std::stable_sort(envs.begin(), envs.end(), [&](const EnvironmentSpec& a, const EnvironmentSpec& b) {
        const int ra = envRank(a.name), rb = envRank(b.name);
        if (ra != rb)
            return ra < rb;
        const size_t pa = place(a.name), pb = place(b.name);
        return pa != pb ? pa < pb : a.name < b.name;
    });
}

bool ProjectSpec::hasCapability(std::string_view capability) const
{
    return std::find(capabilities.begin(), capabilities.end(), capability) != capabilities.end();
}

const EnvironmentSpec* ProjectSpec::environment(std::string_view envName) const
{
    for (const auto& env : environments) {
        if (env.name == envName)
            return &env;
    }
    if (!isProductionEnv(envName))
        return nullptr;
    for (const auto& env : environments) {
        if (isProductionEnv(env.name))
            return &env;
    }
    return nullptr;
}

std::vector<std::string> ProjectSpec::environmentNames() const
{
    std::vector<std::string> names;
    for (const auto& env : environments)
        names.push_back(env.name);
    return names;
}

namespace {

// The spec document as J (nlohmann::json, or ordered_json to keep the
// environments in path order).
template <typename J>
J specDocument(const ProjectSpec& spec)
{
    J envs = J::object();
    for (const auto& env : spec.environments) {
        J vars = J::object();
        for (const auto& [key, value] : env.vars)
            vars[key] = value;
        envs[env.name] = {{"vars", vars}, {"replicas", env.replicas}, {"port", env.port}};
        if (!env.run.empty())
            envs[env.name]["run"] = env.run;
        if (env.autoDeploy)
            envs[env.name]["autoDeploy"] = true;
    }
    J out = {
        {"apiVersion", spec.apiVersion},
        {"kind", spec.kind},
        {"name", spec.name},
        {"runtime", spec.runtime},
        {"capabilities", spec.capabilities},
        {"environments", envs},
        {"networkPolicies", {{"ingress", spec.ingress}, {"egress", spec.egress}}},
    };
    if (!spec.buildNetwork.empty())
        out["build"] = {{"network", spec.buildNetwork}};
    return out;
}

}  // namespace

nlohmann::json ProjectSpec::toJson() const
{
    return specDocument<nlohmann::json>(*this);
}

nlohmann::ordered_json ProjectSpec::toOrderedJson() const
{
    return specDocument<nlohmann::ordered_json>(*this);
}

}  // namespace paas
