#pragma once
// The step functions of each worker, registered on the Orchestrator by name.
// Each is idempotent: running it again for the same op gives the same
// result (at-least-once delivery). They run on worker pool threads.
#include "engine/model/projectspec.h"
#include "engine/pipeline/orchestrator.h"

namespace paas {

class ImageBuilderPolicy;

// The op's project record and its parsed spec, as steps need them.
struct ProjectAndSpec {
    ProjectRecord project;
    ProjectSpec spec;
};
Result<ProjectAndSpec> loadProjectSpec(StepContext& ctx);

void registerRegistrationSteps(Orchestrator& orchestrator);                       // registrar, repoBootstrap
void registerBuildSteps(Orchestrator& orchestrator, ImageBuilderPolicy& policy);  // imageBuilder, manifestRenderer
void registerDeliverySteps(Orchestrator& orchestrator);  // deployer, promoter, releaser, rollback

}  // namespace paas
