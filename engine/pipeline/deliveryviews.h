#pragma once
// DeliveryViews: the read side of delivery for the API and the UI.
//
// Contract (each returns a JSON document or a Status the API maps to HTTP):
//   - environments(): {project_id, environments: [{name, production,
//     replicas, port, current: {number, image, commit, digest, op_id, at,
//     trigger, kind, source_env, ...} | null}]} in spec (promotion path) order.
//   - releases(): {project_id, environment, current, releases: [...]} newest
//     first; with an empty env, every environment's releases merged, newest
//     first by time, each carrying "environment".
//   - diff(): what promoting `from` into `to` would change in `to`: the
//     target's current rendered manifests (empty when nothing is deployed)
//     against `to` rendered from the current spec with `from`'s image.
//     {from, to, from_image, to_image, changed, unified, objects: [...]} (see
//     DeliveryDiff). 400 unknown/missing environment, 409 same_environment or
//     nothing_deployed (from), 404 unknown project.
// Thread affinity: thread-safe (reads the store and artifact files only).
#include "engine/core/status.h"

#include <nlohmann/json.hpp>

#include <string>

namespace paas {

class Platform;

class DeliveryViews {
public:
    static Result<nlohmann::json> environments(const Platform& platform, const std::string& projectId);
    static Result<nlohmann::json> releases(const Platform& platform, const std::string& projectId,
                                           const std::string& env);
    static Result<nlohmann::json> diff(const Platform& platform, const std::string& projectId, const std::string& from,
                                       const std::string& to);
};

}  // namespace paas
