#pragma once
// Orchestrator: the op lifecycle — routes, dispatch of work items, the step
// state machine, op completion and per-project ordering, crash recovery.
//
// Contract:
//  - Routes (table in orchestrator.cpp): create/update = registrar ->
//    repoBootstrap -> imageBuilder -> manifestRenderer; delete = registrar ->
//    repoBootstrap; ci = imageBuilder -> manifestRenderer; deploy, promote,
//    release, rollback = one delivery step each.
//  - A work item {op_id, step, attempt} on paas.work.<step> runs that step.
//    Handling is idempotent: a stale attempt, a terminal op or a duplicate of
//    a running step is acknowledged and ignored; a completed step only
//    advances the op. Delivery is at least once.
//  - A step that keeps being interrupted (attempt > kMaxAttempts) fails the
//    op with code "interrupted". No op stays running forever.
//  - A failed ci op releases its commit's dedupe marker: the same commit can
//    be built again (e.g. after the image builder came back).
//  - Queues (opqueue.cpp): an accepted op is appended to its project's
//    queue (PipelineStore: the PAAS_QUEUE stream), and runs when it is the
//    head. When the head ends, its project record takes its outcome
//    (status, last_op), it leaves the queue and the next op runs: one op per
//    project at a time, in acceptance order. An op that ends while not the
//    head (a queued op cancelled) leaves the queue when it reaches the head.
//    An acceptor and an ender decide by re-reading the head after their own
//    write (append, delete), so one of them always starts the next op, on
//    any instance; a duplicate start is ignored (claims are CAS).
//    An acceptor may write the op record and the entry at once, so an entry
//    can be read before its op: the reader waits for it
//    (PipelineStore::acceptedOp, up to the accept window) and skips the
//    entry only if it never came.
//  - Cancel (cancel()): a CAS on the op record sets cancel_requested_at, so
//    an acknowledged cancel is in JetStream and reaches every instance (each
//    StateView watches paas_ops). A queued op ends "cancelled" at once and
//    never runs; a running one ends "cancelled" at its next step boundary:
//    no step is claimed for it any more, recovery does not resume it, and a
//    step that polls StepContext::cancelled (the BuildKit build) stops
//    early. Its ci commit marker is released as for a failed op.
//  - A transition (claim, step result, dispatch, end, queue pop) that the
//    backend did not acknowledge makes handle() return Unavailable; the work
//    item is then redelivered and the transition retried, so a hung or
//    restarted nats-server never leaves an op running or a queue stuck.
// Thread affinity: thread-safe; handle() runs on worker pool threads.
#include "engine/core/status.h"
#include "engine/pipeline/pipelinestore.h"
#include "engine/pipeline/records.h"

#include <nlohmann/json.hpp>

#include <QString>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace paas {

class EventBus;
class NatsClient;
class Platform;

namespace steps {
inline constexpr const char* kRegistrar = "registrar";
inline constexpr const char* kRepoBootstrap = "repoBootstrap";
inline constexpr const char* kImageBuilder = "imageBuilder";
inline constexpr const char* kManifestRenderer = "manifestRenderer";
inline constexpr const char* kDeployer = "deployer";
inline constexpr const char* kPromoter = "promoter";
inline constexpr const char* kReleaser = "releaser";
inline constexpr const char* kRollback = "rollback";
inline constexpr const char* kRunner = "runner";  // stop and start of a running environment
}  // namespace steps

inline constexpr int kMaxAttempts = 3;

struct StepOutcome {
    Status status;
    nlohmann::json outputs = nlohmann::json::object();
    std::string message;
};

// What a step function sees. log() streams a step.log event.
struct StepContext {
    Platform& platform;
    PipelineStore& store;
    OpRecord op;  // snapshot when the step started
    std::string step;
    QString projectDir;
    std::function<void(const std::string& line)> log;
    std::function<void()> keepAlive;  // tells JetStream the step is still being worked on
    // True once the op's cancel was requested (from memory, cheap: poll it).
    // A step that can stop early returns an error when it turns true.
    std::function<bool()> cancelled;
    // The fence: Ok while this attempt still holds its claim, read again
    // from JetStream; Conflict "fenced" once another instance took the step
    // over (or the op ended). Called before every write that commits (a git
    // commit, a release): a stale attempt returns its error instead.
    std::function<Status()> fence;
};

using StepFunction = std::function<StepOutcome(StepContext&)>;

struct WorkItem {
    std::string opId;
    std::string step;
    int attempt = 1;
    std::string toJson() const;
    static bool fromJson(const std::string& text, WorkItem& out);
};

class Orchestrator {
public:
    Orchestrator(Platform& platform, PipelineStore& store, EventBus& events, NatsClient& client);

    static const std::vector<std::string>& route(const std::string& kind);
    static std::vector<std::string> allSteps();

    void registerStep(const std::string& name, StepFunction fn) { m_steps[name] = std::move(fn); }

    // Creates a fresh op record for `kind` with its route's steps (pending).
    OpRecord newOp(const std::string& kind, const std::string& projectId) const;
    // Publishes the op's next pending step (if the op is not terminal).
    Status dispatchNext(const OpRecord& op);

