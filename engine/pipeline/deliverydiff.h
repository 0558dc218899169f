#pragma once
// DeliveryDiff: what a promotion would change, as text and as data.
//
// Contract:
//   - unified(): a line-based unified diff made by libgit2 (engine/git/textdiff:
//     the patience algorithm; "---"/"+++" headers, "@@ -a,b +c,d @@" hunks
//     with `context` lines around changes), the same format as `diff -u`.
//     Identical inputs give "". No size cap. A missing trailing newline is
//     treated like a present one. A libgit2 failure is a Status.
//   - objectChanges(): per Kubernetes object (matched by kind + metadata.name)
//     {kind, name, change: added|removed|changed, fields: [{op, path, from?,
//     to?}]}; unchanged objects are left out. Field paths are RFC 6901
//     pointers from nlohmann::json::diff. Non-object documents are ignored.
//   - Pure functions, no I/O, no shared state: thread-safe.
#include "engine/core/status.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace paas {

class DeliveryDiff {
public:
    static Result<std::string> unified(const std::string& before, const std::string& after,
                                       const std::string& labelBefore, const std::string& labelAfter, int context = 3);
    static nlohmann::json objectChanges(const std::vector<nlohmann::json>& before,
                                        const std::vector<nlohmann::json>& after);
};

}  // namespace paas
