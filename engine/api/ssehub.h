#pragma once
// SseHub: the server side of the realtime endpoints (issue 4).
//
//   GET /api/ops/{opID}/events   one op: op.bootstrap (with retry:), the
//                                replay after Last-Event-ID, live events,
//                                op.heartbeat; ends after op.completed,
//                                op.failed or op.cancelled
//   GET /api/events              all ops' lifecycle events (step.log only
//                                with ?logs=1, ?project_id= filter); never ends
//
// Contract:
//  - Every event frame carries id: = its PAAS_EVENTS stream sequence; a
//    client sees strictly increasing ids, no duplicates and no silent gaps:
//    live events that arrive while a client is replaying are held back and
//    sent after the replay, skipping what the replay already sent.
//  - Last-Event-ID (header, or ?lastEventId=) replays only later events. An
//    id older than retention (or from another stream) gives bootstrap + live.
//    An op stream without Last-Event-ID replays the op from its first event.
//  - Fan-out: ONE live tap (one JetStream ordered consumer) per op with
//    clients, plus one for the global feed, shared by all their clients and
//    released when the last client leaves (on the hub's reaper thread: the
//    consumer delete never waits on the API thread; event_log counters
//    follow shortly after sse_channels). Replays run on the hub's own
//    small thread pool, never on the API thread. A replay is cancelled when
//    its client finishes or goes: a queued one never starts, a running one
//    stops at its next event (or within 100 ms while waiting for one), so a
//    new client never waits behind, or loses to, an abandoned one.
//  - Limits: at most maxClients streams (503 + Retry-After beyond), a client
//    whose send buffer stays over stallBytes for stallMs without draining
//    (no byte taken by the kernel between checks) is dropped, and one over
//    64 x stallBytes is dropped at once; a
//    client that disconnects is removed at once (SseConnection guards every
//    write, see DESIGN.md §7).
//  - counters() / processCounters() are thread-safe (for /api/system).
// Thread affinity: an object of the API thread; open*() and addRoutes() on
// that thread. NATS callbacks are marshalled to it with queued calls.
#include "engine/api/httpexchange.h"
#include "engine/api/queryparams.h"
#include "engine/core/status.h"
#include "engine/store/eventlog.h"

#include <nlohmann/json.hpp>

#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace paas::api {

class Router;
class SseConnection;
struct SseEvent;
struct SseClient;

struct SseHubOptions {
    int heartbeatMs = 15000;
    int maxClients = 1000;
    int retryMs = 3000;           // the retry: of the first frame
    int retryAfterS = 5;          // Retry-After of the 503 when full
    qint64 stallBytes = 1 << 20;  // send buffer bound ...
    int stallMs = 30000;          // ... for this long -> dropped
    int terminalGraceMs = 3000;   // op ended but its terminal event is not in the log yet
    uint64_t maxReplay = 200000;  // events per replay
    int replayThreads = 2;
};

class SseHub : public QObject {
    Q_OBJECT
public:
    // The op snapshot for op.bootstrap: toJson(OpRecord) (needs project_id
    // and status), or NotFound for an unknown op. Called on the API thread.
    using SnapshotFn = std::function<Result<nlohmann::json>(const std::string& opId)>;

    SseHub(NatsClient& client, SnapshotFn snapshot, SseHubOptions options, QObject* parent = nullptr);
    ~SseHub() override;

    // Registers GET /api/ops/{id}/events and GET /api/events.
    void addRoutes(Router& router);
    void openOpStream(HttpExchange& ex, const std::string& opId, uint64_t lastEventId);
    void openFeed(HttpExchange& ex, const FeedFilter& filter, uint64_t lastEventId);

    // {sse_clients, sse_op_clients, sse_feed_clients, sse_channels, ...,
    //  event_log: EventLog::counters()}. The client counts are of clients
    // being served: one that is finished or dropped stops counting at that
    // moment, before its connection is reaped (queued), so the counters
    // never disagree with sse_dropped_stalled_total / sse_closed_total.
    nlohmann::json counters() const;
    // The counters of every hub alive in the process (the app has one).
    static nlohmann::json processCounters();

    EventLog& eventLog() { return m_log; }

private:
    using EventPtr = std::shared_ptr<const SseEvent>;
    struct Channel {
        std::shared_ptr<EventLog::Tap> tap;
        std::set<quint64> clients;
    };
    struct ReplayResult;
    struct ReplayJob;
    using CancelFlag = std::shared_ptr<std::atomic<bool>>;

    bool admit(HttpExchange& ex);
    SseClient* addClient(bool feed);
    bool attach(SseClient& client, HttpExchange& ex, const std::string& key, const std::string& filter);
    Status join(SseClient& client, const std::string& key, const std::string& filter);
    void removeClient(quint64 id);
    void startReplay(SseClient& client, const std::string& filter, uint64_t afterSeq, const std::string& lastSubject,
                     int64_t notBeforeMs = 0);
    void fillReplay(ReplayResult& result, const ReplayJob& job);
    void onLive(const std::string& key, const EventPtr& ev);
    void onReplayChunk(quint64 id, const std::vector<EventPtr>& events);
    void onReplayDone(quint64 id, const std::shared_ptr<ReplayResult>& result);
    void settleTerminal(SseClient& client, const std::shared_ptr<ReplayResult>& result);
    void deliver(SseClient& client, const EventPtr& ev);
    void send(SseClient& client, const EventPtr& ev);
    void finish(SseClient& client);
    // Sets client.finished once, and takes it out of the client counts.
    void markFinished(SseClient& client);
    void heartbeat();
    void housekeeping();
    SseClient* find(quint64 id);

    EventLog m_log;
    SnapshotFn m_snapshot;
    SseHubOptions m_options;
    QThreadPool m_pool;
    QThreadPool m_reaper;  // one thread: releases taps (a NATS round trip) off the API thread
    QTimer m_heartbeat;
    QTimer m_housekeeping;
    std::map<quint64, std::unique_ptr<SseClient>> m_clients;
    std::map<std::string, Channel> m_channels;
    quint64 m_nextId = 1;
    std::atomic<bool> m_stopping{false};

    std::atomic<int> m_opClients{0}, m_feedClients{0}, m_channelCount{0};
    std::atomic<uint64_t> m_accepted{0}, m_rejectedBusy{0}, m_droppedStalled{0}, m_closed{0};
    std::atomic<uint64_t> m_framesSent{0}, m_heartbeats{0}, m_replaysCancelled{0};
};

}  // namespace paas::api
