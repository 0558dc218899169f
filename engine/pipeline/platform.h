#pragma once
// Platform: the engine's facade — everything the API (and the app) may ask
// of the pipeline.
//
// Contract:
//  - submit*() validate the request, durably record the op (paas_ops KV),
//    append it to its project's queue (CAS on paas_projects) and, when it is
//    the head of that queue, publish its first work item — all before they
//    return. A returned op is never lost, even if the process dies next.
//  - Ops of one project run one at a time in acceptance order; ops of
//    different projects run in parallel on the worker pool.
//  - Errors are values (Status) with reasons the API maps to HTTP.
//  - While the backend does not answer (NatsClient::responsive()), submit*()
//    fail at once with Unavailable "backend_unavailable" and write nothing;
//    each JetStream call they make is bounded (NatsClient::kCallTimeoutMs).
//  - cancelOp() records a cancel request the same way: acknowledged only
//    once JetStream has it (orchestrator.h has what it does).
//  - start() creates the durable consumers, resolves the image builder mode,
//    recovers ops interrupted by a crash (re-dispatch with a bumped attempt,
//    or fail them "interrupted"), and starts the workers.
// Thread affinity: start()/stop() on the main thread; everything else is
// thread-safe (called from the API thread and worker threads).
#include "engine/core/config.h"
#include "engine/core/status.h"
#include "engine/git/hooktokens.h"
#include "engine/pipeline/commitmemory.h"
#include "engine/pipeline/records.h"
#include "engine/pipeline/stateview.h"

#include <nlohmann/json.hpp>

#include <QString>
#include <QThreadPool>

#include <array>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace paas {

class Backend;
class KvLease;
class EnvironmentRunner;
class EventBus;
class ImageBuilderPolicy;
class Orchestrator;
class PipelineStore;
class StateView;
class WorkerPool;
class CommitWatcher;

struct RegistrationRequest {
    std::string action;     // create|update|delete
    std::string projectId;  // optional for create
    nlohmann::json spec;    // required for create/update
    // The environments in the order the body wrote them
    // (SpecParser::environmentOrder); the JSON object above has lost it.
    std::vector<std::string> environmentOrder;
    std::string source = "api";  // api|legacy
    // Optional HMAC secret for forge webhooks (X-Hub-Signature-256). Set on
    // create; on update, a present value replaces the stored one ("" clears
    // it). Stored on the project record only, never returned by the API.
    std::optional<std::string> webhookSecret;
};

struct SourceEvent {
    std::string projectId;
    std::string repo;    // "" or "source"
    std::string branch;  // main | heads/main | refs/heads/main (or from ref)
    std::string ref;
    std::string commit;              // "" = current main HEAD of the source repo
    std::string source = "webhook";  // webhook|hook|watcher|forge
};

struct DeliveryRequest {
    std::string kind;  // deploy|promote|release|rollback
    std::string projectId;
    std::string fromEnv, toEnv;  // promote/release
    std::string environment;     // deploy/rollback
    int release = 0;             // rollback target (0 = previous)
    std::string source = "api";
    bool automatic = false;  // autoDeploy after a ci op: any non-production environment
};

// POST /api/projects/{id}/environments/{env}/stop|start.
struct RunControlRequest {
    std::string action;  // stop|start
    std::string projectId;
    std::string environment;
};

// The answer to a submission: an accepted op, or an ignored event and why.
struct Submission {
    bool accepted = false;
    std::string reason;  // "ignored: ..." when not accepted
    OpRecord op;
};

class Platform {
public:
    Platform(const Config& config, Backend& backend);
    ~Platform();
    Platform(const Platform&) = delete;
    Platform& operator=(const Platform&) = delete;

    Status start();
    void stop();

