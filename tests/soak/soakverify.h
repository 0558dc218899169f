#pragma once
// The soak's end-of-run checks of the SSE contract. The reference is the
// event log itself, read back in one replay of GET /api/events?logs=1 after
// the load has stopped and every op has ended:
//  - a feed client must have seen, in increasing order and once each, every
//    event of the log its filter accepts after the first id it saw (its
//    Last-Event-ID reconnects included);
//  - an op stream session must have seen every event of its op, in order,
//    once, and ended with the terminal event from the log.
// Thread affinity: readEventLog() uses the calling thread's event loop.
#include "tests/soak/ssefleet.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace paas::soak {

struct LogEvent {
    std::string opId;
    std::string projectId;
    std::string type;
};
using EventLogMap = std::map<uint64_t, LogEvent>;

// Every event after id `after`, until id `untilId` has arrived (or nothing
// came for quietMs, or timeoutMs passed).
EventLogMap readEventLog(quint16 port, uint64_t after, uint64_t untilId, int quietMs = 5000, int timeoutMs = 120000);

struct SseCheck {
    int feedClients = 0, feedClientsMissing = 0;
    uint64_t feedEventsSeen = 0, feedMissed = 0, feedUnexpected = 0, feedDisorder = 0;
    int feedReconnects = 0, feedServerCloses = 0;
    int sessions = 0, sessionsMissing = 0, sessionsUnfinished = 0, sessionsSnapshotEnd = 0, sessionsResumed = 0;
    uint64_t sessionMissed = 0, sessionUnexpected = 0, sessionDisorder = 0, sessionBadStatus = 0;
    std::vector<std::string> samples;  // the first few problems, readable
    int clientsWithMissedEvents() const { return feedClientsMissing + sessionsMissing; }
    bool ok() const
    {
        return clientsWithMissedEvents() == 0 && feedUnexpected == 0 && feedDisorder == 0 && sessionsUnfinished == 0 &&
               sessionsSnapshotEnd == 0 && sessionUnexpected == 0 && sessionDisorder == 0 && sessionBadStatus == 0;
    }
};

SseCheck checkSse(const EventLogMap& log, const std::vector<FleetReport>& reports);

}  // namespace paas::soak
