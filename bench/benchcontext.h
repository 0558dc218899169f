#pragma once
// BenchContext: one real paas instance for the benchmarks (the binary next to
// paas_bench, headless, artifact mode, on a free port, with a throwaway store
// in a temporary folder), plus a NATS connection to its embedded server so a
// benchmark can publish and subscribe directly.
//
// Contract:
//  - start() starts the app and returns once it printed "API listening"
//    (bounded, 60 s); coldStartMs() is the time from QProcess::start() to
//    that line. It raises this process's open-file limit to the hard limit
//    first (the app inherits it): the SSE rows hold 1,000 sockets each side.
//  - stop() (or the destructor) terminates the app; its folder is removed.
//  - get() is a bounded GET on a keep-alive connection (HttpLoad).
//  - Memory: VmRSS from /proc of the app and of its nats-server child (the
//    child of the app whose comm is "nats-server").
//  - figure()/note() print progress lines on stderr; stdout is kept for the
//    result table.
// Thread affinity: the bench's main thread; nats() is thread-safe.
#include "engine/store/natsclient.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace paas::bench {

class HttpLoad;

class BenchContext {
public:
    BenchContext();
    ~BenchContext();

    // An environment variable for the app, over the defaults (artifact mode,
    // ...); before start().
    void setAppEnv(const QString& name, const QString& value) { m_appEnv.insert(name, value); }
    bool start(QString* error);
    void stop();

    quint16 port() const { return m_port; }
    QString url() const { return m_url; }
    qint64 appPid() const { return m_app ? m_app->processId() : 0; }
    qint64 natsPid() const;
    double coldStartMs() const { return m_coldStartMs; }
    QString artifactsRoot() const { return m_artifactsRoot; }
    NatsClient& nats() { return *m_nats; }

    nlohmann::json get(const std::string& path, int* status = nullptr);
    qint64 appRssKiB() const { return rssKiB(appPid()); }
    qint64 natsRssKiB() const { return rssKiB(natsPid()); }
    // VmRSS of a process, KiB; -1 when unknown.
    static qint64 rssKiB(qint64 pid);
    // CPU time (user + system) a process has used, seconds; -1 when unknown.
    static double cpuSeconds(qint64 pid);
    // Flushes every dirty page of the machine (sync(2)) and waits for it, so
    // a latency phase does not pay for the writeback of the seeding before
    // it (or of a previous run's deleted store); prints how long it took.
    static void settleDisk();
    // Writes an op record the SSE endpoint can serve (status running).
    bool putRunningOp(const std::string& opId, const std::string& projectId);

    // Progress on stderr: "[  12.3 s]   <name> .... <value> <unit>".
    static void figure(const QString& name, double value, const QString& unit);
    static void note(const QString& line);

private:
    QTemporaryDir m_root;
    QProcessEnvironment m_appEnv;
    std::unique_ptr<QProcess> m_app;
    std::unique_ptr<NatsClient> m_nats;
    std::unique_ptr<HttpLoad> m_http;
    QString m_url, m_artifactsRoot;
    quint16 m_port = 0;
    double m_coldStartMs = 0;
};

// Nanoseconds on the steady clock (the clock every latency here uses).
int64_t steadyNs();
// "12.3" (printf %.*f).
std::string fixed(double value, int decimals = 1);
// p in [0, 100] of the samples (nearest rank); 0 for none.
double percentile(std::vector<double> samples, double p);

}  // namespace paas::bench