    // Registration pathway (create/update/delete).
    Result<Submission> submitRegistration(const RegistrationRequest& request);
    // Source webhook pathway (ci). Non-main branches and already-processed
    // commits are answered with accepted=false and a reason.
    Result<Submission> submitSourceEvent(const SourceEvent& event);
    // Delivery pathway (deploy/promote/release/rollback).
    Result<Submission> submitDelivery(const DeliveryRequest& request);
    // Stop or start a running environment (an op of kind stop|start).
    // 400 invalid_action/unknown_environment, 404 project_not_found, 409
    // run_disabled (its run mode is none), delivery_in_progress.
    Result<Submission> submitRunControl(const RunControlRequest& request);
    // After ci op `ci` completed: a deploy op (source "auto") of its image to
    // each non-production environment with autoDeploy: true.
    void autoDeploy(const OpRecord& ci);

    // Reads, served from memory (StateView): they never wait on NATS.
    Result<ProjectRecord> project(const std::string& projectId) const;
    Result<std::shared_ptr<const std::string>> projectText(const std::string& projectId) const;  // its API JSON
    Result<std::vector<ProjectRecord>> projects() const;
    // One page of the project list (StateView::projectPage): O(log n + limit).
    StateView::ProjectPage projectPage(StateView::ProjectOrder order,
                                       const std::optional<StateView::ProjectCursor>& after, size_t limit,
                                       const StateView::ProjectFilter& keep = {}) const;
    // An op, and a page of a project's ops (newest first). A finished op
    // older than the view's resident window (StateView::kResidentOps per
    // project) is read from JetStream: these may wait (bounded, 2 s).
    Result<OpRecord> op(const std::string& opId) const;
    Result<std::vector<OpRecord>> projectOps(const std::string& projectId, int offset, int limit) const;
    // The same from memory only: never wait; Unavailable "op_not_resident"
    // when the answer needs an op the view does not hold.
    Result<OpRecord> cachedOp(const std::string& opId) const;
    // Every unfinished op, by project, from memory (recovery).
    std::map<std::string, std::vector<OpRecord>> unfinishedOps() const;
    // A page of a project's ops as their API JSON texts (toApiJson).
    Result<std::vector<std::shared_ptr<const std::string>>> cachedProjectOpTexts(const std::string& projectId,
                                                                                 int offset, int limit) const;

    // Cancels an op (Orchestrator::cancel: recorded in JetStream before it
    // returns; a queued op comes back "cancelled", a running one with
    // cancel_requested_at set). Waits on NATS: the API runs it offloaded.
    // Unavailable "backend_unavailable" while NATS does not answer.
    Result<OpRecord> cancelOp(const std::string& opId);
    // Ok, or the Conflict a cancel of `op` gets (Orchestrator::cancelRefusal).
    static Status cancelRefusal(const OpRecord& op);
    // Whether op `opId`'s cancel was requested, from memory (any instance's
    // request arrives through the view's watch): cheap enough to poll.
    bool cancelRequested(const std::string& opId) const;

    EventBus& events() const { return *m_events; }
    const Config& config() const { return m_config; }
    Backend& backend() const { return m_backend; }
    // This instance's id (Config::instanceId): recorded on the steps it runs.
    std::string instanceId() const { return m_config.instanceId.toStdString(); }
    // The holders of the singleton leases ({} in embedded mode: this instance).
    nlohmann::json leases() const;
    QString projectDir(const std::string& projectId) const;

    void setApiUrl(const std::string& url);
    std::string apiUrl() const;
    nlohmann::json builderInfo() const;
    QString builderSummaryLine() const;
    nlohmann::json counters() const;

