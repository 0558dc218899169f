#pragma once
// DeliveryState: the shared vocabulary of the delivery pathway — environment
// resolution, the per-environment record kept in ProjectRecord.environments,
// release artifact paths, and the "deployed spec" (each environment with the
// config its current release was rendered with).
//
// Contract:
//   - ProjectRecord.environments[<env as named in the spec>] =
//       toJson(ReleaseRef) + {"environment", "kind", "source_env",
//       "config": {vars, replicas, port}}   (the env's current release).
//   - Release history lives in paas_releases (PipelineStore::releases) and,
//     per release, in <projectDir>/releases/<env>/<n>/rendered.yaml (the exact
//     rendered manifests) and release.json (the record plus its config), which
//     is what a rollback restores.
//   - resolveEnv() maps a requested name to the spec's name ("prod" and
//     "production" match); unknown names are InvalidArgument
//     "unknown_environment" with a detail at the given JSON pointer.
//   - Pure helpers except readArtifact(); thread-safe.
#include "engine/core/status.h"
#include "engine/model/projectspec.h"
#include "engine/pipeline/records.h"

#include <nlohmann/json.hpp>

#include <QString>

#include <string>

namespace paas {

namespace delivery {
inline constexpr const char* kDeploy = "deploy";
inline constexpr const char* kPromote = "promote";
inline constexpr const char* kRelease = "release";
inline constexpr const char* kRollback = "rollback";
}  // namespace delivery

class DeliveryState {
public:
    static bool isDeliveryKind(const std::string& kind);
    static Result<std::string> resolveEnv(const ProjectSpec& spec, const std::string& requested,
                                          const std::string& pointer);

    static nlohmann::json configJson(const EnvironmentSpec& env);
    static EnvironmentSpec configFromJson(const std::string& name, const nlohmann::json& config,
                                          const EnvironmentSpec& fallback);
    // The spec with `env`'s vars/replicas/port replaced by `config`.
    static ProjectSpec withConfig(const ProjectSpec& spec, const EnvironmentSpec& config);
    // The spec with every deployed environment's config replaced by the
    // config of its current release (what actually runs there).
    static ProjectSpec deployedSpec(const ProjectSpec& spec, const nlohmann::json& environments);

    // The env's current release record, or null when nothing is deployed.
    static nlohmann::json current(const ProjectRecord& project, const std::string& env);

    static std::string releaseDir(const std::string& env, int number);  // "releases/<env>/<n>"
    static Result<std::string> readArtifact(const QString& projectDir, const std::string& relativePath);
    static std::string sha256(const std::string& data);  // "sha256:<hex>"
};

}  // namespace paas
