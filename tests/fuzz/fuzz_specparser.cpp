// Fuzz target: the spec parser (engine/model: documentparser, specschema,
// specparser) on JSON and YAML bodies, with the production limits and with
// tight ones so the size/depth/alias bounds are reached often, and the
// registration body's fields (engine/api/registrationbody).
//
// Input: one flags byte, then the body.
//   bit 0: YAML (else JSON)   bit 1: tight limits   bit 2: body is {spec: ...}
// Invariants: no crash or escaped exception; errors carry only the reasons
// the contracts list; a parsed document respects the limits; a parsed spec
// satisfies the schema's ranges; every parsed document dumps as JSON; the
// environment order read from the raw body (a second parse) never fails
// or hangs, and the parsed spec's environments are the document's, dev
// first and prod/production last.
#include "engine/api/registrationbody.h"
#include "engine/model/documentparser.h"
#include "engine/model/specparser.h"
#include "tests/fuzz/fuzzsupport.h"

#include <set>
#include <string>

using nlohmann::json;
using paas::DocumentLimits;

namespace {

int depthOf(const json& j)
{
    int deepest = 0;
    if (j.is_object() || j.is_array())
        for (const auto& child : j)
            deepest = std::max(deepest, depthOf(child));
    return (j.is_object() || j.is_array()) ? deepest + 1 : 0;
}

void checkBodyStatus(const paas::Status& s)
{
    static const std::set<std::string> reasons = {"malformed_json", "malformed_yaml", "document_too_deep",
                                                  "document_too_large", "yaml_too_complex"};
    if (!reasons.count(s.reason()))
        std::fprintf(stderr, "unexpected reason %s: %s\n", s.reason().c_str(), s.message().c_str());
    FUZZ_CHECK(reasons.count(s.reason()) == 1);
}

void checkRegistration(const json& body)
{
    paas::Result<paas::api::RegistrationBody> reg = paas::api::parseRegistrationBody(body, "", "");
    auto isText = [&](const char* key) {
        return !body.is_object() || !body.contains(key) || body[key].is_null() || body[key].is_string();
    };
    if (!reg) {
        FUZZ_CHECK(reg.status().reason() == "invalid_field");
        FUZZ_CHECK(!isText("action") || !isText("project_id"));
        return;
    }
    FUZZ_CHECK(isText("action") && isText("project_id"));
    if (body.is_object() && body.contains("action") && body["action"].is_string())
        FUZZ_CHECK(reg->action == body["action"].get<std::string>());
    FUZZ_CHECK(paas::api::parseRegistrationBody(body, "delete", "p")->action == "delete");
}

void checkEnvironmentOrder(const paas::ProjectSpec& spec, const json& doc)
{
    std::set<std::string> keys, names;
    for (const auto& item : doc.at("environments").items())
        keys.insert(item.key());
    for (const auto& env : spec.environments)
        names.insert(env.name);
    FUZZ_CHECK(keys == names && names.size() == spec.environments.size());
    const auto& envs = spec.environments;
    for (size_t i = 1; i < envs.size(); ++i)
        FUZZ_CHECK(envs[i].name != "dev" &&
                   (!paas::isProductionEnv(envs[i - 1].name) || paas::isProductionEnv(envs[i].name)));
}

void checkSpec(const paas::ProjectSpec& spec)
{
    FUZZ_CHECK(spec.apiVersion == "platform.example.com/v2" && spec.kind == "App");
    FUZZ_CHECK(!spec.name.empty() && spec.name.size() <= 63);
    FUZZ_CHECK(!spec.environments.empty() && spec.environments.size() <= 16);
    for (const auto& env : spec.environments) {
        FUZZ_CHECK(env.replicas >= 1 && env.replicas <= 50);
        FUZZ_CHECK(env.port >= 1 && env.port <= 65535);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t flags = data[0];
    const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::string type = (flags & 1) ? "application/yaml; charset=utf-8" : "application/json";
    DocumentLimits limits;
    if (flags & 2)
        limits = DocumentLimits{2048, 8, 200};

    paas::Result<json> doc = paas::SpecParser::parseBody(body, type, limits);
    if (!doc) {
        checkBodyStatus(doc.status());
        if (body.size() > limits.maxBytes)
            FUZZ_CHECK(doc.status().reason() == "document_too_large");
        return 0;
    }
    FUZZ_CHECK(body.size() <= limits.maxBytes);
    FUZZ_CHECK(depthOf(*doc) <= limits.maxDepth);
    (void)doc->dump();  // throws (and so aborts) on invalid UTF-8: specs are stored as JSON text
    checkRegistration(*doc);
    const json spec = (flags & 4) && doc->is_object() ? doc->value("spec", json()) : *doc;
    const std::vector<std::string> order = paas::SpecParser::environmentOrder(body, type);
    paas::Result<paas::ProjectSpec> parsed = paas::SpecParser::parseSpec(spec, (flags & 4) ? "/spec" : "", order);
    if (parsed) {
        checkSpec(*parsed);
        checkEnvironmentOrder(*parsed, spec);
    } else {
        FUZZ_CHECK(parsed.status().reason() == "invalid_spec");
        FUZZ_CHECK(!parsed.status().details().empty() ||
                   parsed.status().message().find("converted") != std::string::npos);
    }
    return 0;
}
