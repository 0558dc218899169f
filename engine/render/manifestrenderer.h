#pragma once
// ManifestRenderer: the Kubernetes objects of one environment of a project.
//
// Contract:
//   - Pure functions of their arguments; no I/O, no shared state: thread-safe,
//     callable from any thread. YAML is produced with yaml-cpp's emitter.
//   - Object name: spec.name. Namespace: namespaceFor(projectId, env), i.e.
//     "<projectId>-<env>" (one namespace per project environment; shortened
//     with a stable hash if it would exceed 63 characters).
//   - Labels on every object and on the pod template:
//       app.kubernetes.io/name        spec.name
//       app.kubernetes.io/instance    namespaceFor(projectId, env)
//       app.kubernetes.io/managed-by  paas
//       paas.dev/project              projectId
//       paas.dev/environment          env (as named in the spec)
//     The Deployment selector / NetworkPolicy podSelector use name+instance.
//   - Deployment (apps/v1): replicas, one container "app" with the image,
//     containerPort = env port (port name "http" with the http capability,
//     else "grpc" with grpc, else "app"), env = the environment's vars sorted
//     by name (always present, possibly []), httpGet /healthz readiness and
//     liveness probes on the named port when "http", and pod annotations
//     prometheus.io/{scrape,port,path} when "metrics".
//   - Service (v1) only with "http" or "grpc": ClusterIP, port = env port,
//     targetPort = the named container port.
//   - NetworkPolicy (networking.k8s.io/v1), policyTypes Ingress+Egress, per
//     direction: internal = pods of the same namespace (egress also allows DNS
//     to kube-system on 53/udp+tcp), public = allow all, none = deny all.
//   - render() fails with 404 "unknown_environment" if env is not in the
//     spec ("prod" and "production" match each other).
#include "engine/core/status.h"
#include "engine/model/projectspec.h"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace paas {

struct RenderedEnvironment {
    std::string namespaceName;
    std::string deployment;     // YAML document
    std::string service;        // YAML document, empty if the app has no Service
    std::string networkPolicy;  // YAML document
    std::string rendered;       // all of the above joined by "---\n"
};

// The objects as JSON (same content as the YAML), in render order:
// Deployment, Service (if any), NetworkPolicy.
struct ManifestObjects {
    nlohmann::ordered_json deployment;
    nlohmann::ordered_json service;  // null if none
    nlohmann::ordered_json networkPolicy;
    std::vector<nlohmann::ordered_json> all() const;
};

class ManifestRenderer {
public:
    static Result<RenderedEnvironment> render(const ProjectSpec& spec, const std::string& projectId,
                                              const std::string& env, const std::string& image);
    static Result<ManifestObjects> renderObjects(const ProjectSpec& spec, const std::string& projectId,
                                                 const std::string& env, const std::string& image);
    static bool hasService(const ProjectSpec& spec);
};

// "<projectId>-<env>", a DNS-1123 label of at most 63 characters.
std::string namespaceFor(const std::string& projectId, const std::string& env);

}  // namespace paas
