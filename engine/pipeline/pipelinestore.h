#pragma once
// PipelineStore: typed, CAS-safe access to project and op records in KV.
//
// Contract: every write of an existing record is compare-and-set on its KV
// revision and retried on conflict (a lost update is a bug); mutate*()
// re-read, re-apply the mutator and retry. A mutator returning a non-ok
// Status aborts without writing.
// Every acknowledged write of a project or op is also applied to the
// StateView (when set), so the API reads its own writes at once.
// mutate*() first try the view's copy (StateView::heldOp/heldProject): the
// mutator runs on it and the result is written by CAS on the view's
// revision, one round trip instead of a read and a write. That write only
// lands if the view's copy was the stored latest; on a CAS conflict, or
// when the mutator refuses the view's copy (which may be stale), they fall
// back to read, mutate, CAS. So the result is the same as without a view.
//
// Queues: each project's unfinished ops, in acceptance order, are the
// messages of its subject paas.queue.<projectId> in the PAAS_QUEUE stream
// (the message is the op id). JetStream orders them; no record carries the
// queue, so accepting an op costs the same whatever the backlog. The head
// is the first message; an op leaves the queue when its message is
// deleted. Each call is one JetStream round trip.
// Thread affinity: thread-safe.
#include "engine/core/status.h"
#include "engine/pipeline/records.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace paas {

class Backend;
class StateView;

struct QueueEntry {
    uint64_t seq = 0;  // PAAS_QUEUE stream sequence
    std::string opId;
};

class PipelineStore {
public:
    explicit PipelineStore(Backend& backend) : m_backend(backend) {}
    void setView(StateView* view) { m_view = view; }

    Result<OpRecord> op(const std::string& opId) const;
    // op(), but an op not found whose id is younger than kAcceptWindowMs
    // is waited for (its acceptor writes the record and the queue entry at
    // once): NotFound only once the window has passed without it.
    // A webhook's ci op that has not started is accepted only with its
    // commit's marker (written with it, see markCommit): one whose marker
    // names another op that exists lost a duplicate race, was never
    // answered 202, and is removed (NotFound "op_not_accepted"); while the
    // marker is missing or its op unwritten, a young op is waited for.
    Result<OpRecord> acceptedOp(const std::string& opId);
    Status createOp(const OpRecord& op);
    Status removeOp(const std::string& opId);
    Result<OpRecord> mutateOp(const std::string& opId, const std::function<Status(OpRecord&)>& mutate);

    Result<ProjectRecord> project(const std::string& projectId) const;
    Result<std::vector<ProjectRecord>> projects() const;
    Status createProject(const ProjectRecord& project);  // Conflict "project_exists"
    Status removeProject(const std::string& projectId);
    Result<ProjectRecord> mutateProject(const std::string& projectId,
                                        const std::function<Status(ProjectRecord&)>& mutate);

    // Create-only dedupe marker for <projectId>.<commit>; false if it existed
    // and names another op that exists (true if it names opId: a create
    // that timed out, yet landed). An acceptor writes it at once with the
    // op and its queue entry, so the op only runs once it holds it
    // (acceptedOp()). A marker whose op does not exist yet is
    // another acceptor's, between its writes: heldOpOf() waits for the op
    // (up to kAcceptWindowMs after the marker was written). One whose op
    // never came was left by an acceptance that failed (a write that timed
    // out yet was applied, then a 503): it is taken over by CAS, so a
    // retried webhook is never lost to it.
    Result<bool> markCommit(const std::string& projectId, const std::string& commit, const std::string& opId);
    // How long an acceptance may take between its first and last write.
    static constexpr int kAcceptWindowMs = 5000;
    // The op a claim (a commit marker, a delivery guard: {"op_id","at"})
    // names: read from JetStream, waiting while it is not written yet and
    // the claim is younger than kAcceptWindowMs; nullopt when it never came.
    Result<std::optional<OpRecord>> heldOpOf(const std::string& claimJson) const;
    // The "op_id" of a claim; empty when it has none.
    static std::string claimOpId(const std::string& claimJson);
    // Whether the marker names op `opId` (one read).
    Result<bool> holdsCommit(const std::string& projectId, const std::string& commit, const std::string& opId) const;
    // Removes the marker only if op `opId` holds it (a failed ci op frees its
    // commit, so the same commit can be built again).
    Status releaseCommit(const std::string& projectId, const std::string& commit, const std::string& opId);

    // Appends op `opId` to its project's queue.
    Result<uint64_t> enqueue(const std::string& projectId, const std::string& opId);
    // The first entry of the project's queue at or after fromSeq; nullopt
    // when none. The head (fromSeq 1) is also found when the server's
    // subject index lost it (NatsClient::headMessage).
    Result<std::optional<QueueEntry>> queueEntry(const std::string& projectId, uint64_t fromSeq = 1) const;
    Status dequeue(uint64_t seq);
    Status clearQueue(const std::string& projectId);

    // Release history of one environment: paas_releases/<projectId>.<env>.
    Result<std::vector<ReleaseRef>> releases(const std::string& projectId, const std::string& env) const;
    Result<ReleaseRef> appendRelease(const std::string& projectId, const std::string& env, ReleaseRef release);

private:
    enum class CommitHold { Held, Lost, Unsettled };
    Result<CommitHold> commitHold(const OpRecord& op) const;

    Backend& m_backend;
    StateView* m_view = nullptr;
};

}  // namespace paas
