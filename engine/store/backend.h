#pragma once
// Backend: the JetStream backend of one paas instance.
//
// Contract:
//  - start() either starts a supervised nats-server child on the store dir
//    (embedded mode) or joins PAAS_NATS_URL (external mode), connects, and
//    creates the KV buckets and streams of docs/ARCHITECTURE.md (idempotent).
//  - In embedded mode the store dir is locked (QLockFile): a second instance
//    on the same dir gets a clear "store_locked" error and touches nothing.
//  - health() is "ok" when connected, answering the liveness probe
//    (NatsClient::responsive()) and the child (if any) runs, else
//    "degraded". Every JetStream call is bounded (NatsClient::kCallTimeoutMs).
//  - stop() drains the connection and stops the child, bounded (< 5 s).
// Thread affinity: start()/stop() on the thread that owns the object (the
// main thread, it owns the child QProcess). The accessors are thread-safe.
#include "engine/core/config.h"
#include "engine/core/status.h"
#include "engine/store/kvstore.h"
#include "engine/store/natsclient.h"

#include <nlohmann/json.hpp>

#include <QElapsedTimer>
#include <QObject>

#include <memory>

class QLockFile;
class QTemporaryDir;

namespace paas {

class NatsServerProcess;

namespace names {
inline constexpr const char* kProjectsBucket = "paas_projects";
inline constexpr const char* kOpsBucket = "paas_ops";
inline constexpr const char* kCommitsBucket = "paas_commits";
inline constexpr const char* kReleasesBucket = "paas_releases";
// Running environments: <project>.<env> -> ports and container; port.<block> -> owner.
inline constexpr const char* kRunsBucket = "paas_runs";
// Singleton leases (recovery, commit watcher), with a per-bucket TTL.
inline constexpr const char* kLeasesBucket = "paas_leases";
// The delivery guard: delivery.<project>.<env> -> the op that holds it.
inline constexpr const char* kGuardsBucket = "paas_guards";
inline constexpr const char* kWorkStream = "PAAS_WORK";
inline constexpr const char* kWorkSubjectPrefix = "paas.work.";
inline constexpr const char* kEventsStream = "PAAS_EVENTS";
inline constexpr const char* kEventsSubjectPrefix = "paas.events.";
inline constexpr const char* kQueueStream = "PAAS_QUEUE";
inline constexpr const char* kQueueSubjectPrefix = "paas.queue.";
}  // namespace names

class Backend : public QObject {
    Q_OBJECT
public:
    explicit Backend(const Config& config, QObject* parent = nullptr);
    ~Backend() override;

    Status start();
    void stop();

    NatsClient& client() const { return *m_client; }
    KvStore& projects() const { return *m_projects; }
    KvStore& ops() const { return *m_ops; }
    KvStore& commits() const { return *m_commits; }
    KvStore& releases() const { return *m_releases; }
    KvStore& runs() const { return *m_runs; }
    KvStore& leases() const { return *m_leases; }
    KvStore& guards() const { return *m_guards; }

    bool embedded() const { return m_child != nullptr; }
    std::string health() const;
    nlohmann::json describe() const;
    QString summaryLine() const;  // the "NATS: ..." startup line
    qint64 uptimeSeconds() const { return m_uptime.elapsed() / 1000; }

Q_SIGNALS:
    // The supervised nats-server crashed and was restarted (main thread).
    // Its last acknowledged writes may be lost (nats-server 2.9 buffers the
    // file store), so the pipeline re-runs its recovery.
    void childRestarted();

private:
    Status startChild();
    Status setupJetStream();

    const Config& m_config;
    QString m_storeDir;
    std::unique_ptr<QTemporaryDir> m_tempStore;
    std::unique_ptr<QLockFile> m_lock;
    NatsServerProcess* m_child = nullptr;
    std::unique_ptr<NatsClient> m_client;
    std::unique_ptr<KvStore> m_projects, m_ops, m_commits, m_releases, m_runs, m_leases, m_guards;
    QElapsedTimer m_uptime;
};

}  // namespace paas
