#pragma once
// Template catalog: the runtime starter templates compiled into the binary
// (resources/templates/<runtime>/, resource prefix `/templates`), rendered
// with a tiny table-driven `{{key}}` substitution.
//
// Contract:
//   - Built-in runtimes: go_1.26, node_22, python_3.13, static. Any other
//     runtime id renders the `generic` template (a README that names the
//     runtime and a `FROM scratch` placeholder Dockerfile) so a project with an
//     unknown runtime still gets a buildable repo.
//   - Variables used by the templates: name, project_id, port, runtime
//     (`runtime` defaults to the requested runtime id). A `{{identifier}}`
//     without a value is an error (Internal `template_var_missing`), never
//     silently left in place. Substitution is one pass: values are not
//     re-scanned. Values are inserted verbatim (no escaping): callers pass
//     schema-validated values (name is a DNS-1123 label, project_id URL-safe,
//     runtime matches ^[a-z]+_[0-9]+(\.[0-9]+)?$), which are safe in every
//     template file (Go/JS/Python strings, JSON, HTML, Dockerfile).
//   - Output: repo-relative path -> rendered bytes. Deterministic.
// Thread affinity: thread-safe (reads immutable compiled-in resources).
#include "engine/core/status.h"

#include <map>
#include <string>
#include <vector>

namespace paas {

inline constexpr const char* kGenericTemplate = "generic";

// The runtimes with a dedicated template, sorted.
std::vector<std::string> templateRuntimes();

// The template directory used for `runtime`: the runtime itself or "generic".
std::string templateFor(const std::string& runtime);

// Replaces every {{key}} (key = [A-Za-z0-9_]+) with vars.at(key).
Result<std::string> substitutePlaceholders(const std::string& text, const std::map<std::string, std::string>& vars);

Result<std::map<std::string, std::string>> renderTemplate(const std::string& runtime,
                                                          const std::map<std::string, std::string>& vars);

}  // namespace paas
