#pragma once
// SpecParser: untrusted spec input -> validated, typed ProjectSpec.
//
// Contract:
//   - parseBody(): JSON or YAML (by Content-Type, see documentparser.h) with
//     bounded size/depth/alias expansion -> nlohmann::json; errors are 400
//     malformed_json / malformed_yaml, 413 document_too_deep /
//     document_too_large / yaml_too_complex.
//   - parseSpec(): schema validation (SpecSchema, valijson) then conversion;
//     422 "invalid_spec" with one detail per violation, each path a JSON
//     pointer prefixed by pointerPrefix (e.g. "/spec/name").
//   - toProjectSpec() assumes a document that already passed validation and
//     fills defaults (replicas 1, port 8080, networkPolicies internal);
//     environments come out in path order: dev, the others as userOrder
//     lists them (see sortEnvironments), prod.
//   - environmentOrder(): the environment names in the order a body writes
//     them (under "spec", or at the top for a bare spec), for userOrder.
//   - Typical API use for POST /api/events/registration:
//       auto body = SpecParser::parseBody(bytes, contentType);
//       auto spec = SpecParser::parseSpec(body->value("spec", json()), "/spec");
//   - No exception escapes; stateless; thread-safe, callable from any thread.
#include "engine/core/status.h"
#include "engine/model/documentparser.h"
#include "engine/model/projectspec.h"

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace paas {

class SpecParser {
public:
    static Result<nlohmann::json> parseBody(std::string_view body, std::string_view contentType,
                                            const DocumentLimits& limits = {});
    static Status validate(const nlohmann::json& spec, std::string_view pointerPrefix = "");
    static Result<ProjectSpec> toProjectSpec(const nlohmann::json& validatedSpec,
                                             const std::vector<std::string>& userOrder = {});
    // validate() + toProjectSpec().
    static Result<ProjectSpec> parseSpec(const nlohmann::json& spec, std::string_view pointerPrefix = "",
                                         const std::vector<std::string>& userOrder = {});
    // For a body parseBody() accepted.
    static std::vector<std::string> environmentOrder(std::string_view body, std::string_view contentType);
    // parseBody() + parseSpec() for a body that *is* a spec (e.g. a
    // cfg/project-example.yaml upload); pointers are relative to the body.
    static Result<ProjectSpec> parseSpecDocument(std::string_view body, std::string_view contentType,
                                                 const DocumentLimits& limits = {});
};

}  // namespace paas
