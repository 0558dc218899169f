#pragma once
// EventLog: the READ side of the PAAS_EVENTS stream (the publish side is
// engine/pipeline/eventbus.h). Subjects are paas.events.<projectId>.<opId>;
// the stream sequence of a message is its event id (SSE "id:").
//
// Contract:
//  - bounds() reports the stream's first/last sequence, so a caller can tell
//    that a Last-Event-ID is older than retention (id + 1 < firstSeq) or from
//    another stream incarnation (id > lastSeq).
//  - lastOnSubject() is the newest event on one exact subject (NotFound when
//    there is none).
//  - replay() delivers, in stream order, the events matching a subject filter
//    with sequence > afterSeq that exist when it is called (it stops once it
//    has caught up, at most maxEvents, or until options.cancelled says so).
//    It uses an ephemeral ordered consumer that it deletes before returning,
//    started by sequence (afterSeq), by time (notBeforeMs) or at the first
//    message. Blocking: never call it on a thread
//    that must stay responsive (the API thread, nats.c callbacks).
//  - tap() attaches a live listener to a subject filter. Every filter made
//    by eventsubjects (all, a project's, an op's) is served by ONE JetStream
//    ordered push consumer on the whole stream (DeliverNew), created with the
//    first tap and deleted with the last, and matched in this process; any
//    other filter gets a consumer of its own, shared by its taps. Every
//    event carries its true stream sequence. Ordered consumers recreate
//    themselves after a gap or a reconnect, so a tap sees every event
//    published after it was created, in order, exactly once (and, on a
//    consumer that was already running, possibly a few published just
//    before: callers that also replay skip ids they already sent).
//    A tap that needs a new consumer while the client's probe finds the
//    server unresponsive fails at once (Unavailable "backend_unavailable")
//    instead of waiting on it.
//  - Destroying a Tap detaches it: when the destructor returns its listener
//    is not running and will not be called again.
// Thread affinity: thread-safe. Listeners run on a nats.c delivery thread,
// must be quick and must not block, and must not create or destroy taps.
#include "engine/core/status.h"

#include <nats/nats.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace paas {

class NatsClient;

struct StoredEvent {
    uint64_t seq = 0;
    std::string subject;
    std::string projectId;  // from the subject
    std::string opId;       // from the subject
    std::string data;       // the published JSON, verbatim
};

struct StreamBounds {
    uint64_t firstSeq = 0;  // with no messages: lastSeq + 1
    uint64_t lastSeq = 0;
    uint64_t messages = 0;
};

namespace eventsubjects {
std::string all();                                    // paas.events.>
std::string ofProject(const std::string& projectId);  // paas.events.<p>.*
std::string ofOp(const std::string& opId);            // paas.events.*.<op>
std::string exact(const std::string& projectId, const std::string& opId);
// Splits paas.events.<projectId>.<opId>; false for anything else.
bool parse(const std::string& subject, std::string& projectId, std::string& opId);
}  // namespace eventsubjects

class EventLog {
public:
    class Tap;
    using Listener = std::function<void(const StoredEvent&)>;
    // Returns false to stop the replay early.
    using Sink = std::function<bool(const StoredEvent&)>;

    struct ReplayOptions {
        std::string filter;  // a subject filter (see eventsubjects)
        uint64_t afterSeq = 0;
        uint64_t maxEvents = 100000;
        int stallTimeoutMs = 5000;  // a pending message that never arrives
        // Polled while waiting for the next message (every 100 ms at most)
        // and between messages: true ends the replay early, as a sink that
        // returns false does.
        std::function<bool()> cancelled;
        // With afterSeq 0: nothing of interest was published before this time
        // (ms since the epoch; e.g. an op's creation). The consumer then
        // starts at that time, less a minute for clock skew, instead of at
        // the stream's first message: the server finds the start with one
        // block lookup rather than scanning every block of the stream (which
        // keeps them all in its memory). 0: from the first message.
        int64_t notBeforeMs = 0;
    };

    explicit EventLog(NatsClient& client, std::string stream = "PAAS_EVENTS");
    ~EventLog();
    EventLog(const EventLog&) = delete;
    EventLog& operator=(const EventLog&) = delete;

    Result<StreamBounds> bounds() const;
    Result<StoredEvent> lastOnSubject(const std::string& subject) const;
    // The number of events delivered to the sink.
    Result<uint64_t> replay(const ReplayOptions& options, const Sink& sink) const;

    Result<std::shared_ptr<Tap>> tap(const std::string& filter, Listener listener);

    // {nats_subscriptions, taps, live_events, replays, replayed_events}
    nlohmann::json counters() const;
    int subscriptionCount() const;

private:
    struct Feed;
    static void onMessage(natsConnection* conn, natsSubscription* sub, natsMsg* msg, void* closure);
    static void onComplete(void* closure);
    void detach(const std::string& filter, uint64_t tapId);

    NatsClient& m_client;
    std::string m_stream;
    mutable std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<Feed>> m_feeds;
    uint64_t m_nextTapId = 1;
    std::atomic<int64_t> m_taps{0};
    std::atomic<uint64_t> m_liveEvents{0};
    mutable std::atomic<uint64_t> m_replays{0};
    mutable std::atomic<uint64_t> m_replayed{0};
};

class EventLog::Tap {
public:
    ~Tap();
    Tap(const Tap&) = delete;
    Tap& operator=(const Tap&) = delete;
    const std::string& filter() const { return m_filter; }

private:
    friend class EventLog;
    Tap(EventLog& log, std::string filter, uint64_t id) : m_log(log), m_filter(std::move(filter)), m_id(id) {}
    EventLog& m_log;
    std::string m_filter;
    uint64_t m_id;
};

}  // namespace paas
