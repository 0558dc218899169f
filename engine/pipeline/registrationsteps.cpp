// The registrar and repoBootstrap steps.
#include "engine/pipeline/steps.h"

#include "engine/pipeline/environmentrunner.h"

#include "engine/core/atomicfile.h"
#include "engine/git/repobootstrapper.h"
#include "engine/model/specparser.h"
#include "engine/pipeline/pipelinestore.h"
#include "engine/pipeline/platform.h"
#include "engine/render/yamlemit.h"

namespace paas {

namespace {

// An op accepted by an older version has no order: the spec's sorted one.
std::vector<std::string> environmentOrderOf(const nlohmann::json& params)
{
    std::vector<std::string> order;
    for (const nlohmann::json& name : params.value("environment_order", nlohmann::json::array()))
        if (name.is_string())
            order.push_back(name.get<std::string>());
    return order;
}

StepOutcome registrar(StepContext& ctx)
{
    const std::string action = ctx.op.kind;
    nlohmann::json record{{"action", action},
                          {"project_id", ctx.op.projectId},
                          {"op_id", ctx.op.id},
                          {"received_at", ctx.op.createdAt},
                          {"source", ctx.op.trigger.value("source", "api")}};
    std::vector<std::string> files;
    if (action != "delete") {
        const nlohmann::json spec = ctx.op.params.value("spec", nlohmann::json::object());
        Result<ProjectSpec> parsed = SpecParser::parseSpec(spec, "/spec", environmentOrderOf(ctx.op.params));
        if (!parsed)
            return {parsed.status()};
        if (Status s =
                writeFileAtomic(ctx.projectDir + "/registration/project.yaml", emitYaml(parsed->toOrderedJson()));
            !s)
            return {s};
        record["spec"] = parsed->toJson();
        record["environment_order"] = parsed->environmentNames();
        files.push_back("registration/project.yaml");
        Result<ProjectRecord> stored = ctx.store.mutateProject(ctx.op.projectId, [&](ProjectRecord& p) -> Status {
            p.spec = parsed->toJson();
            p.environmentOrder = parsed->environmentNames();
            p.name = parsed->name;
            p.updatedAt = nowRfc3339();
            return Status::ok();
        });
        if (!stored)
            return {stored.status()};
        ctx.log("spec validated: " + parsed->name + " (" + parsed->runtime + ", " +
                std::to_string(parsed->environments.size()) + " environments)");
    }
    if (Status s = writeFileAtomic(ctx.projectDir + "/registration/registration.json", record.dump(2) + "\n"); !s)
        return {s};
    files.push_back("registration/registration.json");
    return {Status::ok(), {{"files", files}}, "registration recorded"};
}

StepOutcome repoBootstrap(StepContext& ctx)
{
    const QString root = ctx.platform.config().artifactsRoot;
    if (ctx.op.kind == "delete") {
        if (Status s = ctx.platform.runner().removeProject(ctx.op.projectId, ctx.log); !s)
            return {s};
        if (Status s = ctx.fence(); !s)
            return {s};
        if (Status s = RepoBootstrapper::archiveProject(root, ctx.op.projectId); !s)
            return {s};
        ctx.log("project folder moved to " + root.toStdString() + "/.trash/");
        return {Status::ok(), {{"archived", true}}, "project folder moved to .trash"};
    }
    Result<ProjectAndSpec> loaded = loadProjectSpec(ctx);
    if (!loaded)
        return {loaded.status()};
    const ProjectSpec* spec = &loaded->spec;
    BootstrapRequest request;
    request.projectDir = ctx.projectDir;
    request.projectId = ctx.op.projectId;
    request.name = spec->name;
    request.runtime = spec->runtime;
    request.port = spec->environments.empty() ? 8080 : spec->environments.front().port;
    request.apiUrlFile = root + "/.paas/api-url";
    const std::string configured = ctx.platform.config().localApiBaseUrl.toStdString();
    request.defaultBaseUrl = configured.empty() ? ctx.platform.apiUrl() : configured;
    request.hookToken = ctx.platform.hookTokens().tokenFor(ctx.op.projectId);
    request.existing = ctx.op.kind == "update";
    if (Status s = ctx.fence(); !s)  // the bootstrap commits to the repos
        return {s};
    Result<BootstrapOutcome> outcome = RepoBootstrapper::run(request);
    if (!outcome)
        return {outcome.status()};
    for (const std::string& f : outcome->written)
        ctx.log("template file written: " + f);
    for (const std::string& f : outcome->keptUserEdits)
        ctx.log("kept user edit: " + f);
    ctx.log("hooks installed: post-commit, post-merge");
    return {Status::ok(),
            {{"source_head", outcome->sourceHead},
             {"manifests_head", outcome->manifestsHead},
             {"template", outcome->templateUsed},
             {"written", outcome->written},
             {"kept_user_edits", outcome->keptUserEdits},
             {"skipped_reason", outcome->skippedReason}},
            "repos ready at repos/source and repos/manifests"};
}

}  // namespace

Result<ProjectAndSpec> loadProjectSpec(StepContext& ctx)
{
    Result<ProjectRecord> project = ctx.store.project(ctx.op.projectId);
    if (!project)
        return project.status();
    Result<ProjectSpec> spec = SpecParser::parseSpec(project->spec, "/spec", project->environmentOrder);
    if (!spec)
        return spec.status();
    return ProjectAndSpec{std::move(project.value()), std::move(spec.value())};
}

void registerRegistrationSteps(Orchestrator& orchestrator)
{
    orchestrator.registerStep(steps::kRegistrar, registrar);
    orchestrator.registerStep(steps::kRepoBootstrap, repoBootstrap);
}

}  // namespace paas
