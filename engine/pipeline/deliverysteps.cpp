// The delivery steps: deployer, promoter, releaser, rollback. Each plans what
// the target environment should run (image, config, rendered manifests) from
// the state when the step runs (ops of a project run in acceptance order),
// then DeliveryRelease::apply() makes it a numbered release.
#include "engine/pipeline/steps.h"

#include "engine/model/specparser.h"
#include "engine/pipeline/deliveryrelease.h"
#include "engine/pipeline/deliverystate.h"
#include "engine/pipeline/environmentrunner.h"
#include "engine/pipeline/eventbus.h"
#include "engine/pipeline/pipelinestore.h"
#include "engine/pipeline/platform.h"
#include "engine/render/manifestrenderer.h"

namespace paas {

namespace {

struct Loaded {
    ProjectRecord project;
    ProjectSpec spec;
    std::string env;
};

Result<Loaded> load(StepContext& ctx)
{
    Result<ProjectRecord> project = ctx.store.project(ctx.op.projectId);
    if (!project)
        return project.status();
    Result<ProjectSpec> spec = SpecParser::parseSpec(project->spec, "/spec", project->environmentOrder);
    if (!spec)
        return spec.status();
    Result<std::string> env = DeliveryState::resolveEnv(*spec, ctx.op.params.value("environment", ""), "/environment");
    if (!env)
        return env.status();
    return Loaded{std::move(*project), std::move(*spec), std::move(*env)};
}

// Renders `env` of the current spec (the target keeps its own config) with `image`.
Result<DeliveryPlan> renderedPlan(StepContext& ctx, const Loaded& in, const std::string& kind, std::string image)
{
    Result<RenderedEnvironment> rendered = ManifestRenderer::render(in.spec, ctx.op.projectId, in.env, image);
    if (!rendered)
        return rendered.status();
    DeliveryPlan plan;
    plan.kind = kind;
    plan.env = in.env;
    plan.image = std::move(image);
    plan.config = *in.spec.environment(in.env);
    plan.rendered = rendered->rendered;
    return plan;
}

Result<DeliveryPlan> planDeploy(StepContext& ctx, const Loaded& in)
{
    const std::string image = in.project.image.is_object() ? in.project.image.value("ref", "") : "";
    if (image.empty())
        return Status::conflict("no_image", "project '" + in.project.id + "' has no built image yet");
    Result<DeliveryPlan> plan = renderedPlan(ctx, in, delivery::kDeploy, image);
    if (plan) {
        plan->commit = in.project.image.value("commit", "");
        plan->digest = in.project.image.value("digest", "");
    }
    return plan;
}

Result<DeliveryPlan> planPromotion(StepContext& ctx, const Loaded& in, const std::string& kind)
{
    Result<std::string> from = DeliveryState::resolveEnv(in.spec, ctx.op.params.value("from_env", ""), "/from_env");
    if (!from)
        return from.status();
    const nlohmann::json source = DeliveryState::current(in.project, *from);
    if (source.is_null())
        return Status::conflict("nothing_deployed", "environment '" + *from + "' has nothing deployed to promote");
    Result<DeliveryPlan> plan = renderedPlan(ctx, in, kind, source.value("image", ""));
    if (plan) {
        plan->fromEnv = *from;
        plan->commit = source.value("commit", "");
        plan->digest = source.value("digest", "");
    }
    return plan;
}

Result<DeliveryPlan> planRollback(StepContext& ctx, const Loaded& in)
{
    const int wanted = ctx.op.params.value("release", 0);
    Result<std::vector<ReleaseRef>> history = ctx.store.releases(ctx.op.projectId, in.env);
    if (!history)
        return history.status();
    const ReleaseRef* target = nullptr;
    for (const ReleaseRef& r : *history)
        if (r.number == wanted)
            target = &r;
    if (!target)
        return Status::notFound("release_not_found", in.env + " has no release " + std::to_string(wanted));
    const std::string dir = DeliveryState::releaseDir(in.env, wanted);
    Result<std::string> rendered = DeliveryState::readArtifact(ctx.projectDir, dir + "/rendered.yaml");
    Result<std::string> meta = DeliveryState::readArtifact(ctx.projectDir, dir + "/release.json");
    if (!rendered || !meta)
        return Status::internal("release_artifacts_missing", "the rendered manifests of " + in.env + " release " +
                                                                 std::to_string(wanted) + " are missing under " + dir);
    const nlohmann::json record = nlohmann::json::parse(*meta, nullptr, false);
    DeliveryPlan plan;
    plan.kind = delivery::kRollback;
    plan.env = in.env;
    plan.restoredRelease = wanted;
    plan.image = target->image;
    plan.commit = target->commit;
    plan.digest = target->digest;
    plan.config = DeliveryState::configFromJson(
        in.env, record.is_object() ? record.value("config", nlohmann::json()) : nlohmann::json(),
        *in.spec.environment(in.env));
    plan.rendered = *rendered;
    return plan;
}

// With run: docker, the target's container is replaced (zero downtime)
// before the release is recorded: a container that never gets healthy fails
// the op and leaves the environment's current release as it was.
Status runContainer(StepContext& ctx, const Loaded& in, const DeliveryPlan& plan)
{
    EnvironmentRunner& runner = ctx.platform.runner();
    Result<bool> runs = runner.runs(*in.spec.environment(plan.env), plan.image);
    if (!runs)
        return runs.status();
    if (!*runs) {
        if (runner.mode(*in.spec.environment(plan.env)) == "docker")
            ctx.log("run: " + plan.image + " has no command (no CMD or ENTRYPOINT), so " + plan.env +
                    " is not run; set run: docker in the spec to require it");
        return Status::ok();
    }
    Result<std::vector<ReleaseRef>> history = ctx.store.releases(ctx.op.projectId, plan.env);
    if (!history)
        return history.status();
    int number = static_cast<int>(history->size()) + 1;
    for (const ReleaseRef& r : *history)
        if (r.opId == ctx.op.id)
            number = r.number;  // a redelivered step: the release this op already has
    ctx.log("run: starting " + plan.image + " for " + plan.env + " on the Docker engine");
    return runner.deploy({ctx.op.projectId, plan.env, plan.image, ctx.op.id, number, plan.config}, ctx.log,
                         ctx.cancelled);
}

StepOutcome runControl(StepContext& ctx)
{
    Result<Loaded> in = load(ctx);
    if (!in)
        return {in.status()};
    EnvironmentRunner& runner = ctx.platform.runner();
    const bool stop = ctx.op.kind == "stop";
    Status s = stop ? runner.stopEnv(ctx.op.projectId, in->env, ctx.log)
                    : runner.startEnv(ctx.op.projectId, in->env, ctx.log, ctx.cancelled);
    if (!s)
        return {s};
    const EnvironmentSpec* env = in->spec.environment(in->env);
    return {Status::ok(),
            {{"environment", in->env}, {"run", runner.state(ctx.op.projectId, *env)}},
            in->env + (stop ? " stopped" : " started")};
}

StepOutcome runDelivery(StepContext& ctx, const std::string& kind)
{
    Result<Loaded> in = load(ctx);
    if (!in)
        return {in.status()};
    if (!ctx.op.classification.empty()) {
        ctx.platform.events().publishAsync(
            ctx.op, events::kStepLog,
            {{"step", ctx.step},
             {"classification", ctx.op.classification},
             {"line", "classified as " + ctx.op.classification + " (target " + in->env + ")"}});
    }
    Result<DeliveryPlan> plan = kind == delivery::kDeploy     ? planDeploy(ctx, *in)
                                : kind == delivery::kRollback ? planRollback(ctx, *in)
                                                              : planPromotion(ctx, *in, kind);
    if (!plan)
        return {plan.status()};
    ctx.log(kind + " " + plan->env + (plan->fromEnv.empty() ? "" : " from " + plan->fromEnv) + ": " + plan->image);
    if (Status s = runContainer(ctx, *in, *plan); !s)
        return {s};
    return DeliveryRelease::apply(ctx, *plan);
}

}  // namespace

void registerDeliverySteps(Orchestrator& orchestrator)
{
    orchestrator.registerStep(steps::kDeployer, [](StepContext& ctx) { return runDelivery(ctx, delivery::kDeploy); });
    orchestrator.registerStep(steps::kPromoter, [](StepContext& ctx) { return runDelivery(ctx, delivery::kPromote); });
    orchestrator.registerStep(steps::kReleaser, [](StepContext& ctx) { return runDelivery(ctx, delivery::kRelease); });
    orchestrator.registerStep(steps::kRollback, [](StepContext& ctx) { return runDelivery(ctx, delivery::kRollback); });
    orchestrator.registerStep(steps::kRunner, runControl);
}

}  // namespace paas
