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
//  - When an op ends, it leaves its project's queue and the next queued op
//    of that project is dispatched: one op per project at a time.
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
#include "engine/pipeline/records.h"

#include <nlohmann/json.hpp>

#include <QString>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace paas {

class EventBus;
class NatsClient;
class PipelineStore;
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
    OpRecord op;                 // snapshot when the step started
    std::string step;
    QString projectDir;
    std::function<void(const std::string& line)> log;
    std::function<void()> keepAlive;   // tells JetStream the step is still being worked on
    // True once the op's cancel was requested (from memory, cheap: poll it).
    // A step that can stop early returns an error when it turns true.
    std::function<bool()> cancelled;
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

    // Embedded mode at startup: re-dispatch or fail ops left mid-flight.
    Status recover();

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
    Status runStep(OpRecord op, const std::string& stepName, int attempt, const std::function<void()>& keepAlive);
    StepOutcome invokeStep(const OpRecord& op, const std::string& stepName, int attempt,
                           const std::function<void()>& keepAlive);
    // Ok(true): run the step; Ok(false): nothing to run (settled here).
    Result<bool> claimStep(const WorkItem& item, int numDelivered, OpRecord& op, bool& becameRunning);
    Status afterOpEnded(const OpRecord& op);

    Platform& m_platform;
    PipelineStore& m_store;
    EventBus& m_events;
    NatsClient& m_client;
    std::map<std::string, StepFunction> m_steps;
};

}  // namespace paas
