#pragma once
// OpWatcher: sees the end of every op on the app's NATS, and when it came,
// so a benchmark can time "accepted -> completed" without polling the API.
//
// Contract:
//  - start() subscribes (core NATS, no JetStream consumer) to
//    paas.events.> on the bench's connection and flushes, so every op.completed
//    / op.failed event published after start() returns is seen. The engine
//    publishes that event right after it wrote the op's terminal status to KV
//    (Orchestrator::finishOp), so its arrival is when GET /api/ops/{id} starts
//    answering "completed", give or take one loopback hop.
//  - waitFor() blocks (bounded) until the op ended; the end keeps the
//    steadyNs() of the event's arrival. An op that ended before the call is
//    answered at once.
//  - The destructor drains the subscription: no callback runs after it.
// Thread affinity: thread-safe; the callback runs on a nats.c thread.
#include "engine/store/natsclient.h"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace paas::bench {

class OpWatcher {
public:
    explicit OpWatcher(NatsClient& nats) : m_nats(nats) {}
    ~OpWatcher();
    OpWatcher(const OpWatcher&) = delete;
    OpWatcher& operator=(const OpWatcher&) = delete;

    bool start();

    struct End {
        std::string status;  // "completed", "failed", or "" (not ended in time)
        int64_t atNs = 0;    // steadyNs() when the event arrived
    };
    End waitFor(const std::string& opId, int timeoutMs);
    // Waits until every op of `ids` ended (bounded); how many did not
    // complete (failed, or not ended in time).
    size_t waitAll(const std::vector<std::string>& ids, int timeoutMs);
    size_t endedCount() const;

private:
    static void onMessage(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* self);
    void record(const char* data, int length);

    NatsClient& m_nats;
    natsSubscription* m_sub = nullptr;
    mutable std::mutex m_mutex;
    std::condition_variable m_ended;
    std::unordered_map<std::string, End> m_ends;  // guarded by m_mutex
};

}  // namespace paas::bench
