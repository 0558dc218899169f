// SseHub upkeep: heartbeats, the stalled-reader check, and the counters.
#include "engine/api/ssehub.h"

#include "engine/api/sseconnection.h"
#include "engine/api/ssestate.h"

#include <QDateTime>

#include <mutex>
#include <set>

namespace paas::api {

namespace {
std::mutex& registryMutex()
{
    static std::mutex m;
    return m;
}
std::set<SseHub*>& registry()
{
    static std::set<SseHub*> hubs;
    return hubs;
}
}  // namespace

void registerHub(SseHub* hub)
{
    std::lock_guard lock(registryMutex());
    registry().insert(hub);
}

void unregisterHub(SseHub* hub)
{
    std::lock_guard lock(registryMutex());
    registry().erase(hub);
}

void SseHub::heartbeat()
{
    const std::string at = nowIso();
    for (auto& [id, c] : m_clients) {
        if (c->finished || !c->conn)
            continue;
        nlohmann::json data{{"type", "op.heartbeat"}, {"at", at}};
        if (!c->feed) {
            data["op_id"] = c->opId;
            data["project_id"] = c->projectId;
        }
        if (c->conn->send(formatSseFrame({0, "op.heartbeat", QByteArray::fromStdString(data.dump()), -1})))
            ++m_heartbeats;
    }
}

void SseHub::housekeeping()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (auto& [id, c] : m_clients) {
        if (c->finished || !c->conn)
            continue;
        const qint64 pending = c->conn->pendingBytes();
        const qint64 sent = c->conn->sentBytes();
        const bool drained = sent != c->sentAtCheck;  // the reader took bytes since the last check
        c->sentAtCheck = sent;
        const bool overHardCap = pending > 64 * m_options.stallBytes;
        if ((pending <= m_options.stallBytes || drained) && !overHardCap) {
            c->stalledSinceMs = 0;  // a reader that keeps draining is slow, not stalled
            continue;
        }
        if (c->stalledSinceMs == 0)
            c->stalledSinceMs = now;
        if (now - c->stalledSinceMs >= m_options.stallMs || overHardCap) {
            ++m_droppedStalled;
            markFinished(*c);
            c->conn->abort();  // a stalled reader is dropped, not buffered without bound
        }
    }
}

nlohmann::json SseHub::counters() const
{
    return {{"sse_clients", m_opClients.load() + m_feedClients.load()},
            {"sse_op_clients", m_opClients.load()},
            {"sse_feed_clients", m_feedClients.load()},
            {"sse_channels", m_channelCount.load()},
            {"sse_accepted_total", m_accepted.load()},
            {"sse_closed_total", m_closed.load()},
            {"sse_rejected_busy_total", m_rejectedBusy.load()},
            {"sse_dropped_stalled_total", m_droppedStalled.load()},
            {"sse_frames_sent_total", m_framesSent.load()},
            {"sse_heartbeats_total", m_heartbeats.load()},
            {"sse_replays_cancelled_total", m_replaysCancelled.load()},
            {"event_log", m_log.counters()}};
}

nlohmann::json SseHub::processCounters()
{
    std::lock_guard lock(registryMutex());
    nlohmann::json sum = nlohmann::json::object();
    auto add = [](nlohmann::json& into, const nlohmann::json& from, auto& self) -> void {
        if (!into.is_object())
            into = nlohmann::json::object();
        for (auto it = from.begin(); it != from.end(); ++it) {
            if (it->is_object())
                self(into[it.key()], *it, self);
            else if (it->is_number())
                into[it.key()] = into.value(it.key(), int64_t(0)) + it->get<int64_t>();
        }
    };
    for (SseHub* hub : registry())
        add(sum, hub->counters(), add);
    sum["sse_hubs"] = registry().size();
    return sum;
}

}  // namespace paas::api
