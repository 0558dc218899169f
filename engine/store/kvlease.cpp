#include "engine/store/kvlease.h"

#include <nlohmann/json.hpp>

#include <QDebug>

namespace paas {

KvLease::KvLease(KvStore& bucket, std::string name, std::string holder, int ttlMs)
    : m_bucket(bucket), m_name(std::move(name)), m_self(std::move(holder)), m_ttlMs(ttlMs)
{
}

KvLease::~KvLease()
{
    stop();
}

void KvLease::start(std::function<void()> onAcquired, std::function<void()> onLost)
{
    m_onAcquired = std::move(onAcquired);
    m_onLost = std::move(onLost);
    m_thread = std::thread([this] { loop(); });
}

std::string KvLease::holder() const
{
    std::lock_guard lock(m_mutex);
    return m_holder;
}

void KvLease::loop()
{
    std::unique_lock lock(m_mutex);
    while (!m_stop) {
        lock.unlock();
        if (m_held)
            renew();
        else
            tryAcquire();
        lock.lock();
        m_wake.wait_for(lock, std::chrono::milliseconds(m_ttlMs / 3), [this] { return m_stop; });
    }
}

void KvLease::tryAcquire()
{
    const std::string value = nlohmann::json{{"holder", m_self}}.dump();
    Result<uint64_t> created = m_bucket.create(m_name, value);
    if (created) {
        m_revision = *created;
        m_renewedAt = std::chrono::steady_clock::now();
        {
            std::lock_guard lock(m_mutex);
            m_holder = m_self;
        }
        m_held = true;
        qInfo().noquote() << QString::fromStdString("Lease: " + m_name + " taken by this instance (" + m_self + ")");
        if (m_onAcquired)
            m_onAcquired();
        return;
    }
    if (Result<KvEntry> current = m_bucket.get(m_name); current) {
        const nlohmann::json j = nlohmann::json::parse(current->value, nullptr, false);
        std::lock_guard lock(m_mutex);
        m_holder = j.is_object() ? j.value("holder", "") : "";
    }
}

void KvLease::renew()
{
    const std::string value = nlohmann::json{{"holder", m_self}}.dump();
    Result<uint64_t> renewed = m_bucket.update(m_name, value, m_revision);
    if (renewed) {
        m_revision = *renewed;
        m_renewedAt = std::chrono::steady_clock::now();
        return;
    }
    if (renewed.status().code() == Status::Code::Unavailable &&
        std::chrono::steady_clock::now() - m_renewedAt < std::chrono::milliseconds(m_ttlMs * 2 / 3))
        return;  // the backend may come back before the key expires
    lose(renewed.status().message());
}

void KvLease::lose(const std::string& why)
{
    if (!m_held.exchange(false))
        return;
    qInfo().noquote() << QString::fromStdString("Lease: " + m_name + " lost by this instance (" + why + ")");
    if (m_onLost)
        m_onLost();
}

void KvLease::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stop)
            return;
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    if (!m_held)
        return;
    lose("stopping");
    if (Result<KvEntry> current = m_bucket.get(m_name); current && current->revision == m_revision)
        m_bucket.remove(m_name);  // hand over at once instead of after the TTL
}

}  // namespace paas
