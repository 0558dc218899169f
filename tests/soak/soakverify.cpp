#include "tests/soak/soakverify.h"

#include "tests/soak/soaksseclient.h"

#include <nlohmann/json.hpp>

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <set>

namespace paas::soak {

namespace {

void sample(SseCheck& c, const std::string& what)
{
    if (c.samples.size() < 12)
        c.samples.push_back(what);
}

std::string firstMissing(const std::vector<uint64_t>& expected, const std::set<uint64_t>& seen)
{
    std::string out;
    int n = 0;
    for (uint64_t id : expected)
        if (!seen.count(id) && n++ < 5)
            out += (out.empty() ? "" : ",") + std::to_string(id);
    return out;
}

void checkFeed(SseCheck& c, const EventLogMap& log, const FeedRecord& f)
{
    ++c.feedClients;
    c.feedEventsSeen += f.ids.size();
    c.feedDisorder += f.duplicatesOrBackwards;
    c.feedReconnects += f.connections - 1;
    c.feedServerCloses += f.serverCloses;
    if (f.ids.empty())
        return;
    const std::set<uint64_t> seen(f.ids.begin(), f.ids.end());
    std::vector<uint64_t> expected;
    for (auto it = log.upper_bound(f.ids.front()); it != log.end(); ++it) {
        const LogEvent& e = it->second;
        if ((f.logs || e.type != "step.log") && (f.projectId.empty() || f.projectId == e.projectId))
            expected.push_back(it->first);
    }
    uint64_t missed = 0;
    for (uint64_t id : expected)
        missed += seen.count(id) ? 0 : 1;
    const std::set<uint64_t> want(expected.begin(), expected.end());
    uint64_t unexpected = 0;
    for (uint64_t id : seen)
        unexpected += (id != f.ids.front() && !want.count(id)) ? 1 : 0;
    c.feedMissed += missed;
    c.feedUnexpected += unexpected;
    if (missed) {
        ++c.feedClientsMissing;
        sample(c, "feed project=" + (f.projectId.empty() ? std::string("*") : f.projectId) +
                      " logs=" + std::to_string(f.logs) + " connections=" + std::to_string(f.connections) + " missed " +
                      std::to_string(missed) + " of " + std::to_string(expected.size()) +
                      " (first: " + firstMissing(expected, seen) + ")");
    }
}

void checkSession(SseCheck& c, const std::map<std::string, std::vector<uint64_t>>& byOp, const OpSession& s)
{
    ++c.sessions;
    c.sessionDisorder += s.duplicatesOrBackwards;
    c.sessionBadStatus += s.badStatus;
    c.sessionsResumed += s.connections > 1 ? 1 : 0;
    c.sessionsSnapshotEnd += s.terminalFromSnapshot ? 1 : 0;
    if (!s.done) {
        ++c.sessionsUnfinished;
        sample(c, "op stream " + s.opId + " never ended (" + std::to_string(s.connections) + " connections)");
    }
    const auto it = byOp.find(s.opId);
    const std::vector<uint64_t> expected = it == byOp.end() ? std::vector<uint64_t>{} : it->second;
    const std::set<uint64_t> seen(s.ids.begin(), s.ids.end());
    uint64_t missed = 0;
    for (uint64_t id : expected)
        missed += seen.count(id) ? 0 : 1;
    const std::set<uint64_t> want(expected.begin(), expected.end());
    for (uint64_t id : seen)
        c.sessionUnexpected += want.count(id) ? 0 : 1;
    c.sessionMissed += missed;
    if (missed) {
        ++c.sessionsMissing;
        sample(c, "op stream " + s.opId + " connections=" + std::to_string(s.connections) + " missed " +
                      std::to_string(missed) + " of " + std::to_string(expected.size()) +
                      " (first: " + firstMissing(expected, seen) + ")");
    }
}

}  // namespace

EventLogMap readEventLog(quint16 port, uint64_t after, uint64_t untilId, int quietMs, int timeoutMs)
{
    EventLogMap log;
    SoakSseClient client(port);
    QElapsedTimer total, quiet;
    total.start();
    quiet.start();
    client.onFrame = [&](const SoakSseFrame& f) {
        quiet.restart();
        if (!f.id)
            return;
        const nlohmann::json d = nlohmann::json::parse(f.data.constData(), nullptr, false);
        if (d.is_object())
            log[f.id] = LogEvent{d.value("op_id", ""), d.value("project_id", ""), d.value("type", "")};
    };
    client.open("/api/events?logs=1", after);
    while (total.elapsed() < timeoutMs && quiet.elapsed() < quietMs && (log.empty() || log.rbegin()->first < untilId))
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
    client.abort();
    return log;
}

SseCheck checkSse(const EventLogMap& log, const std::vector<FleetReport>& reports)
{
    SseCheck c;
    std::map<std::string, std::vector<uint64_t>> byOp;
    for (const auto& [id, e] : log)
        byOp[e.opId].push_back(id);
    for (const FleetReport& r : reports) {
        for (const FeedRecord& f : r.feeds)
            checkFeed(c, log, f);
        for (const OpSession& s : r.sessions)
            checkSession(c, byOp, s);
    }
    return c;
}

}  // namespace paas::soak
