#include "engine/render/manifestsrepo.h"

#include "engine/render/manifestrenderer.h"
#include "engine/render/yamlemit.h"

#include <array>
#include <string_view>

namespace paas {

namespace {

using ojson = nlohmann::ordered_json;

// kind -> file name under base/ (table-driven, in resource order).
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kBaseFiles = {{
    {"Deployment", "deployment.yaml"},
    {"Service", "service.yaml"},
    {"NetworkPolicy", "networkpolicy.yaml"},
}};

// Deployment fields every overlay sets explicitly, whatever the base says.
constexpr std::string_view kReplicasPath = "/spec/replicas";
constexpr std::string_view kEnvPath = "/spec/template/spec/containers/0/env";

std::string imageFor(const std::map<std::string, std::string>& envImages, const std::string& env,
                     const std::string& defaultImage, const std::string& projectId)
{
    for (const auto& [name, image] : envImages) {
        if (!image.empty() && (name == env || (isProductionEnv(name) && isProductionEnv(env))))
            return image;
    }
    return defaultImage.empty() ? "paas/" + projectId + ":latest" : defaultImage;
}

ojson withoutNamespace(ojson doc)
{
    doc["metadata"].erase("namespace");
    return doc;
}

std::string fileFor(const ojson& doc)
{
    const std::string kind = doc.value("kind", std::string());
    for (const auto& [k, file] : kBaseFiles) {
        if (k == kind)
            return std::string(file);
    }
    return kind + ".yaml";
}

ojson kustomization()
{
    return {{"apiVersion", "kustomize.config.k8s.io/v1beta1"}, {"kind", "Kustomization"}};
}

ojson patchTarget(const ojson& doc)
{
    const std::string apiVersion = doc.value("apiVersion", std::string());
    const auto slash = apiVersion.find('/');
    ojson target = ojson::object();
    if (slash != std::string::npos)
        target["group"] = apiVersion.substr(0, slash);
    target["version"] = slash == std::string::npos ? apiVersion : apiVersion.substr(slash + 1);
    target["kind"] = doc["kind"];
    target["name"] = doc["metadata"]["name"];
    return target;
}

bool isUnder(const std::string& path, std::string_view prefix)
{
    return path.rfind(prefix, 0) == 0 && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

// RFC 6902 ops turning `base` into `target`.
ojson patchOps(const ojson& base, const ojson& target)
{
    const bool isDeployment = target.value("kind", std::string()) == "Deployment";
    ojson ops = ojson::array();
    if (isDeployment) {
        ops.push_back({{"op", "replace"}, {"path", kReplicasPath}, {"value", target["spec"]["replicas"]}});
        ops.push_back({{"op", "replace"},
                       {"path", kEnvPath},
                       {"value", target["spec"]["template"]["spec"]["containers"][0]["env"]}});
    }
    for (const auto& op : ojson::diff(base, target)) {
        const std::string path = op.value("path", std::string());
        if (isDeployment && (isUnder(path, kReplicasPath) || isUnder(path, kEnvPath)))
            continue;
        ops.push_back(op);
    }
    return ops;
}

ojson imagesEntry(const std::string& baseImage, const std::string& image)
{
    const ImageRef ref = splitImageRef(image);
    ojson entry = {{"name", splitImageRef(baseImage).name}, {"newName", ref.name}};
    if (!ref.digest.empty())
        entry["digest"] = ref.digest;
    else if (!ref.tag.empty())
        entry["newTag"] = ref.tag;
    return entry;
}

std::string overlay(const std::vector<ojson>& baseDocs, const std::vector<ojson>& envDocs, const std::string& ns,
                    const std::string& baseImage, const std::string& image)
{
    ojson k = kustomization();
    k["namespace"] = ns;
    k["resources"] = ojson::array({"../../base"});
    k["images"] = ojson::array({imagesEntry(baseImage, image)});
    ojson patches = ojson::array();
    for (std::size_t i = 0; i < envDocs.size() && i < baseDocs.size(); ++i) {
        const ojson ops = patchOps(baseDocs[i], envDocs[i]);
        if (!ops.empty())
            patches.push_back({{"target", patchTarget(envDocs[i])}, {"patch", emitYaml(ops)}});
    }
    if (!patches.empty())
        k["patches"] = patches;
    return emitYaml(k);
}

std::vector<ojson> namespacelessDocs(const ManifestObjects& objects)
{
    std::vector<ojson> docs;
    for (const auto& doc : objects.all())
        docs.push_back(withoutNamespace(doc));
    return docs;
}

}  // namespace

ImageRef splitImageRef(const std::string& image)
{
    ImageRef ref;
    std::string rest = image;
    if (const auto at = rest.find('@'); at != std::string::npos) {
        ref.digest = rest.substr(at + 1);
        rest = rest.substr(0, at);
    }
    const auto colon = rest.rfind(':');
    const auto slash = rest.rfind('/');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
        ref.tag = rest.substr(colon + 1);
        rest = rest.substr(0, colon);
    }
    ref.name = rest;
    return ref;
}

std::map<std::string, std::string> renderManifestsRepo(const ProjectSpec& spec, const std::string& projectId,
                                                       const std::map<std::string, std::string>& envImages,
                                                       const std::string& defaultImage)
{
    std::map<std::string, std::string> files;
    if (spec.environments.empty())
        return files;
    const EnvironmentSpec& first = spec.environments.front();
    const std::string baseImage = imageFor(envImages, first.name, defaultImage, projectId);
    Result<ManifestObjects> baseObjects = ManifestRenderer::renderObjects(spec, projectId, first.name, baseImage);
    if (!baseObjects)
        return files;
    const std::vector<ojson> baseDocs = namespacelessDocs(*baseObjects);

    ojson baseKustomization = kustomization();
    baseKustomization["resources"] = ojson::array();
    for (const auto& doc : baseDocs) {
        files["base/" + fileFor(doc)] = emitYaml(doc);
        baseKustomization["resources"].push_back(fileFor(doc));
    }
    files["base/kustomization.yaml"] = emitYaml(baseKustomization);

    for (const auto& env : spec.environments) {
        const std::string image = imageFor(envImages, env.name, defaultImage, projectId);
        // Rendered with the base image so the image only changes through `images:`.
        Result<ManifestObjects> envObjects = ManifestRenderer::renderObjects(spec, projectId, env.name, baseImage);
        if (!envObjects)
            continue;
        files["overlays/" + env.name + "/kustomization.yaml"] =
            overlay(baseDocs, namespacelessDocs(*envObjects), namespaceFor(projectId, env.name), baseImage, image);
    }

    ojson root = kustomization();
    root["resources"] = ojson::array({"overlays/" + first.name});
    files["kustomization.yaml"] = emitYaml(root);
    Result<RenderedEnvironment> rendered = ManifestRenderer::render(spec, projectId, first.name, baseImage);
    if (rendered)
        files["rendered.yaml"] = rendered->rendered;
    return files;
}

}  // namespace paas
