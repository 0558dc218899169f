#pragma once
// EventBus: publishes every op transition to the PAAS_EVENTS stream on
// subject paas.events.<projectId>.<opId>. The stream sequence is the event id
// (SSE "id:"), so replay survives restarts.
//
// Event data (one JSON object): {type, op_id, project_id, kind, at, seq?,
// status?, step?, message?, line?, error?, classification?}. Types:
// op.status, step.started, step.log, step.completed, step.failed,
// step.cancelled, op.cancel_requested, op.completed, op.failed,
// op.cancelled. The terminal ones (an op's last event) are op.completed,
// op.failed and op.cancelled.
// Thread affinity: thread-safe.
#include "engine/core/status.h"
#include "engine/pipeline/records.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <string>

namespace paas {

class NatsClient;

namespace events {
inline constexpr const char* kOpStatus = "op.status";
inline constexpr const char* kStepStarted = "step.started";
inline constexpr const char* kStepLog = "step.log";
inline constexpr const char* kStepCompleted = "step.completed";
inline constexpr const char* kStepFailed = "step.failed";
inline constexpr const char* kOpCompleted = "op.completed";
inline constexpr const char* kOpFailed = "op.failed";
inline constexpr const char* kStepCancelled = "step.cancelled";
inline constexpr const char* kOpCancelRequested = "op.cancel_requested";
inline constexpr const char* kOpCancelled = "op.cancelled";
}  // namespace events

std::string eventSubject(const std::string& projectId, const std::string& opId);

class EventBus {
public:
    explicit EventBus(NatsClient& client) : m_client(client) {}

    // Publishes {type, op_id, project_id, kind, at} merged with `extra`.
    // Returns the stream sequence. Failures are logged and returned; the
    // pipeline never fails an op because an event could not be published.
    Result<uint64_t> publish(const OpRecord& op, const std::string& type, nlohmann::json extra = {});
    // The same without waiting for the ack (NatsClient::publishAsync): what
    // the accept path and the orchestrator use. An event is published after
    // the KV write it reports was acknowledged, so a client that sees it
    // reads that state; its loss in a fault costs a line of the timeline,
    // never an op. Events of one connection are stored in the order they
    // were published, so later events of the op are stored after it.
    Status publishAsync(const OpRecord& op, const std::string& type, nlohmann::json extra = {});

    uint64_t published() const { return m_published.load(); }

private:
    static std::string eventText(const OpRecord& op, const std::string& type, nlohmann::json extra);

    NatsClient& m_client;
    std::atomic<uint64_t> m_published{0};
};

}  // namespace paas
