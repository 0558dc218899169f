#pragma once
// renderManifestsRepo: the whole content of a project's manifests repo as a
// map of relative path -> file content; the caller writes and commits it.
//
// Layout (kustomize v5, builds offline with `kubectl kustomize <dir>`):
//   base/deployment.yaml, base/service.yaml (only with http/grpc),
//   base/networkpolicy.yaml, base/kustomization.yaml
//       The objects of the FIRST environment in path order (dev, if present)
//       rendered with that environment's image, without a namespace.
//   overlays/<env>/kustomization.yaml   one per environment in the spec:
//       resources: [../../base]
//       namespace: <projectId>-<env>     (our per-environment choice: one
//                                         namespace per project environment,
//                                         object names stay spec.name)
//       images: the base image name pinned to the env's image, by newTag or,
//               for "repo@sha256:..." references, by digest
//       patches: RFC 6902 JSON patches per object. The Deployment patch always
//               sets /spec/replicas and /spec/template/spec/containers/0/env
//               (the env's vars, sorted) explicitly; every other difference
//               from base (labels, port, annotations, ...) is the exact
//               nlohmann::json::diff between base and this env's render.
//       Hence `kubectl kustomize overlays/<env>` == ManifestRenderer::render()
//       of that env with its image (tests/unit/render checks this for real).
//   kustomization.yaml (root): resources: [overlays/<first env>] -- building
//       the repo root deploys the default environment, and
//   rendered.yaml (root): that build, pre-rendered by ManifestRenderer.
//
// Images: envImages[env] for each env ("prod"/"production" keys match each
// other), else defaultImage, else "paas/<projectId>:latest". Image
// references are expected to be valid (repo[:tag] or repo@sha256:...).
// An empty environment list gives an empty map (the schema forbids it).
// Pure function, thread-safe.
#include "engine/model/projectspec.h"

#include <map>
#include <string>

namespace paas {

std::map<std::string, std::string> renderManifestsRepo(const ProjectSpec& spec, const std::string& projectId,
                                                       const std::map<std::string, std::string>& envImages,
                                                       const std::string& defaultImage);

struct ImageRef {
    std::string name;    // repository, e.g. "paas/app" or "host:5000/x/app"
    std::string tag;     // may be empty
    std::string digest;  // "sha256:...", may be empty
};
ImageRef splitImageRef(const std::string& image);

}  // namespace paas
