// The imageBuilder and manifestRenderer steps.
#include "engine/pipeline/steps.h"

#include "engine/build/buildkitclient.h"
#include "engine/core/atomicfile.h"
#include "engine/git/gitrepository.h"
#include "engine/git/repobootstrapper.h"
#include "engine/git/templatecatalog.h"
#include "engine/model/specparser.h"
#include "engine/pipeline/deliverystate.h"
#include "engine/pipeline/imagebuilderpolicy.h"
#include "engine/pipeline/pipelinestore.h"
#include "engine/pipeline/platform.h"
#include "engine/render/manifestsrepo.h"

#include <QCryptographicHash>
#include <QFile>

#include <memory>
#include <mutex>
#include <optional>
#include <sstream>

namespace paas {

namespace {

struct BuildInput {
    std::string commit;
    std::string image;
    std::string dockerfile;
    std::string dockerfileSource;
    TreeListing tree;
    QString repoPath;
};

// Reads the context's blobs for BuildKit's session threads: one repository
// handle, one reader at a time (a GitRepository is single-threaded).
BuildLocal gitLocal(const BuildInput& in)
{
    struct Reader {
        std::mutex mu;
        QString path;
        std::optional<GitRepository> repo;
    };
    auto reader = std::make_shared<Reader>();
    reader->path = in.repoPath;
    BuildLocal local;
    local.listing = in.tree;
    local.read = [reader](const TreeEntryRef& e) -> Result<std::string> {
        std::lock_guard lock(reader->mu);
        if (!reader->repo) {
            Result<GitRepository> opened = GitRepository::open(reader->path);
            if (!opened)
                return opened.status();
            reader->repo.emplace(std::move(*opened));
        }
        return reader->repo->readBlob(e.blobId);
    };
    return local;
}

// Stable per project and repository, so BuildKit diffs against the context it
// kept from this project's previous build (and never another project's).
std::string contextSharedKey(const std::string& projectId, const QString& repoPath)
{
    const QByteArray key = QByteArray::fromStdString("paas:" + projectId + ":") + repoPath.toUtf8();
    return QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex().toStdString();
}

Result<BuildInput> prepareBuild(StepContext& ctx, const ProjectSpec& spec)
{
    if (Status broken = RepoBootstrapper::checkSourceRepo(ctx.projectDir); !broken)
        return broken;
    const QString repoPath = RepoBootstrapper::sourceRepoPath(ctx.projectDir);
    Result<GitRepository> repo = GitRepository::open(repoPath);
    if (!repo)
        return repo.status();
    const std::string wanted = ctx.op.trigger.value("commit", "");
    Result<std::string> commit = wanted.empty() ? repo->branchHead("main") : repo->resolveCommit(wanted);
    if (!commit)
        return Status::invalidArgument("unknown_commit",
            wanted.empty() ? commit.status().message()
                           : "commit '" + wanted + "' does not exist in the source repo: " + commit.status().message());
    Result<TreeListing> tree = repo->listTree(*commit);
    if (!tree)
        return tree.status();
    BuildInput input{*commit, "paas/" + ctx.op.projectId + ":" + commit->substr(0, 12), {}, "repo", std::move(*tree),
                     repoPath};
    Result<std::optional<std::string>> dockerfile = repo->readFileAt(*commit, "Dockerfile");
    if (!dockerfile)
        return dockerfile.status();
    if (*dockerfile)
        input.dockerfile = **dockerfile;
    if (input.dockerfile.empty()) {
        Result<std::map<std::string, std::string>> tmpl = renderTemplate(spec.runtime,
            {{"name", spec.name}, {"project_id", ctx.op.projectId}, {"port", "8080"}, {"runtime", spec.runtime}});
        if (tmpl && tmpl->count("Dockerfile"))
            input.dockerfile = tmpl->at("Dockerfile");
        input.dockerfileSource = "template";
    }
    if (input.dockerfile.empty())
        return Status::invalidArgument("no_dockerfile", "no Dockerfile at " + input.commit + " and no template for " + spec.runtime);
    return input;
}

nlohmann::json publishRecord(const BuildInput& in, const nlohmann::json& builder, const std::string& digest)
{
    return {{"image", in.image}, {"commit", in.commit}, {"digest", digest},
            {"requested_mode", builder["requested"]}, {"requested_explicitly", builder["requested_explicitly"]},
            {"effective_mode", builder["effective"]}, {"reason", builder["reason"]},
            {"published", !digest.empty()}, {"dockerfile_source", in.dockerfileSource}, {"at", nowRfc3339()}};
}

Result<BuildResult> buildWithBuildKit(StepContext& ctx, ImageBuilderPolicy& policy, const BuildInput& in)
{
    Result<std::string> address = policy.buildkitAddressForBuild();
    if (!address)
        return address.status();
    ctx.log("BuildKit at " + *address + ": building " + in.image);
    Result<std::unique_ptr<BuildKitClient>> client = BuildKitClient::connect(*address, 5000);
    if (!client)
        return client.status();
    QFile log(ctx.projectDir + "/build/buildkit.log");
    log.open(QIODevice::WriteOnly | QIODevice::Truncate);
    std::mutex logMutex;
    BuildRequest request;
    request.image = in.image;
    request.contextSource = gitLocal(in);
    request.sharedKey = contextSharedKey(ctx.op.projectId, in.repoPath);
    request.dockerfile = in.dockerfile;
    request.networkMode = "none";
    request.cancelled = ctx.cancelled;   // POST /api/ops/{id}/cancel stops the Solve
    request.onLog = [&](const std::string& line) {
        {
            std::lock_guard lock(logMutex);
            log.write(QByteArray::fromStdString(line + "\n"));
            log.flush();
        }
        ctx.log(line);
        ctx.keepAlive();
    };
    return (*client)->build(request);
}

StepOutcome imageBuilder(StepContext& ctx, ImageBuilderPolicy& policy)
{
    Result<ProjectAndSpec> loaded = loadProjectSpec(ctx);
    if (!loaded)
        return {loaded.status()};
    Result<BuildInput> in = prepareBuild(ctx, loaded->spec);
    if (!in)
        return {in.status()};
    ctx.log("building " + in->image + " at commit " + in->commit + " (Dockerfile from " + in->dockerfileSource + ")");
    const QString build = ctx.projectDir + "/build/";
    if (Status s = writeFileAtomic(build + "Dockerfile", in->dockerfile); !s)
        return {s};
    const nlohmann::json builder = ctx.platform.builderInfo();
    std::string digest;
    nlohmann::json transfer;
    if (builder.value("effective", "") == "buildkit") {
        Result<BuildResult> result = buildWithBuildKit(ctx, policy, *in);
        if (!result)
            return {result.status()};
        digest = result->digest;
        std::ostringstream summary;
        summary << "image: " << result->image << "\ndigest: " << result->digest << "\ncommit: " << in->commit
                << "\nduration_s: " << result->durationSeconds << "\nvertices: " << result->vertices
                << "\ncached_vertices: " << result->cachedVertices << "\ntransport: " << result->transport
                << "\ncontext_entries: " << result->contextSent.entries
                << "\ncontext_files_sent: " << result->contextSent.filesSent
                << "\ncontext_bytes_sent: " << result->contextSent.bytesSent
                << "\ndockerfile_bytes_sent: " << result->dockerfileSent.bytesSent << "\n";
        transfer = {{"transport", result->transport}, {"entries", result->contextSent.entries},
                    {"files_sent", result->contextSent.filesSent}, {"bytes_sent", result->contextSent.bytesSent},
                    {"context_files", in->tree.size()}};
        writeFileAtomic(build + "buildkit-summary.txt", summary.str());
        writeFileAtomic(build + "buildkit-metadata.json", result->exporterResponse.dump(2) + "\n");
    }
    writeFileAtomic(build + "image.txt", in->image + (digest.empty() ? "" : "\n" + digest) + "\n");
    if (Status s = writeFileAtomic(build + "publish-local-daemon.json", publishRecord(*in, builder, digest).dump(2) + "\n"); !s)
        return {s};
    const nlohmann::json image{{"ref", in->image}, {"commit", in->commit}, {"digest", digest},
                               {"mode", builder.value("effective", "artifact")}, {"built_at", nowRfc3339()},
                               {"op_id", ctx.op.id}};
    Result<ProjectRecord> stored = ctx.store.mutateProject(ctx.op.projectId, [&](ProjectRecord& p) -> Status {
        p.image = image;
        p.updatedAt = nowRfc3339();
        return Status::ok();
    });
    if (!stored)
        return {stored.status()};
    nlohmann::json outputs = image;
    if (!transfer.is_null())
        outputs["context_transfer"] = transfer;
    return {Status::ok(), outputs, digest.empty() ? "image reference recorded (artifact mode)" : "image built: " + digest};
}

StepOutcome manifestRenderer(StepContext& ctx)
{
    Result<ProjectAndSpec> loaded = loadProjectSpec(ctx);
    if (!loaded)
        return {loaded.status()};
    const ProjectRecord* project = &loaded->project;
    const ProjectSpec* spec = &loaded->spec;
    const std::string image = project->image.is_object() ? project->image.value("ref", "") : "";
    std::map<std::string, std::string> envImages;
    for (const auto& [env, release] : project->environments.items())
        if (release.is_object() && !release.value("image", "").empty())
            envImages[env] = release.value("image", "");
    const std::map<std::string, std::string> files = renderManifestsRepo(
        DeliveryState::deployedSpec(*spec, project->environments), ctx.op.projectId, envImages, image);
    if (Status broken = RepoBootstrapper::checkManifestsRepo(ctx.projectDir); !broken)
        return {broken};
    Result<GitRepository> repo = GitRepository::open(RepoBootstrapper::manifestsRepoPath(ctx.projectDir));
    if (!repo)
        return {repo.status()};
    Result<std::string> commit = repo->commitFiles(files, "platform-sync: render " + image);
    if (!commit)
        return {commit.status()};
    ctx.log("manifests rendered for " + image + " (" + std::to_string(files.size()) + " files) at " + commit->substr(0, 12));
    std::vector<std::string> paths;
    for (const auto& [path, content] : files)
        paths.push_back("repos/manifests/" + path);
    return {Status::ok(), {{"image", image}, {"manifests_commit", *commit}, {"files", paths}},
            "manifests committed to repos/manifests"};
}

}  // namespace

void registerBuildSteps(Orchestrator& orchestrator, ImageBuilderPolicy& policy)
{
    orchestrator.registerStep(steps::kImageBuilder, [&policy](StepContext& ctx) { return imageBuilder(ctx, policy); });
    orchestrator.registerStep(steps::kManifestRenderer, manifestRenderer);
}

}  // namespace paas
