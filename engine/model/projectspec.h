#pragma once
// ProjectSpec: the typed form of a validated App spec (cfg/project-jsonschema.json).
//
// Contract:
//   - Built by SpecParser from JSON that passed schema validation; plain value
//     type, copy freely. Thread-safe as any value (no shared state).
//   - environments are ordered as a promotion path: "dev" first,
//     "prod"/"production" last, all others in between in the order the user
//     wrote them (issue 16; see sortEnvironments). The order travels beside
//     the spec document, as environmentNames() ("environment_order" in op
//     params and the project record): a JSON object does not keep it.
//   - Defaults: replicas 1, port 8080, networkPolicies internal/internal,
//     capabilities empty, run unset, autoDeploy false.
//   - toJson() gives back a spec document that validates against the schema
//     (defaults written out explicitly, environments as an object);
//     toOrderedJson() is the same document with the environments (and every
//     other key) in path order, for files a user reads.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace paas {

struct EnvironmentSpec {
    std::string name;
    std::map<std::string, std::string> vars;
    int replicas = 1;
    int port = 8080;
    std::string run;          // "docker", "none", or "" (unset: the instance decides, EnvironmentRunner::mode)
    bool autoDeploy = false;  // a completed ci op deploys its image here (never production)

    bool operator==(const EnvironmentSpec&) const = default;
};

struct ProjectSpec {
    std::string apiVersion;
    std::string kind;
    std::string name;
    std::string runtime;
    std::vector<std::string> capabilities;
    std::vector<EnvironmentSpec> environments;  // path order, see above
    std::string ingress = "internal";
    std::string egress = "internal";
    std::string buildNetwork;  // build.network: "", default, host or none ("" = the instance's setting)

    bool hasCapability(std::string_view capability) const;
    // Finds an environment by name; "prod" and "production" match each other.
    const EnvironmentSpec* environment(std::string_view envName) const;
    std::vector<std::string> environmentNames() const;  // in path order
    nlohmann::json toJson() const;
    nlohmann::ordered_json toOrderedJson() const;

    bool operator==(const ProjectSpec&) const = default;
};

// True for "prod" and "production".
bool isProductionEnv(std::string_view envName);
// "production" -> "prod"; every other name is returned unchanged.
std::string canonicalEnv(std::string_view envName);
// Strict weak order for environment names: dev, others (alphabetical), prod/production.
bool envOrderLess(std::string_view a, std::string_view b);
// Path order: dev, then the others in userOrder's order (names it lacks come
// after them, alphabetically), then prod/production.
void sortEnvironments(std::vector<EnvironmentSpec>& envs, const std::vector<std::string>& userOrder = {});

}  // namespace paas
