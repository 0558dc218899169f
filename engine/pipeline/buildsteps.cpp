// The imageBuilder and manifestRenderer steps.
#include "engine/pipeline/steps.h"

#include "engine/build/buildkitclient.h"
#include "engine/build/registrycredentials.h"
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
#include <QHostAddress>

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

// Pushed builds are named after the registry (PAAS_IMAGE_REGISTRY), so the
// manifests reference what a cluster can pull; local ones stay paas/<id>.
std::string imageName(const StepContext& ctx, bool buildkit, const std::string& commit)
{
    const std::string registry = ctx.platform.config().imageRegistry.toStdString();
    const std::string repo = buildkit && !registry.empty() ? registry : std::string("paas");
    return repo + "/" + ctx.op.projectId + ":" + commit.substr(0, 12);
}

Result<BuildInput> prepareBuild(StepContext& ctx, const ProjectSpec& spec, bool buildkit)
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
        return Status::invalidArgument(
            "unknown_commit",
            wanted.empty() ? commit.status().message()
                           : "commit '" + wanted + "' does not exist in the source repo: " + commit.status().message());
    BuildInput input{*commit, imageName(ctx, buildkit, *commit), {}, "repo", {}, repoPath};
    if (buildkit) {  // the context BuildKit's session reads; artifact mode sends none
        Result<TreeListing> tree = repo->listTree(*commit);
        if (!tree)
            return tree.status();
        input.tree = std::move(*tree);
    }
    Result<std::optional<std::string>> dockerfile = repo->readFileAt(*commit, "Dockerfile");
    if (!dockerfile)
        return dockerfile.status();
    if (*dockerfile)
        input.dockerfile = **dockerfile;
    if (input.dockerfile.empty()) {
        Result<std::map<std::string, std::string>> tmpl = renderTemplate(
            spec.runtime,
            {{"name", spec.name}, {"project_id", ctx.op.projectId}, {"port", "8080"}, {"runtime", spec.runtime}});
        if (tmpl && tmpl->count("Dockerfile"))
            input.dockerfile = tmpl->at("Dockerfile");
        input.dockerfileSource = "template";
    }
    if (input.dockerfile.empty())
        return Status::invalidArgument("no_dockerfile",
                                       "no Dockerfile at " + input.commit + " and no template for " + spec.runtime);
    return input;
}

nlohmann::json publishRecord(const BuildInput& in, const nlohmann::json& builder, const std::string& digest)
{
    return {{"image", in.image},
            {"commit", in.commit},
            {"digest", digest},
            {"requested_mode", builder["requested"]},
            {"requested_explicitly", builder["requested_explicitly"]},
            {"effective_mode", builder["effective"]},
            {"reason", builder["reason"]},
            {"published", !digest.empty()},
            {"dockerfile_source", in.dockerfileSource},
            {"at", nowRfc3339()}};
}

// BuildRequest::networkMode for a project: its build.network, else the
// instance's PAAS_BUILD_NETWORK; "default" is BuildKit's own ("").
std::string buildNetworkMode(const StepContext& ctx, const ProjectSpec& spec)
{
    const std::string chosen =
        spec.buildNetwork.empty() ? ctx.platform.config().buildNetwork.toStdString() : spec.buildNetwork;
    return chosen == "default" ? std::string() : chosen;
}

// The registry settings of a pushed build; a plain-HTTP loopback registry
// must be declared insecure (PAAS_IMAGE_REGISTRY_INSECURE), never assumed.
Status preparePush(const Config& config, BuildRequest& request)
{
    Result<RegistryCredentials> credentials = RegistryCredentials::load(config.dockerConfigPath.toStdString());
    if (!credentials)
        return credentials.status();
    request.credentials = std::move(*credentials);
    if (config.imageRegistry.isEmpty())
        return Status::ok();
    request.push = true;
    request.registryInsecure = config.imageRegistryInsecure;
    const QString host = QString::fromStdString(RegistryCredentials::normalizeHost(config.imageRegistry.toStdString()));
    const QString bare = host.startsWith('[') ? host.mid(1, host.indexOf(']') - 1) : host.section(':', 0, 0);
    const bool loopback = bare == "localhost" || QHostAddress(bare).isLoopback();
    if (loopback && !config.imageRegistryInsecure)
        return Status::invalidArgument("registry_insecure_required",
                                       "the image registry " + host.toStdString() +
                                           " is on loopback, reached over plain HTTP; set "
                                           "PAAS_IMAGE_REGISTRY_INSECURE=true to push to it");
    return Status::ok();
}

