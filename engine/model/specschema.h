#pragma once
// SpecSchema: the App spec JSON Schema (cfg/project-jsonschema.json, compiled
// into paas_model as the Qt resource kSpecSchemaResource) and validation
// against it with valijson (draft-07).
//
// Contract:
//   - The schema is loaded and compiled once, on first use (thread-safe static
//     initialisation); afterwards validation only reads it, so validate() is
//     thread-safe and may run on any thread.
//   - validate() returns ok, or 422 Unprocessable "invalid_spec" whose details
//     are one FieldError per violation: path is a JSON pointer into the
//     document prefixed by pointerPrefix (e.g. "/spec" -> "/spec/name"); a
//     missing required property or an unknown property points at that
//     property itself. Messages are readable and quote the schema's
//     description of the field. valijson's wrapper errors ("failed to
//     validate against schema associated with property ...") are dropped in
//     favour of the specific violation underneath them. Violations on the
//     same pointer are merged into one detail. Every environment / variable
//     is checked (valijson 1.0 stops at the first failing patternProperties
//     member, so those members are re-validated one by one); unknown
//     property names are reported at most one per object (a valijson limit).
//   - If the compiled-in schema cannot be loaded (a build bug): 500
//     "schema_unavailable".
#include "engine/core/status.h"

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace paas {

inline constexpr const char* kSpecSchemaResource = ":/paas/schema/project-jsonschema.json";

class SpecSchema {
public:
    // The raw schema document (null json if it failed to load).
    static const nlohmann::json& document();
    static Status validate(const nlohmann::json& spec, std::string_view pointerPrefix = "");
};

// Escapes one JSON pointer reference token ("~" -> "~0", "/" -> "~1").
std::string escapePointerToken(std::string_view token);

}  // namespace paas
