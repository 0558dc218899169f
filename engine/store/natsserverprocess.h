#pragma once
// NatsServerProcess: starts and supervises a `nats-server -js` child.
//
// Contract:
//  - start() launches `nats-server -js -a 127.0.0.1 -p <port> -sd <storeDir>`
//    and blocks (bounded) until the server logs that it is ready; a missing
//    binary, a port in use or an early exit is a clear error value.
//  - If the child exits while it should be running, it is restarted on the
//    same port with exponential backoff (250 ms .. 5 s), so nats.c clients
//    reconnect by themselves; running() reflects the gap.
//  - stop() (and the destructor) ends the child: SIGTERM, then SIGKILL after
//    the timeout. No orphan is left.
//  - The child dies with the app however the app dies (childguard.h: Linux
//    PR_SET_PDEATHSIG plus a portable pipe watch), and its pid is recorded in
//    <storeDir>/nats-server.pid; start() first stops a leftover server of a
//    dead app recorded there, so no store is ever opened by two servers.
// Thread affinity: create and use on one thread that runs an event loop
// (the app's main thread). Signals are emitted on that thread. pid(),
// running(), restartCount(), port(), url() and pidFile() may be called from
// any thread (Backend::health()/describe() run on the API thread): they read
// a snapshot the owning thread publishes, never the QProcess, which a
// restart deletes.
#include "engine/core/status.h"
#include "engine/store/childguard.h"

#include <QObject>
#include <QProcess>
#include <QString>

#include <atomic>

class QTimer;

namespace paas {

class NatsServerProcess : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString binary;
        QString storeDir;
        quint16 port = 0;  // 0 = pick a free loopback port
        // The Go runtime's soft memory limit (GOMEMLIMIT) of the child, unless
        // the environment already sets one; 0 = none. Without it the server's
        // heap grows with its write volume between collections (docs/RELIABILITY.md, soak).
        int memoryLimitMiB = 0;
    };

    // PAAS_NATS_SERVER_BIN (explicit), then next to the executable, then PATH.
    static Result<QString> findBinary(const QString& explicitBinary);

    explicit NatsServerProcess(Options options, QObject* parent = nullptr);
    ~NatsServerProcess() override;

    Status start(int readyTimeoutMs = 10000);
    void stop(int timeoutMs = 3000);

    QString url() const;
    QString pidFile() const;
    quint16 port() const { return m_options.port; }
    qint64 pid() const { return m_pid.load(); }
    bool running() const { return m_running.load(); }
    int restartCount() const { return m_restarts.load(); }
    // The child's GOMEMLIMIT ("96MiB", the environment's own, or empty);
    // fixed at construction, so any thread may read it.
    const QString& memoryLimit() const { return m_memoryLimit; }

Q_SIGNALS:
    void exitedUnexpectedly(int exitCode);
    void restarted();

private:
    Status launch(int readyTimeoutMs);
    void onFinished(int exitCode);
    void scheduleRestart();

    Options m_options;
    QString m_memoryLimit;
    QProcess* m_process = nullptr;
    QTimer* m_restartTimer = nullptr;
    bool m_stopping = false;
    // The snapshot for other threads, written on the owning thread only.
    std::atomic<qint64> m_pid{0};
    std::atomic<bool> m_running{false};  // ready, and not waiting to restart
    std::atomic<int> m_restarts{0};
    int m_backoffMs = 250;
    QByteArray m_lastOutput;
    childguard::ParentWatch m_watch;
};

}  // namespace paas
