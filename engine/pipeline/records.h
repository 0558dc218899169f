#pragma once
// The persistent records of the pipeline, stored as JSON in JetStream KV:
// ProjectRecord in paas_projects/<projectId>, OpRecord in paas_ops/<opId>.
//
// Contract: plain value types with lossless JSON round trips (toJson /
// fromJson). Unknown JSON fields are ignored, missing ones take defaults, so
// records written by an older version still load. Times are RFC 3339 UTC
// with milliseconds. Thread-safe as any value.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace paas {

namespace opstatus {
inline constexpr const char* kQueued = "queued";
inline constexpr const char* kRunning = "running";
inline constexpr const char* kCompleted = "completed";
inline constexpr const char* kFailed = "failed";
inline constexpr const char* kCancelled = "cancelled";  // ops, and the step a cancel cut short
inline constexpr const char* kPending = "pending";      // steps only
inline constexpr const char* kSkipped = "skipped";      // steps only
}  // namespace opstatus

struct OpError {
    std::string code;
    std::string message;
};

struct StepRecord {
    std::string name;  // worker name: registrar, repoBootstrap, ...
    std::string status = opstatus::kPending;
    std::string startedAt, finishedAt;
    std::string message;
    nlohmann::json outputs = nlohmann::json::object();
    int attempt = 0;       // bumped on each (re)start; stale work messages are ignored
    std::string instance;  // the id of the paas instance that claimed the attempt ("" before)
};

struct OpRecord {
    std::string id;
    std::string kind;  // create|update|delete|ci|deploy|promote|release|rollback
    std::string projectId;
    std::string status = opstatus::kQueued;
    std::string createdAt, startedAt, finishedAt;
    nlohmann::json trigger = nlohmann::json::object();  // {source, commit, ref, ...}
    nlohmann::json params = nlohmann::json::object();   // action inputs (spec, envs, ...)
    std::string classification;                         // promote|release for promotions
    OpError error;
    std::vector<StepRecord> steps;
    // Set (once) by a cancel request while the op is unfinished: the op then
    // ends "cancelled" at its next step boundary (orchestrator.h).
    std::string cancelRequestedAt;

    // completed, failed and cancelled are the terminal statuses.
    bool terminal() const
    {
        return status == opstatus::kCompleted || status == opstatus::kFailed || status == opstatus::kCancelled;
    }
    bool cancelRequested() const { return !cancelRequestedAt.empty(); }
    StepRecord* step(const std::string& name);
    const StepRecord* step(const std::string& name) const;
    // Index of the first step not completed/skipped, or -1.
    int nextStepIndex() const;
    nlohmann::json summary() const;  // {id, kind, project_id, status, ...} without steps
};

struct ReleaseRef {
    int number = 0;
    std::string image, commit, digest, opId, at, trigger, renderedDigest;
};

struct ProjectRecord {
    std::string id;
    std::string name;
    nlohmann::json spec = nlohmann::json::object();
    std::vector<std::string> environmentOrder;  // spec's environments in path order ([] = as sorted)
    std::string status = "registering";         // registering|ready|failed|deleting
    std::string createdAt, updatedAt;
    nlohmann::json lastOp;  // OpRecord::summary() of the newest finished or running op
    // Accepted, unfinished op ids in acceptance order. Not stored: the queue
    // lives in the PAAS_QUEUE stream (pipelinestore.h); the StateView fills
    // the first kQueueShown ids and the length for the API. A record stored
    // by an older version still carries its whole queue here until
    // Orchestrator::recover() moves it to the stream.
    std::vector<std::string> queue;
    size_t queueLength = 0;
    static constexpr size_t kQueueShown = 100;
    nlohmann::json image;                                    // {ref, commit, digest, mode, built_at, op_id}
    nlohmann::json environments = nlohmann::json::object();  // env -> ReleaseRef json
    std::string webhookSecret;                               // optional HMAC secret for forge webhooks (never returned)
    std::string lastSeenCommit;                              // commit watcher position
};

nlohmann::json toJson(const StepRecord& s);
nlohmann::json toJson(const OpRecord& op);
// The API form of an op: without its params, with its links; withSteps
// false gives the summary form.
nlohmann::json toApiJson(const OpRecord& op, bool withSteps = true);
// stored: the KV form (with secrets, without the queue); else the API form.
nlohmann::json toJson(const ProjectRecord& p, bool stored = false);
nlohmann::json toJson(const ReleaseRef& r);
OpRecord opFromJson(const nlohmann::json& j);
ProjectRecord projectFromJson(const nlohmann::json& j);
ReleaseRef releaseFromJson(const nlohmann::json& j);

// Parses a stored record; Internal "corrupt_record" on bad JSON.
bool parseStored(const std::string& text, nlohmann::json& out);

std::string nowRfc3339();

}  // namespace paas
