#pragma once
// DocumentParser: turns untrusted request bodies (JSON or YAML) into
// nlohmann::json with hard bounds, before any schema validation.
//
// Contract:
//   - JSON is parsed with nlohmann/json; YAML with yaml-cpp and converted
//     node by node. Both enforce DocumentLimits:
//       * size:  > maxBytes                      -> 413 "document_too_large"
//       * depth: nesting deeper than maxDepth    -> 413 "document_too_deep"
//                (the message names the limit)
//       * YAML only: more than maxNodes nodes once aliases are expanded
//                                                -> 413 "yaml_too_complex".
//         yaml-cpp keeps an alias as a shared reference; nodes are counted
//         while converting to JSON, so an alias bomb ("billion laughs") is
//         refused after at most maxNodes steps and is never expanded.
//         Deeper than yaml-cpp's own recursion guard -> "document_too_deep".
//   - Syntax errors: 400 "malformed_json" / "malformed_yaml" with line and
//     column (and the byte offset for JSON) in the message. A YAML stream
//     yaml-cpp cannot get past (a ',' at document level makes its LoadAll
//     loop forever) is found by a first event-only pass and is
//     "malformed_yaml" too, as is a scalar or key that is not valid UTF-8
//     (JSON bodies are checked by nlohmann), so every document dumps.
//   - YAML scalars resolve like the YAML 1.2 core schema: plain null/~/empty
//     -> null, true/false -> bool, decimal/0x/0o integers -> number,
//     floats -> number, everything else (and every quoted scalar or !!str)
//     -> string. Mapping keys must be scalars. Only the first document of a
//     multi-document stream is read; a stream with more documents is 400.
//   - No exception escapes. Thread-safe: stateless free functions.
#include "engine/core/status.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace paas {

struct DocumentLimits {
    // A spec is a few KiB. yaml-cpp needs ~2 us per byte on adversarial input
    // (measured: 400k nested '[' -> 0.8 s), so keep YAML bodies small.
    std::size_t maxBytes = 256 * 1024;
    int maxDepth = 64;
    std::size_t maxNodes = 20000;  // YAML: nodes after alias expansion
};

Result<nlohmann::json> parseJsonDocument(std::string_view text, const DocumentLimits& limits = {});
Result<nlohmann::json> parseYamlDocument(std::string_view text, const DocumentLimits& limits = {});
// Every document of a multi-document YAML stream (e.g. `kubectl kustomize`
// output); limits apply per document, maxNodes to the whole stream.
Result<std::vector<nlohmann::json>> parseYamlDocuments(std::string_view text, const DocumentLimits& limits = {});

// Picks the parser from a Content-Type value: "application/yaml",
// "application/x-yaml", "text/yaml", "text/x-yaml" (parameters such as
// "; charset=utf-8" ignored, case-insensitive) select YAML; anything else,
// including an empty type, is JSON.
bool isYamlContentType(std::string_view contentType);
Result<nlohmann::json> parseDocument(std::string_view text, std::string_view contentType,
                                     const DocumentLimits& limits = {});

// The keys of the mapping at `path` (keys from the root), in the order the
// document writes them, which nlohmann::json (sorted) loses; empty when
// nothing there is a mapping. Only for text parseDocument() accepted with
// the same contentType: it parses again without re-checking the limits.
std::vector<std::string> mappingKeysInOrder(std::string_view text, std::string_view contentType,
                                            const std::vector<std::string>& path);

}  // namespace paas