    PipelineStore& store() const { return *m_store; }
    // Running environments on the local Docker engine (set by start()).
    EnvironmentRunner& runner() const { return *m_runner; }
    // The local hooks' credentials (loaded by start()).
    const HookTokens& hookTokens() const { return m_hookTokens; }

private:
    // External NATS (instances may share it): recovery and the commit
    // watcher each run on the one instance holding their KvLease.
    void startSingletons();
    Status startView();
    void startRecoveryPasses();
    void stopRecoveryPasses();
    // Unavailable "backend_unavailable" while NATS does not answer its probe.
    Status backendWritable() const;
    // Serialises the submissions of one project (striped), so acceptance
    // order is also the order of op ids. Submissions run on several API
    // offload threads at once.
    std::mutex& lockOf(const std::string& projectId);
    // Accepting is the op record and its queue entry (then the `queued`
    // event, without waiting for its ack); starting it, when it is its
    // project's head, happens after the answer, on m_starts.
    // (platformaccept.cpp)
    // `commit`: a webhook's ci op, accepted only with its commit's marker.
    Result<Submission> enqueue(OpRecord op, const ProjectRecord* newProject, const std::string& commit = {});
    // The op record, its queue entry and, with a commit, the commit's
    // dedupe marker, all in flight at once (one round trip; the others on
    // m_appends); what landed is undone when any failed. Conflict
    // "commit_processed" when another op holds the commit. An op whose
    // writes all landed is never undone: a reader may have started it.
    Status writeOpAndEntry(const OpRecord& op, const std::string& commit);
    // For a create or a delete: the op record, then the project record (or
    // its "deleting"), then the entry, each undone if a later one fails.
    Status writeWithProject(const OpRecord& op, const ProjectRecord* newProject);
    // The full id of a webhook's commit ("" -> main's head, short -> full);
    // Conflict "source_repo_broken" when the repo cannot be opened.
    Result<std::string> resolveSourceCommit(const std::string& projectId, const std::string& commit) const;
    void startSoon(const OpRecord& op);
    // The cross-instance delivery_in_progress guard (delivery.cpp): Conflict
    // while another unfinished op holds project/env's key in paas_guards.
    Status claimDeliveryGuard(const std::string& projectId, const std::string& env, const std::string& opId);
    Result<Submission> enqueueGuarded(OpRecord op, const std::string& env);
    // A duplicate webhook known from memory (commitmemory.h): this process
    // accepted `commit` for an op that has not failed or been cancelled.
    bool acceptedBefore(const ProjectRecord& project, const std::string& commit) const;
    // Records what accepting `op` changes on its project (creates it, or
    // closes it for a delete: statusBefore is then its former status), or
    // refuses it (a project being deleted).
    Status admit(const OpRecord& op, const ProjectRecord* newProject, std::string& statusBefore);

    const Config& m_config;
    Backend& m_backend;
    std::unique_ptr<PipelineStore> m_store;
    std::unique_ptr<StateView> m_view;  // the reads of the API (stateview.h)
    std::unique_ptr<EventBus> m_events;
    std::unique_ptr<Orchestrator> m_orchestrator;
    std::unique_ptr<ImageBuilderPolicy> m_builder;
    std::unique_ptr<WorkerPool> m_workers;
    std::unique_ptr<CommitWatcher> m_watcher;
    std::unique_ptr<EnvironmentRunner> m_runner;
    std::unique_ptr<QThreadPool> m_starts;
    std::unique_ptr<QThreadPool> m_appends;  // queue appends of accepts in flight
    CommitMemory m_commits;                  // startIfHead of accepted ops
    HookTokens m_hookTokens;
    std::mutex m_recoveryMutex;
    std::thread m_recovery;  // recovery after a nats-server restart, or the lease holder's passes
    std::mutex m_recoveryWaitMutex;
    std::condition_variable m_recoveryWake;
    std::atomic<bool> m_recoveryStop{false};
    std::mutex m_watcherMutex;  // m_watcher, started and stopped by its lease
    std::unique_ptr<KvLease> m_recoveryLease, m_watcherLease;
    std::mutex m_createMutex;
    std::array<std::mutex, 64> m_projectLocks;
    mutable std::mutex m_urlMutex;
    std::string m_apiUrl;
};

}  // namespace paas
