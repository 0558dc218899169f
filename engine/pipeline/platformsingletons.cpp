// Platform: the singletons of a shared cluster (docs/SCALING.md) — crash
// recovery and the commit watcher run on the one instance holding their
// lease in paas_leases (KvLease), started and stopped by it.
#include "engine/pipeline/commitwatcher.h"
#include "engine/pipeline/orchestrator.h"
#include "engine/pipeline/platform.h"
#include "engine/store/backend.h"
#include "engine/store/kvlease.h"

#include <QDateTime>
#include <QDebug>

#include <algorithm>
#include <chrono>

namespace paas {

void Platform::startSingletons()
{
    const std::string self = m_config.instanceId.toStdString();
    m_recoveryLease = std::make_unique<KvLease>(m_backend.leases(), "recovery", self, m_config.leaseTtlMs);
    m_recoveryLease->start([this] { startRecoveryPasses(); }, [this] { stopRecoveryPasses(); });
    if (!m_config.commitWatcherEnabled)
        return;
    m_watcherLease = std::make_unique<KvLease>(m_backend.leases(), "watcher", self, m_config.leaseTtlMs);
    m_watcherLease->start(
        [this] {
            std::lock_guard lock(m_watcherMutex);
            m_watcher = std::make_unique<CommitWatcher>(*this, m_config.commitWatcherIntervalMs);
            m_watcher->start();
        },
        [this] {
            std::lock_guard lock(m_watcherMutex);
            m_watcher.reset();
        });
}

void Platform::startRecoveryPasses()
{
    std::lock_guard lock(m_recoveryMutex);
    if (m_recovery.joinable())
        m_recovery.join();
    m_recoveryStop = false;
    // The first pass looks at every project; later ones only at projects
    // with unfinished ops (from memory), so a pass costs what is in flight,
    // not what is stored. Ops younger than the ack wait may still be in the
    // middle of their acceptance on another instance: they are left alone.
    m_recovery = std::thread([this] {
        const auto pause = std::chrono::milliseconds(std::max(1000, m_config.workAckWaitMs));
        for (bool first = true; !m_recoveryStop.load(); first = false) {
            const std::string cutoff = QDateTime::currentDateTimeUtc()
                                           .addMSecs(-m_config.workAckWaitMs)
                                           .toString(Qt::ISODateWithMs)
                                           .toStdString();
            if (Status s = m_orchestrator->recover(cutoff, Orchestrator::Recovery::Shared, !first); !s)
                qWarning().noquote() << "recovery:" << QString::fromStdString(s.message());
            std::unique_lock wait(m_recoveryWaitMutex);
            m_recoveryWake.wait_for(wait, pause, [this] { return m_recoveryStop.load(); });
        }
    });
}

void Platform::stopRecoveryPasses()
{
    {
        std::lock_guard wait(m_recoveryWaitMutex);
        m_recoveryStop = true;
    }
    m_recoveryWake.notify_all();
}

nlohmann::json Platform::leases() const
{
    nlohmann::json j = nlohmann::json::object();
    if (m_recoveryLease)
        j["recovery"] = m_recoveryLease->holder();
    if (m_watcherLease)
        j["watcher"] = m_watcherLease->holder();
    return j;
}

}  // namespace paas