Result<BuildResult> buildWithBuildKit(StepContext& ctx, ImageBuilderPolicy& policy, const BuildInput& in,
                                      const std::string& networkMode)
{
    Result<std::string> address = policy.buildkitAddressForBuild();
    if (!address)
        return address.status();
    BuildRequest request;
    if (Status st = preparePush(ctx.platform.config(), request); !st)
        return st;
    ctx.log("BuildKit at " + *address + ": building " + in.image);
    Result<std::unique_ptr<BuildKitClient>> client = BuildKitClient::connect(*address, 5000);
    if (!client)
        return client.status();
    QFile log(ctx.projectDir + "/build/buildkit.log");
    log.open(QIODevice::WriteOnly | QIODevice::Truncate);
    std::mutex logMutex;
    request.image = in.image;
    request.contextSource = gitLocal(in);
    request.sharedKey = contextSharedKey(ctx.op.projectId, in.repoPath);
    request.dockerfile = in.dockerfile;
    request.networkMode = networkMode;
    request.cancelled = ctx.cancelled;  // POST /api/ops/{id}/cancel stops the Solve
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

struct BuiltImage {
    std::string digest;        // image id in the engine
    std::string pushedDigest;  // manifest digest in the registry
    nlohmann::json transfer;
};

// A BuildKit build with its artifacts: buildkit-summary.txt, -metadata.json.
Result<BuiltImage> buildImage(StepContext& ctx, ImageBuilderPolicy& policy, const BuildInput& in,
                              const ProjectSpec& spec)
{
    const std::string network = buildNetworkMode(ctx, spec);
    ctx.log("RUN steps' network: " + (network.empty() ? std::string("default") : network));
    Result<BuildResult> result = buildWithBuildKit(ctx, policy, in, network);
    if (!result)
        return result.status();
    std::ostringstream summary;
    summary << "image: " << result->image << "\ndigest: " << result->digest << "\ncommit: " << in.commit
            << "\nduration_s: " << result->durationSeconds << "\nvertices: " << result->vertices
            << "\ncached_vertices: " << result->cachedVertices << "\ntransport: " << result->transport
            << "\ncontext_entries: " << result->contextSent.entries
            << "\ncontext_files_sent: " << result->contextSent.filesSent
            << "\ncontext_bytes_sent: " << result->contextSent.bytesSent
            << "\ndockerfile_bytes_sent: " << result->dockerfileSent.bytesSent << "\n";
    if (!result->pushedDigest.empty())
        summary << "pushed: " << result->image << "@" << result->pushedDigest << "\n";
    writeFileAtomic(ctx.projectDir + "/build/buildkit-summary.txt", summary.str());
    writeFileAtomic(ctx.projectDir + "/build/buildkit-metadata.json", result->exporterResponse.dump(2) + "\n");
    nlohmann::json transfer = {{"transport", result->transport},
                               {"entries", result->contextSent.entries},
                               {"files_sent", result->contextSent.filesSent},
                               {"bytes_sent", result->contextSent.bytesSent},
                               {"context_files", in.tree.size()}};
    return BuiltImage{result->digest, result->pushedDigest, transfer};
}

StepOutcome imageBuilder(StepContext& ctx, ImageBuilderPolicy& policy)
{
    Result<ProjectAndSpec> loaded = loadProjectSpec(ctx);
    if (!loaded)
        return {loaded.status()};
    const nlohmann::json builder = ctx.platform.builderInfo();
    const bool buildkit = builder.value("effective", "") == "buildkit";
    Result<BuildInput> in = prepareBuild(ctx, loaded->spec, buildkit);
    if (!in)
        return {in.status()};
    ctx.log("building " + in->image + " at commit " + in->commit + " (Dockerfile from " + in->dockerfileSource + ")");
    const QString build = ctx.projectDir + "/build/";
    if (Status s = writeFileIfChanged(build + "Dockerfile", in->dockerfile); !s)
        return {s};
    BuiltImage built;
    if (buildkit) {
        Result<BuiltImage> result = buildImage(ctx, policy, *in, loaded->spec);
        if (!result)
            return {result.status()};
        built = std::move(*result);
    }
    const std::string& digest = built.digest;
    writeFileAtomic(build + "image.txt", in->image + (digest.empty() ? "" : "\n" + digest) + "\n");
    nlohmann::json publish = publishRecord(*in, builder, digest);
    publish["pushed"] = !built.pushedDigest.empty();
    publish["registry_digest"] = built.pushedDigest;
    if (Status s = writeFileAtomic(build + "publish-local-daemon.json", publish.dump(2) + "\n"); !s)
        return {s};
    nlohmann::json image{{"ref", in->image},         {"commit", in->commit},
                         {"digest", digest},         {"mode", builder.value("effective", "artifact")},
                         {"built_at", nowRfc3339()}, {"op_id", ctx.op.id}};
    if (!built.pushedDigest.empty())
        image["registry_digest"] = built.pushedDigest;
    Result<ProjectRecord> stored = ctx.store.mutateProject(ctx.op.projectId, [&](ProjectRecord& p) -> Status {
        p.image = image;
        p.updatedAt = nowRfc3339();
        return Status::ok();
    });
    if (!stored)
        return {stored.status()};
    nlohmann::json outputs = image;
    if (!built.transfer.is_null())
        outputs["context_transfer"] = built.transfer;
    return {Status::ok(), outputs,
            digest.empty()
                ? "image reference recorded (artifact mode)"
                : (built.pushedDigest.empty() ? "image built: " + digest
                                              : "image built and pushed: " + in->image + "@" + built.pushedDigest)};
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
    if (Status s = ctx.fence(); !s)
        return {s};
    Result<std::string> commit = repo->commitFiles(files, "platform-sync: render " + image);
    if (!commit)
        return {commit.status()};
    ctx.log("manifests rendered for " + image + " (" + std::to_string(files.size()) + " files) at " +
            commit->substr(0, 12));
    std::vector<std::string> paths;
    paths.reserve(files.size());
    for (const auto& [path, content] : files)
        paths.push_back("repos/manifests/" + path);
    return {Status::ok(),
            {{"image", image}, {"manifests_commit", *commit}, {"files", paths}},
            "manifests committed to repos/manifests"};
}

}  // namespace

void registerBuildSteps(Orchestrator& orchestrator, ImageBuilderPolicy& policy)
{
    orchestrator.registerStep(steps::kImageBuilder, [&policy](StepContext& ctx) { return imageBuilder(ctx, policy); });
    orchestrator.registerStep(steps::kManifestRenderer, manifestRenderer);
}

}  // namespace paas
