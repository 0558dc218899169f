#pragma once
// DeliveryRelease: turns a planned delivery into a numbered release of one
// environment — the shared second half of the deployer, promoter, releaser
// and rollback steps.
//
// Contract (apply(), in this order; every part is idempotent per op id, so a
// redelivered step gives the same release, files and manifests commit):
//   1. appends ReleaseRef{image, commit, digest, op id, time, trigger,
//      sha256 of the rendered manifests} to paas_releases/<project>.<env>
//      (numbered 1, 2, ... per environment);
//   2. writes releases/<env>/<n>/rendered.yaml and release.json;
//   3. writes the kind's artifacts exactly at the reference paths:
//      deploy and rollback: deploy/<env>/{deployment,service,rendered}.yaml
//      (service.yaml only when there is a Service); promote:
//      promotions/<from>-to-<env>/rendered.yaml; release:
//      releases/<from>-to-<env>/rendered.yaml;
//   4. records the release as the env's current one in the project record;
//   5. re-renders the manifests repo (one kustomize overlay per environment,
//      each pinned to its current image and config, plus
//      overlays/<env>/release.json naming the release) and commits it with
//      the subject "platform-sync: <kind> <env> <image>".
// Thread affinity: runs on a worker thread; callers serialize per project
// (the per-project op queue guarantees it).
#include "engine/model/projectspec.h"
#include "engine/pipeline/orchestrator.h"

#include <string>

namespace paas {

struct DeliveryPlan {
    std::string kind;         // deploy|promote|release|rollback
    std::string env;          // target environment, as named in the spec
    std::string fromEnv;      // promote/release source
    int restoredRelease = 0;  // rollback: the release restored
    std::string image, commit, digest;
    EnvironmentSpec config;  // the config the target runs with
    std::string rendered;    // exact rendered manifests of the target
};

class DeliveryRelease {
public:
    static StepOutcome apply(StepContext& ctx, const DeliveryPlan& plan);
    // Splits a rendered multi-document stream into its Deployment and
    // Service documents (empty when absent).
    static std::pair<std::string, std::string> splitRendered(const std::string& rendered);
};

}  // namespace paas
