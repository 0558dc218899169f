#pragma once
// SseFleet: a share of the soak's SSE clients, all on one thread's event loop.
//  - feed clients on GET /api/events (all projects or one, with or without
//    step.log); the "reconnecting" ones drop their connection every 20-60 s
//    and come back with Last-Event-ID (header or ?lastEventId=), the others
//    only when the server ends the stream. Each records every id it sees.
//  - op clients: each follows one op at a time on GET /api/ops/{id}/events
//    (an op just queued, learnt from the first feed), until its terminal
//    event; a third of the sessions break off after the second event and
//    resume with Last-Event-ID. Each session records the ids it saw.
// The records are checked afterwards against the event log (soakverify.h).
// Thread affinity: construct anywhere, then moveToThread; every other call
// through QMetaObject::invokeMethod on its thread; stats() is thread-safe.
#include "tests/soak/soaksseclient.h"

#include <QObject>
#include <QRandomGenerator>

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace paas::soak {

struct FeedRecord {
    std::string projectId;  // empty: every project
    bool logs = false;
    bool reconnecting = false;
    std::vector<uint64_t> ids;  // in arrival order
    uint64_t duplicatesOrBackwards = 0;
    int connections = 0;
    int serverCloses = 0;  // ends this client did not ask for
    int badStatus = 0;
};

struct OpSession {
    std::string opId;
    std::vector<uint64_t> ids;
    uint64_t duplicatesOrBackwards = 0;
    int connections = 0;
    bool terminalWithId = false;        // op.completed/op.failed from the log
    bool terminalFromSnapshot = false;  // the hub's fallback: event missing in the log
    bool done = false;
    int badStatus = 0;
};

struct FleetReport {
    std::vector<FeedRecord> feeds;
    std::vector<OpSession> sessions;
};

struct FleetStats {
    std::atomic<uint64_t> frames{0}, connects{0}, reconnects{0}, sessions{0}, badStatus{0};
};

class SseFleet : public QObject {
public:
    struct FeedSpec {
        std::string projectId;
        bool logs = false;
        bool reconnecting = false;
    };
    SseFleet(quint16 port, std::vector<FeedSpec> feeds, int opClients, FleetStats& stats, quint32 seed);
    ~SseFleet() override;

    void start();            // opens every feed; op clients start one by one
    void stopNewSessions();  // no new op sessions, no more planned feed drops
    bool allSessionsDone() const;
    FleetReport report() const;

private:
    struct Feed;
    struct OpClient;
    void openFeed(Feed& f, bool reconnect);
    void onFeedFrame(Feed& f, const SoakSseFrame& frame);
    void scheduleDrop(Feed& f);
    void scheduleSession(OpClient& c, int minMs, int maxMs);
    void startSession(OpClient& c);
    void openSession(OpClient& c);
    void onSessionFrame(OpClient& c, const SoakSseFrame& frame);
    void onSessionClosed(OpClient& c, int status);
    int between(int lo, int hi) { return lo + int(m_rng.bounded(quint32(hi - lo + 1))); }

    quint16 m_port;
    FleetStats& m_stats;
    QRandomGenerator m_rng;
    std::vector<FeedSpec> m_specs;
    int m_opClientCount = 0;
    std::vector<std::unique_ptr<Feed>> m_feeds;
    std::vector<std::unique_ptr<OpClient>> m_opClients;
    std::vector<OpSession> m_done;
    std::deque<std::string> m_recentOps;  // newest last
    bool m_stopping = false;
};

}  // namespace paas::soak
