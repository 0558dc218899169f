#pragma once
// Config: the resolved runtime configuration of one paas instance.
//
// Contract: a plain value filled once at startup by the app (flag > env >
// default, see app/options.cpp) and then only read. Every engine component
// takes what it needs from it by const reference. Thread-safe once built.
#include <QByteArray>
#include <QHostAddress>
#include <QString>

namespace paas {

struct Config {
    // HTTP API
    QString listenHost = QStringLiteral("127.0.0.1");
    quint16 listenPort = 8080;  // 0 picks a free port
    bool headless = false;
    // PAAS_API_TOKEN, or <root>/.paas/api-token (0600): when set, every request
    // needs "Authorization: Bearer <token>". Required beyond loopback. Never
    // printed, never returned.
    QByteArray apiToken;

    // Storage
    QString artifactsRoot;            // <root>/<projectId>/...
    QString stateDir;                 // parent of the default NATS store dir
    QString natsStoreDir;             // JetStream store (child server)
    bool natsStoreEphemeral = false;  // removed on exit
    QString natsUrl;                  // non-empty: join this server, start no child
    QString natsServerBin;            // explicit nats-server binary
    int natsMemoryLimitMiB = 96;      // PAAS_NATS_MEMORY_LIMIT_MB: the child's GOMEMLIMIT (0 = none)
    int natsReplicas = 1;             // PAAS_NATS_REPLICAS: replicas of every stream and KV bucket

    // Cluster (docs/SCALING.md)
    QString role = QStringLiteral("all");  // PAAS_ROLE / --role: all, api (no steps) or worker (no API, no UI)
    QString instanceId;                    // PAAS_INSTANCE_ID; "" = one kept in <stateDir>/instances
    int workAckWaitMs = 30000;             // PAAS_WORK_ACK_WAIT_MS: a dead worker's step is redelivered after this
    int leaseTtlMs = 10000;                // PAAS_LEASE_TTL_MS: a dead lease holder is replaced within this
    bool runsSteps() const { return role != QLatin1String("api"); }
    bool servesApi() const { return role != QLatin1String("worker"); }

    // Pipeline
    QString localApiBaseUrl;  // PAAS_LOCAL_API_BASE_URL (hooks), empty = actual listen URL
    QString builderModeRequested = QStringLiteral("buildkit");
    bool builderModeExplicit = false;
    QString buildkitAddr;                              // empty = try the default candidates
    QString buildNetwork = QStringLiteral("default");  // PAAS_BUILD_NETWORK: default, host or none
    QString imageRegistry;                             // PAAS_IMAGE_REGISTRY (host[:port][/path]): push builds there
    bool imageRegistryInsecure = false;                // PAAS_IMAGE_REGISTRY_INSECURE: plain HTTP allowed
    QString dockerConfigPath;  // $DOCKER_CONFIG/config.json or ~/.docker/config.json (registry logins)
    bool commitWatcherEnabled = false;
    int commitWatcherIntervalMs = 2000;
    int workerThreads = 0;  // 0 = max(2, cores)

    // Running environments (EnvironmentRunner)
    QString runNetwork;          // PAAS_RUN_NETWORK: bridge or host ("" = bridge when the engine has one)
    int runHealthTimeoutS = 60;  // PAAS_RUN_HEALTH_TIMEOUT_S
    int runPortFirst = 41000;    // PAAS_RUN_PORTS=first-last: URL and slot ports
    int runPortLast = 41999;

    // Realtime
    int sseHeartbeatMs = 15000;
    int sseMaxClients = 1000;
    int legacyWaitMs = 120000;  // legacy endpoints wait this long for their op

    bool listensBeyondLoopback() const
    {
        if (listenHost == QLatin1String("localhost"))
            return false;
        const QHostAddress address(listenHost);
        return address.isNull() || !address.isLoopback();
    }
    QString apiTokenFile() const { return artifactsRoot + QStringLiteral("/.paas/api-token"); }

    QString listenUrl() const
    {
        const bool v6 = listenHost.contains(QLatin1Char(':'));
        return QStringLiteral("http://%1:%2").arg(v6 ? "[" + listenHost + "]" : listenHost).arg(listenPort);
    }
};

}  // namespace paas
