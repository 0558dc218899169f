#include "engine/render/manifestrenderer.h"

#include "engine/render/yamlemit.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string_view>

namespace paas {

namespace {

using ojson = nlohmann::ordered_json;

struct Context {
    const ProjectSpec& spec;
    const EnvironmentSpec& env;
    std::string projectId;
    std::string ns;
    std::string image;
};

std::string portName(const ProjectSpec& spec)
{
    if (spec.hasCapability("http"))
        return "http";
    return spec.hasCapability("grpc") ? "grpc" : "app";
}

ojson selectorLabels(const Context& c)
{
    return {{"app.kubernetes.io/name", c.spec.name}, {"app.kubernetes.io/instance", c.ns}};
}

ojson labels(const Context& c)
{
    ojson l = selectorLabels(c);
    l["app.kubernetes.io/managed-by"] = "paas";
    l["paas.dev/project"] = c.projectId;
    l["paas.dev/environment"] = c.env.name;
    return l;
}

ojson metadata(const Context& c)
{
    return {{"name", c.spec.name}, {"namespace", c.ns}, {"labels", labels(c)}};
}

ojson probe(const Context& c, int initialDelay)
{
    return {{"httpGet", {{"path", "/healthz"}, {"port", portName(c.spec)}}},
            {"initialDelaySeconds", initialDelay},
            {"periodSeconds", 10}};
}

ojson container(const Context& c)
{
    ojson env = ojson::array();
    for (const auto& [name, value] : c.env.vars)  // std::map: sorted by name
        env.push_back({{"name", name}, {"value", value}});
    ojson ctr = {
        {"name", "app"},
        {"image", c.image},
        {"ports", ojson::array({{{"name", portName(c.spec)}, {"containerPort", c.env.port}, {"protocol", "TCP"}}})},
        {"env", env},
    };
    if (c.spec.hasCapability("http")) {
        ctr["readinessProbe"] = probe(c, 2);
        ctr["livenessProbe"] = probe(c, 10);
    }
    return ctr;
}

ojson deployment(const Context& c)
{
    ojson podMeta = {{"labels", labels(c)}};
    if (c.spec.hasCapability("metrics")) {
        podMeta["annotations"] = {{"prometheus.io/scrape", "true"},
                                  {"prometheus.io/port", std::to_string(c.env.port)},
                                  {"prometheus.io/path", "/metrics"}};
    }
    return {
        {"apiVersion", "apps/v1"},
        {"kind", "Deployment"},
        {"metadata", metadata(c)},
        {"spec",
         {{"replicas", c.env.replicas},
          {"selector", {{"matchLabels", selectorLabels(c)}}},
          {"template", {{"metadata", podMeta}, {"spec", {{"containers", ojson::array({container(c)})}}}}}}},
    };
}

ojson service(const Context& c)
{
    const std::string name = portName(c.spec);
    ojson port = {{"name", name}, {"port", c.env.port}, {"targetPort", name}, {"protocol", "TCP"}};
    return {
        {"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", metadata(c)},
        {"spec", {{"type", "ClusterIP"}, {"selector", selectorLabels(c)}, {"ports", ojson::array({port})}}},
    };
}

// One direction of a NetworkPolicy: the rules for a policy value.
struct PolicyRule {
    std::string_view policy;
    std::function<ojson(std::string_view peerKey)> rules;
};

ojson dnsEgressRule()
{
    ojson kubeSystem = {{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", "kube-system"}}}}}};
    return {{"to", ojson::array({kubeSystem})},
            {"ports", ojson::array({{{"protocol", "UDP"}, {"port", 53}}, {{"protocol", "TCP"}, {"port", 53}}})}};
}

const std::array<PolicyRule, 3>& policyRules()
{
    static const std::array<PolicyRule, 3> table = {{
        {"internal",
         [](std::string_view peerKey) {
             ojson sameNamespace = {{std::string(peerKey), ojson::array({{{"podSelector", ojson::object()}}})}};
             ojson rules = ojson::array({sameNamespace});
             if (peerKey == "to")
                 rules.push_back(dnsEgressRule());
             return rules;
         }},
        {"public", [](std::string_view) { return ojson::array({ojson::object()}); }},
        {"none", [](std::string_view) { return ojson::array(); }},
    }};
    return table;
}

ojson policyRulesFor(std::string_view policy, std::string_view peerKey)
{
    for (const auto& rule : policyRules()) {
        if (rule.policy == policy)
            return rule.rules(peerKey);
    }
    return ojson::array();  // unknown (the schema prevents it): deny, the safe default
}

ojson networkPolicy(const Context& c)
{
    return {
        {"apiVersion", "networking.k8s.io/v1"},
        {"kind", "NetworkPolicy"},
        {"metadata", metadata(c)},
        {"spec",
         {{"podSelector", {{"matchLabels", selectorLabels(c)}}},
          {"policyTypes", ojson::array({"Ingress", "Egress"})},
          {"ingress", policyRulesFor(c.spec.ingress, "from")},
          {"egress", policyRulesFor(c.spec.egress, "to")}}},
    };
}

std::uint32_t fnv1a(std::string_view text)
{
    std::uint32_t hash = 2166136261u;
    for (unsigned char ch : text) {
        hash ^= ch;
        hash *= 16777619u;
    }
    return hash;
}

}  // namespace

std::vector<ojson> ManifestObjects::all() const
{
    std::vector<ojson> docs{deployment};
    if (!service.is_null())
        docs.push_back(service);
    docs.push_back(networkPolicy);
    return docs;
}

std::string namespaceFor(const std::string& projectId, const std::string& env)
{
    std::string ns = projectId + "-" + env;
    if (ns.size() <= 63)
        return ns;
    char hash[9];
    std::snprintf(hash, sizeof hash, "%08x", fnv1a(ns));
    std::string head = ns.substr(0, 63 - 9);
    while (!head.empty() && head.back() == '-')
        head.pop_back();
    return head + "-" + hash;
}

bool ManifestRenderer::hasService(const ProjectSpec& spec)
{
    return spec.hasCapability("http") || spec.hasCapability("grpc");
}

Result<ManifestObjects> ManifestRenderer::renderObjects(const ProjectSpec& spec, const std::string& projectId,
                                                        const std::string& env, const std::string& image)
{
    const EnvironmentSpec* envSpec = spec.environment(env);
    if (!envSpec)
        return Status::notFound("unknown_environment", "environment '" + env + "' is not in the spec");
    const Context c{spec, *envSpec, projectId, namespaceFor(projectId, envSpec->name), image};
    ManifestObjects objects;
    objects.deployment = deployment(c);
    if (hasService(spec))
        objects.service = service(c);
    objects.networkPolicy = networkPolicy(c);
    return objects;
}

Result<RenderedEnvironment> ManifestRenderer::render(const ProjectSpec& spec, const std::string& projectId,
                                                     const std::string& env, const std::string& image)
{
    Result<ManifestObjects> objects = renderObjects(spec, projectId, env, image);
    if (!objects)
        return objects.status();
    RenderedEnvironment out;
    out.namespaceName = objects->deployment["metadata"]["namespace"].get<std::string>();
    out.deployment = emitYaml(objects->deployment);
    if (!objects->service.is_null())
        out.service = emitYaml(objects->service);
    out.networkPolicy = emitYaml(objects->networkPolicy);
    out.rendered = emitYamlDocuments(objects->all());
    return out;
}

}  // namespace paas
