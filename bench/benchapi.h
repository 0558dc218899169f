#pragma once
// The API calls the phases share: request builders for the reference API
// (registration create, source webhook), the op a 202 answer names, counting
// a project's ops through the paged ops route, and "create a project and wait
// for it". Every wait is bounded.
// Thread affinity: the bench's main thread.
#include "bench/benchrun.h"
#include "bench/httpload.h"

#include <string>

namespace paas::bench {

// POST /api/events/registration {"action":"create","spec":{static, dev}}.
HttpRequest createRequest(const std::string& name);
// POST /api/webhooks/source for a commit on main.
HttpRequest hookRequest(const std::string& projectId, const std::string& commit);

struct Accepted {
    std::string opId;  // empty: not a 202 with an op
    std::string projectId;
};
Accepted acceptedOf(const HttpResult& result);
// A 200 "ignored: commit already processed" (a deduplicated webhook).
bool isDuplicate(const HttpResult& result);

// Creates a project and waits for its create op; its id, or "" (printed).
std::string createProject(BenchRun& run, const std::string& name);
// Ops of `kind` the project lists (GET /api/projects/{id}/ops, every page:
// follows next_cursor when the answer has one, else offset).
int countOps(BenchContext& ctx, const std::string& projectId, const std::string& kind);
// Projects the instance lists (GET /api/projects, unpaginated); -1 on error.
int projectCount(BenchContext& ctx);

}  // namespace paas::bench