    // Runs one work item. numDelivered > 1 means JetStream redelivered it.
    // Unavailable when a transition could not be recorded because the
    // backend did not answer: the caller must not acknowledge the item, so
    // JetStream redelivers it and the transition is retried (idempotently).
    Status handle(const WorkItem& item, int numDelivered, const std::function<void()>& keepAlive);

    // After `op` was appended to its queue: runs it if it is the head, and
    // moves a head left behind (ended, or its op gone) along.
    Status startIfHead(const OpRecord& op);
    // Moves the project's queue along from its head, as an ender does: an
    // entry whose op never came is skipped (once the accept window passed),
    // a queued head is started. For an acceptance that failed half-way.
    Status kick(const std::string& projectId);

    // Embedded mode, at startup and after a nats-server restart: resumes or
    // ends the op at each queue head; moves queues stored in project records
    // by an older version to the stream; queues again an unfinished op
    // created before `createdBefore` (default: now) that is in no queue
    // (its entry was lost, or never written: a crash between the writes).
    // Ops created later may be in the middle of their acceptance.
    // Restart: this instance is alone on its store (embedded mode): a
    // running head step was cut off, and resumes with a bumped attempt.
    // Shared (the recovery lease holder on a shared cluster): running steps
    // are left to JetStream's redelivery; only a pending head step that has
    // waited since before `createdBefore` is dispatched again.
    // `inFlightOnly`: only the projects with unfinished ops (from memory).
    enum class Recovery { Restart, Shared };
    Status recover(const std::string& createdBefore = {}, Recovery mode = Recovery::Restart, bool inFlightOnly = false);

    // A write that failed for a reason other than a CAS "skip"/"superseded"
    // decision (Conflict, NotFound): the transition must be retried.
    static bool mustRetry(const Status& s);

    // Ends an op (terminal status + event), pops it from its project's
    // queue and dispatches the next queued op of that project. An op whose
    // cancel was requested ends "cancelled", whatever `failure` says.
    Status finishOp(const std::string& opId, const Status& failure);

    // Requests the cancel of an unfinished op (opcancel.cpp). Returns the op
    // once the request is recorded: already "cancelled" if it was queued,
    // still "running" (with cancel_requested_at) if a step runs. Repeating
    // it is harmless. NotFound "op_not_found"; Conflict per cancelRefusal().
    Result<OpRecord> cancel(const std::string& opId);
    // Ok, or why `op` cannot be cancelled: Conflict "op_finished" (terminal,
    // or every step done) or "op_not_cancellable" (a delete: the project is
    // already being deleted and a half-done delete cannot be undone).
    static Status cancelRefusal(const OpRecord& op);

private:
    Status publishWork(const WorkItem& item);
    Status checkFence(const std::string& opId, const std::string& stepName, int attempt) const;
    StepOutcome invokeStepRetrying(const OpRecord& op, const std::string& stepName, int attempt,
                                   const std::function<void()>& keepAlive);
    Status runStep(OpRecord op, const std::string& stepName, int attempt, const std::function<void()>& keepAlive);
    StepOutcome invokeStep(const OpRecord& op, const std::string& stepName, int attempt,
                           const std::function<void()>& keepAlive);
    // Ok(true): run the step; Ok(false): nothing to run (settled here).
    Result<bool> claimStep(const WorkItem& item, int numDelivered, OpRecord& op, bool& becameRunning);
    Status afterOpEnded(const OpRecord& op);
    // Makes the queue move from `entry` (its head): skips an entry whose op
    // is gone, pops an ended one, dispatches a queued one.
    // A queued op is started only with startQueued (an acceptor leaves a
    // queued head to its own acceptor).
    Status advance(const std::string& projectId, std::optional<QueueEntry> entry, bool startQueued);
    // Records the end of head `op` on its project and removes its entry;
    // the next entry, or nullopt (also when the project was deleted).
    Result<std::optional<QueueEntry>> popHead(const OpRecord& op, const QueueEntry& entry);
    Status finishDeletion(const std::string& projectId, uint64_t afterSeq);
    // Pops ended heads (and entries whose op is gone) until the head is an
    // unfinished op, and returns it; NotFound "queue_empty" when none is left.
    Result<OpRecord> resumableHead(const std::string& projectId);
    // `unfinished`: the project's unfinished ops; those created before
    // `cutoff` and in no queue are queued again.
    Status recoverProject(const ProjectRecord& project, const std::vector<OpRecord>& unfinished,
                          const std::string& cutoff, Recovery mode);
    Status redispatchStale(const OpRecord& op, int index, const std::string& cutoff);
    Result<std::vector<ProjectRecord>> recoveryScope(bool inFlightOnly,
                                                     const std::map<std::string, std::vector<OpRecord>>& unfinished);
    Status migrateLegacyQueue(const ProjectRecord& project);

    Platform& m_platform;
    PipelineStore& m_store;
    EventBus& m_events;
    NatsClient& m_client;
    std::map<std::string, StepFunction> m_steps;
};

}  // namespace paas
