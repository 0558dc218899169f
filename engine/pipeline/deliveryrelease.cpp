#include "engine/pipeline/deliveryrelease.h"

#include "engine/core/atomicfile.h"
#include "engine/git/gitrepository.h"
#include "engine/git/repobootstrapper.h"
#include "engine/model/specparser.h"
#include "engine/pipeline/deliverystate.h"
#include "engine/pipeline/pipelinestore.h"
#include "engine/render/manifestsrepo.h"

#include <sstream>

namespace paas {

namespace {

std::string triggerOf(const DeliveryPlan& plan)
{
    if (plan.kind == delivery::kPromote || plan.kind == delivery::kRelease)
        return plan.kind + " from " + plan.fromEnv;
    if (plan.kind == delivery::kRollback)
        return "rollback to release " + std::to_string(plan.restoredRelease);
    return plan.kind;
}

nlohmann::json recordOf(const ReleaseRef& release, const DeliveryPlan& plan)
{
    nlohmann::json j = toJson(release);
    j["environment"] = plan.env;
    j["kind"] = plan.kind;
    j["source_env"] = plan.fromEnv.empty() ? nlohmann::json() : nlohmann::json(plan.fromEnv);
    j["restored_release"] = plan.restoredRelease > 0 ? nlohmann::json(plan.restoredRelease) : nlohmann::json();
    j["config"] = DeliveryState::configJson(plan.config);
    return j;
}

Result<std::vector<std::string>> writeArtifacts(const QString& dir, const DeliveryPlan& plan,
                                                const nlohmann::json& record)
{
    std::map<std::string, std::string> files;
    const std::string releaseDir = DeliveryState::releaseDir(plan.env, record.value("number", 0));
    files[releaseDir + "/rendered.yaml"] = plan.rendered;
    files[releaseDir + "/release.json"] = record.dump(2) + "\n";
    if (plan.kind == delivery::kDeploy || plan.kind == delivery::kRollback) {
        const auto [deployment, service] = DeliveryRelease::splitRendered(plan.rendered);
        files["deploy/" + plan.env + "/deployment.yaml"] = deployment;
        if (!service.empty())
            files["deploy/" + plan.env + "/service.yaml"] = service;
        files["deploy/" + plan.env + "/rendered.yaml"] = plan.rendered;
    } else {
        const std::string root = plan.kind == delivery::kRelease ? "releases/" : "promotions/";
        files[root + plan.fromEnv + "-to-" + plan.env + "/rendered.yaml"] = plan.rendered;
    }
    std::vector<std::string> paths;
    for (const auto& [path, content] : files) {
        if (Status s = writeFileIfChanged(dir + "/" + QString::fromStdString(path), content); !s)
            return s;
        paths.push_back(path);
    }
    return paths;
}

Result<std::string> commitManifests(StepContext& ctx, const ProjectRecord& project, const DeliveryPlan& plan)
{
    Result<ProjectSpec> spec = SpecParser::parseSpec(project.spec, "/spec", project.environmentOrder);
    if (!spec)
        return spec.status();
    std::map<std::string, std::string> envImages;
    for (const auto& [env, rec] : project.environments.items())
        if (rec.is_object() && !rec.value("image", "").empty())
            envImages[env] = rec.value("image", "");
    const std::string defaultImage = project.image.is_object() ? project.image.value("ref", "") : "";
    std::map<std::string, std::string> files = renderManifestsRepo(
        DeliveryState::deployedSpec(*spec, project.environments), project.id, envImages, defaultImage);
    for (const auto& [env, rec] : project.environments.items())
        if (rec.is_object() && spec->environment(env))
            files["overlays/" + env + "/release.json"] =
                nlohmann::json{{"environment", env},
                               {"release", rec.value("number", 0)},
                               {"image", rec.value("image", "")},
                               {"commit", rec.value("commit", "")},
                               {"op_id", rec.value("op_id", "")},
                               {"rendered_digest", rec.value("rendered_digest", "")}}
                    .dump(2) +
                "\n";
    Result<GitRepository> repo = GitRepository::open(RepoBootstrapper::manifestsRepoPath(ctx.projectDir));
    if (!repo)
        return repo.status();
    if (Status s = ctx.fence(); !s)
        return s;
    return repo->commitFiles(files, "platform-sync: " + plan.kind + " " + plan.env + " " + plan.image);
}

}  // namespace

std::pair<std::string, std::string> DeliveryRelease::splitRendered(const std::string& rendered)
{
    std::vector<std::string> docs(1);
    std::istringstream in(rendered);
    for (std::string line; std::getline(in, line);) {
        if (line == "---") {
            docs.emplace_back();
            continue;
        }
        docs.back() += line + "\n";
    }
    std::string deployment, service;
    for (const std::string& doc : docs) {
        if (doc.find("\nkind: Deployment\n") != std::string::npos || doc.rfind("kind: Deployment\n", 0) == 0)
            deployment = doc;
        if (doc.find("\nkind: Service\n") != std::string::npos || doc.rfind("kind: Service\n", 0) == 0)
            service = doc;
    }
    return {deployment, service};
}

StepOutcome DeliveryRelease::apply(StepContext& ctx, const DeliveryPlan& plan)
{
    ReleaseRef wanted{0,         plan.image,   plan.commit,     plan.digest,
                      ctx.op.id, nowRfc3339(), triggerOf(plan), DeliveryState::sha256(plan.rendered)};
    if (Status s = ctx.fence(); !s)  // a stale attempt numbers no release
        return {s};
    Result<ReleaseRef> release = ctx.store.appendRelease(ctx.op.projectId, plan.env, wanted);
    if (!release)
        return {release.status()};
    const nlohmann::json record = recordOf(*release, plan);
    Result<std::vector<std::string>> written = writeArtifacts(ctx.projectDir, plan, record);
    if (!written)
        return {written.status()};
    Result<ProjectRecord> project = ctx.store.mutateProject(ctx.op.projectId, [&](ProjectRecord& p) -> Status {
        const nlohmann::json existing =
            p.environments.is_object() ? p.environments.value(plan.env, nlohmann::json()) : nlohmann::json();
        // A redelivered step must not move the env back over a newer release.
        if (existing.is_object() && existing.value("number", 0) > release->number)
            return Status::ok();
        if (!p.environments.is_object())
            p.environments = nlohmann::json::object();
        p.environments[plan.env] = record;
        p.updatedAt = nowRfc3339();
        return Status::ok();
    });
    if (!project)
        return {project.status()};
    Result<std::string> commit = commitManifests(ctx, *project, plan);
    if (!commit)
        return {commit.status()};
    ctx.log(plan.kind + " " + plan.env + ": release " + std::to_string(release->number) + " runs " + plan.image +
            " (manifests " + commit->substr(0, 12) + ")");
    nlohmann::json outputs = record;
    outputs["artifacts"] = *written;
    outputs["manifests_commit"] = *commit;
    if (!ctx.op.classification.empty())
        outputs["classification"] = ctx.op.classification;
    return {Status::ok(), outputs, plan.env + " release " + std::to_string(release->number) + ": " + plan.image};
}

}  // namespace paas
