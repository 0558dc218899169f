#include "engine/store/backend.h"

#include "engine/store/natsserverprocess.h"

#include <QDeadlineTimer>
#include <QDebug>
#include <QDir>
#include <QLockFile>
#include <QTemporaryDir>
#include <QThread>

namespace paas {

Backend::Backend(const Config& config, QObject* parent) : QObject(parent), m_config(config)
{
    m_uptime.start();
}

Backend::~Backend()
{
    stop();
}

Status Backend::start()
{
    std::string url = m_config.natsUrl.toStdString();
    if (url.empty()) {
        if (Status s = startChild(); !s)
            return s;
        url = m_child->url().toStdString();
    }
    Result<std::unique_ptr<NatsClient>> client = NatsClient::connect(url, 10000);
    if (!client)
        return Status::unavailable("nats_connect",
                                   client.status().message() + (m_child ? "" : "; check PAAS_NATS_URL"));
    m_client = std::move(client.value());
    m_client->startProbe();
    // A cluster that is starting, or electing a leader after losing a node,
    // answers JetStream requests with timeouts for a few seconds: wait for
    // it (bounded) instead of failing the start.
    const QDeadlineTimer deadline(m_child ? 0 : 30000);
    for (;;) {
        Status s = setupJetStream();
        if (s || s.code() != Status::Code::Unavailable || deadline.hasExpired())
            return s;
        qInfo().noquote() << "NATS: JetStream is not answering yet (" << QString::fromStdString(s.message())
                          << "); retrying";
        QThread::msleep(500);
    }
}

Status Backend::startChild()
{
    Result<QString> binary = NatsServerProcess::findBinary(m_config.natsServerBin);
    if (!binary)
        return binary.status();
    if (m_config.natsStoreEphemeral) {
        m_tempStore = std::make_unique<QTemporaryDir>(QDir::tempPath() + "/paas-nats-XXXXXX");
        if (!m_tempStore->isValid())
            return Status::invalidArgument("nats_store_dir", "cannot create a temporary NATS store dir");
        m_storeDir = m_tempStore->path();
    } else {
        m_storeDir = m_config.natsStoreDir;
        if (!QDir().mkpath(m_storeDir))
            return Status::invalidArgument("nats_store_dir", "PAAS_NATS_STORE_DIR " + m_storeDir.toStdString() +
                                                                 " cannot be created; choose a writable directory");
    }
    m_lock = std::make_unique<QLockFile>(m_storeDir + "/paas.lock");
    if (!m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host, app;
        m_lock->getLockInfo(&pid, &host, &app);
        return Status::conflict("store_locked", "another paas instance (pid " + std::to_string(pid) +
                                                    ") is using the NATS store dir " + m_storeDir.toStdString() +
                                                    "; stop it, or set PAAS_NATS_STORE_DIR to another directory");
    }
    m_child = new NatsServerProcess({*binary, m_storeDir + "/jetstream", 0, m_config.natsMemoryLimitMiB}, this);
    connect(m_child, &NatsServerProcess::restarted, this, &Backend::childRestarted);
    return m_child->start();
}

Status Backend::setupJetStream()
{
    using namespace names;
    const int64_t day = int64_t(24) * 3600 * 1000000000;
    const int replicas = m_config.natsReplicas;
    m_client->setLeaderReads(replicas > 1);
    const StreamSpec streams[] = {
        {kWorkStream, {std::string(kWorkSubjectPrefix) + ">"}, true, -1, 0, -1, false, replicas},
        {kEventsStream,
         {std::string(kEventsSubjectPrefix) + ">"},
         false,
         1000000,
         7 * day,
         512LL * 1024 * 1024,
         false,
         replicas},
        // Each project's queue of unfinished ops, in acceptance order (one
        // subject per project; a message leaves when its op leaves the queue).
        {kQueueStream, {std::string(kQueueSubjectPrefix) + ">"}, false, -1, 0, -1, true, replicas},
    };
    for (const StreamSpec& spec : streams)
        if (Status s = m_client->ensureStream(spec); !s)
            return s;
    struct BucketSlot {
        const char* name;
        int64_t ttlMs;
        std::unique_ptr<KvStore>* slot;
    };
    const BucketSlot buckets[] = {
        {kProjectsBucket, 0, &m_projects}, {kOpsBucket, 0, &m_ops},   {kCommitsBucket, 0, &m_commits},
        {kReleasesBucket, 0, &m_releases}, {kRunsBucket, 0, &m_runs}, {kLeasesBucket, m_config.leaseTtlMs, &m_leases},
        {kGuardsBucket, 0, &m_guards},
    };
    for (const BucketSlot& b : buckets) {
        Result<std::unique_ptr<KvStore>> kv = m_client->openBucket({b.name, 1, replicas, b.ttlMs});
        if (!kv)
            return kv.status();
        *b.slot = std::move(kv.value());
    }
    return Status::ok();
}

void Backend::stop()
{
    m_projects.reset();
    m_ops.reset();
    m_commits.reset();
    m_releases.reset();
    m_runs.reset();
    m_leases.reset();
    m_guards.reset();
    if (m_client) {
        m_client->drainAndClose(1500);
        m_client.reset();
    }
    if (m_child) {
        m_child->stop(2500);
        delete m_child;
        m_child = nullptr;
    }
    if (m_lock)
        m_lock->unlock();
    m_lock.reset();
    m_tempStore.reset();  // removes an ephemeral store
}

std::string Backend::health() const
{
    const bool childOk = !m_child || m_child->running();
    return (m_client && m_client->responsive() && childOk) ? "ok" : "degraded";
}

nlohmann::json Backend::describe() const
{
    nlohmann::json j{{"mode", m_child ? "embedded" : "external"},
                     {"url", m_client ? m_client->url() : m_config.natsUrl.toStdString()},
                     {"connected", m_client && m_client->connected()},
                     {"responsive", m_client && m_client->responsive()},
                     {"replicas", m_config.natsReplicas},
                     {"setting_warnings", m_client ? m_client->settingWarnings() : std::vector<std::string>{}}};
    if (m_child) {
        j["pid"] = m_child->pid();
        j["port"] = m_child->port();
        j["store_dir"] = m_storeDir.toStdString();
        j["ephemeral"] = m_config.natsStoreEphemeral;
        j["restarts"] = m_child->restartCount();
        j["memory_limit"] = m_child->memoryLimit().toStdString();
    }
    return j;
}

QString Backend::summaryLine() const
{
    if (!m_child)
        return QStringLiteral("NATS: external %1 (replicas %2)").arg(m_config.natsUrl).arg(m_config.natsReplicas);
    return QStringLiteral("NATS: embedded child pid %1 port %2 store %3%4")
        .arg(m_child->pid())
        .arg(m_child->port())
        .arg(m_storeDir)
        .arg(m_config.natsStoreEphemeral ? QStringLiteral(" (ephemeral)") : QString());
}

}  // namespace paas
