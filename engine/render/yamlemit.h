#pragma once
// YAML output for manifests: nlohmann::ordered_json -> YAML text through
// yaml-cpp's YAML::Emitter (never string concatenation).
//
// Contract:
//   - Key order is the json's insertion order; block style, 2-space indent.
//   - Strings that a YAML 1.1 or 1.2 reader would take for something else
//     (numbers, booleans incl. yes/no/on/off, null, ~, empty) are
//     double-quoted, so "8080" stays a string for kubectl/kustomize.
//   - Empty arrays/objects are written in flow style ([] / {}).
//   - Multi-line strings ending in exactly one newline are written as literal
//     blocks (|); other multi-line strings double-quoted (exact round trip).
//   - Pure functions, thread-safe.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace paas {

std::string emitYaml(const nlohmann::ordered_json& doc);
// Several documents, each preceded by "---\n" except the first.
std::string emitYamlDocuments(const std::vector<nlohmann::ordered_json>& docs);
// True if a plain (unquoted) scalar with this text would not read back as a string.
bool yamlNeedsQuotes(const std::string& text);

}  // namespace paas
