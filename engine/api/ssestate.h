#pragma once
// Internal state of SseHub (not a public API): the event as it is fanned out
// (its frame formatted once for every client), one client's stream state,
// and the registry behind SseHub::processCounters().
// Thread affinity: the API thread, except makeEvent() (any thread) and the
// registry functions (thread-safe).
#include "engine/api/ssehub.h"
#include "engine/store/eventlog.h"

#include <nlohmann/json.hpp>

#include <QByteArray>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace paas::api {

class SseConnection;

struct SseEvent {
    uint64_t seq = 0;
    std::string projectId, opId, type;
    bool terminal = false;
    bool log = false;
    QByteArray frame;
};

struct SseClient {
    quint64 id = 0;
    SseConnection* conn = nullptr;
    bool feed = false;
    std::string opId, projectId, channel;
    FeedFilter filter;
    uint64_t lastSent = 0;
    bool replaying = true;
    bool finished = false;
    std::vector<std::shared_ptr<const SseEvent>> pending;  // live events held back during the replay
    nlohmann::json snapshot;
    qint64 stalledSinceMs = 0;
    qint64 sentAtCheck = 0;  // SseConnection::sentBytes() at the last housekeeping
    // Set when the client finishes or goes: its replay (on the hub's pool)
    // stops at the next check and never delays another client's replay.
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
};

// Parses the event's type once and formats its frame (id: = stream sequence).
std::shared_ptr<const SseEvent> makeEvent(const StoredEvent& stored);
// Whether a client wants this event (feed filters; op clients take all).
bool accepts(const SseClient& client, const SseEvent& ev);
std::string nowIso();

void registerHub(SseHub* hub);
void unregisterHub(SseHub* hub);

}  // namespace paas::api
