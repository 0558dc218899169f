#include "bench/opwatcher.h"

#include "bench/benchcontext.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string_view>

namespace paas::bench {

OpWatcher::~OpWatcher()
{
    if (!m_sub)
        return;
    if (natsSubscription_Drain(m_sub) == NATS_OK)
        natsSubscription_WaitForDrainCompletion(m_sub, 5000);
    natsSubscription_Destroy(m_sub);
}

bool OpWatcher::start()
{
    if (natsConnection_Subscribe(&m_sub, m_nats.connection(), "paas.events.>", &OpWatcher::onMessage, this) != NATS_OK)
        return false;
    natsSubscription_SetPendingLimits(m_sub, 1 << 20, 1 << 30);  // never drop an event under SSE load
    return natsConnection_FlushTimeout(m_nats.connection(), 5000) == NATS_OK;
}

void OpWatcher::onMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* self)
{
    static_cast<OpWatcher*>(self)->record(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
    natsMsg_Destroy(msg);
}

void OpWatcher::record(const char* data, int length)
{
    const int64_t now = steadyNs();  // before parsing
    const std::string_view text(data, static_cast<size_t>(length));
    if (text.find("\"op.completed\"") == std::string_view::npos && text.find("\"op.failed\"") == std::string_view::npos)
        return;
    const nlohmann::json event = nlohmann::json::parse(text, nullptr, false);
    if (!event.is_object())
        return;
    const std::string type = event.value("type", "");
    if (type != "op.completed" && type != "op.failed")
        return;
    {
        std::lock_guard lock(m_mutex);
        m_ends.emplace(event.value("op_id", ""), End{type == "op.completed" ? "completed" : "failed", now});
    }
    m_ended.notify_all();
}

OpWatcher::End OpWatcher::waitFor(const std::string& opId, int timeoutMs)
{
    std::unique_lock lock(m_mutex);
    End out;
    m_ended.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] {
        const auto it = m_ends.find(opId);
        if (it != m_ends.end())
            out = it->second;
        return it != m_ends.end();
    });
    return out;
}

size_t OpWatcher::waitAll(const std::vector<std::string>& ids, int timeoutMs)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    size_t notCompleted = 0;
    for (const std::string& id : ids) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        notCompleted += waitFor(id, static_cast<int>(std::max<int64_t>(0, left.count()))).status != "completed";
    }
    return notCompleted;
}

size_t OpWatcher::endedCount() const
{
    std::lock_guard lock(m_mutex);
    return m_ends.size();
}

}  // namespace paas::bench
