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

void sortEnvironments(std::vector<EnvironmentSpec>& envs)
{
    std::stable_sort(envs.begin(), envs.end(),
                     [](const EnvironmentSpec& a, const EnvironmentSpec& b) { return envOrderLess(a.name, b.name); });
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

nlohmann::json ProjectSpec::toJson() const
{
    nlohmann::json envs = nlohmann::json::object();
    for (const auto& env : environments) {
        nlohmann::json vars = nlohmann::json::object();
        for (const auto& [key, value] : env.vars)
            vars[key] = value;
        envs[env.name] = {{"vars", vars}, {"replicas", env.replicas}, {"port", env.port}};
    }
    nlohmann::json out = {
        {"apiVersion", apiVersion},
        {"kind", kind},
        {"name", name},
        {"runtime", runtime},
        {"capabilities", capabilities},
        {"environments", envs},
        {"networkPolicies", {{"ingress", ingress}, {"egress", egress}}},
    };
    if (!buildNetwork.empty())
        out["build"] = {{"network", buildNetwork}};
    return out;
}

}  // namespace paas
