#pragma once
// PipelineStore: typed, CAS-safe access to project and op records in KV.
//
// Contract: every write of an existing record is compare-and-set on its KV
// revision and retried on conflict (a lost update is a bug); mutate*()
// re-read, re-apply the mutator and retry. A mutator returning a non-ok
// Status aborts without writing.
// Every acknowledged write of a project or op is also applied to the
// StateView (when set), so the API reads its own writes at once.
// Thread affinity: thread-safe.
#include "engine/core/status.h"
#include "engine/pipeline/records.h"

#include <functional>
#include <string>
#include <vector>

namespace paas {

class Backend;
class StateView;

class PipelineStore {
public:
    explicit PipelineStore(Backend& backend) : m_backend(backend) {}
    void setView(StateView* view) { m_view = view; }

    Result<OpRecord> op(const std::string& opId) const;
    Status createOp(const OpRecord& op);
    Status removeOp(const std::string& opId);
    Result<OpRecord> mutateOp(const std::string& opId, const std::function<Status(OpRecord&)>& mutate);

    Result<ProjectRecord> project(const std::string& projectId) const;
    Result<std::vector<ProjectRecord>> projects() const;
    Status createProject(const ProjectRecord& project);   // Conflict "project_exists"
    Status removeProject(const std::string& projectId);
    Result<ProjectRecord> mutateProject(const std::string& projectId,
                                        const std::function<Status(ProjectRecord&)>& mutate);

    // Create-only dedupe marker for <projectId>.<commit>; false if it existed.
    Result<bool> markCommit(const std::string& projectId, const std::string& commit, const std::string& opId);
    Status unmarkCommit(const std::string& projectId, const std::string& commit);
    // Removes the marker only if op `opId` holds it (a failed ci op frees its
    // commit, so the same commit can be built again).
    Status releaseCommit(const std::string& projectId, const std::string& commit, const std::string& opId);

    // Release history of one environment: paas_releases/<projectId>.<env>.
    Result<std::vector<ReleaseRef>> releases(const std::string& projectId, const std::string& env) const;
    Result<ReleaseRef> appendRelease(const std::string& projectId, const std::string& env, ReleaseRef release);

private:
    Backend& m_backend;
    StateView* m_view = nullptr;
};

}  // namespace paas
