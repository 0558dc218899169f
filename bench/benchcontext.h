#pragma once
// BenchContext: one real paas instance for the benchmarks (the binary next to
// paas_bench, headless, on a free port, with a throwaway store), plus a NATS
// connection to its embedded server so a benchmark can publish directly.
// Thread affinity: the bench's main thread; nats() is thread-safe.
#include "engine/store/natsclient.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>
#include <vector>

namespace paas::bench {

class BenchContext {
public:
    BenchContext();
    ~BenchContext();

    // Starts the app (bounded); false with a message in *error.
    bool start(QString* error);
    void stop();

    quint16 port() const { return m_port; }
    QString url() const { return m_url; }
    qint64 appPid() const { return m_app ? m_app->processId() : 0; }
    NatsClient& nats() { return *m_nats; }

    nlohmann::json get(const QString& path, int* status = nullptr);
    // Resident set size of the app process, KiB (/proc/<pid>/status VmRSS).
    qint64 appRssKiB() const;
    // Writes an op record the SSE endpoint can serve (status running).
    bool putRunningOp(const std::string& opId, const std::string& projectId);

    // Prints "  <name> .... <value> <unit>".
    static void figure(const QString& name, double value, const QString& unit);

private:
    QTemporaryDir m_root;
    std::unique_ptr<QProcess> m_app;
    std::unique_ptr<NatsClient> m_nats;
    QString m_url;
    quint16 m_port = 0;
};

// p in [0, 100] of the samples (nearest rank); 0 for none.
double percentile(std::vector<double> samples, double p);

}  // namespace paas::bench
