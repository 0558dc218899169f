#pragma once
// ApiLoad: the soak's steady API traffic, at a fixed rate (one request per
// tick, default 50/s) on one QNetworkAccessManager:
//  - churn slots that each cycle a project through create -> update ->
//    update -> delete on POST /api/events/registration, polling
//    GET /api/ops/{id} until each op ends before the next step;
//  - between them, reads (projects list/get, a project's ops, ops, system,
//    healthz, an artifact) and source webhooks on the hook projects (HEAD of
//    main, which is mostly an already processed commit, or another branch).
// Every op answered 202 is remembered with the last status seen (ops()),
// so the soak can prove none is lost. Requests are timed per minute.
// A tick is skipped (and counted) when too many requests are in flight, so a
// slow server is never buried under a queue the load generator built.
// Thread affinity: the thread that created it (its event loop).
#include <nlohmann/json.hpp>

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QObject>
#include <QRandomGenerator>
#include <QTimer>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace paas::soak {

struct ApiMinute {
    std::vector<double> latencyMs;
    uint64_t requests = 0;
    uint64_t unexpected = 0;  // status not 2xx/304, or no answer
    uint64_t skipped = 0;     // ticks skipped: too many in flight
    uint64_t accepted = 0;    // 202 answers (new ops)
};

// The soak's App spec (static runtime, one dev environment).
nlohmann::json soakSpec(const std::string& name, const std::string& logLevel);

class ApiLoad : public QObject {
public:
    ApiLoad(const QString& baseUrl, std::vector<std::string> hookProjects, int ratePerS, int churnSlots, quint32 seed);
    ~ApiLoad() override;

    void start();
    void stop();  // no new requests; in-flight ones still finish
    int inFlight() const { return m_inFlight; }
    ApiMinute takeMinute();
    // op id -> last status seen (queued|running|completed|failed)
    std::map<std::string, std::string>& ops() { return m_ops; }
    const std::vector<std::string>& unexpectedSamples() const { return m_samples; }
    uint64_t totalUnexpected() const { return m_totalUnexpected; }

private:
    struct Churn;
    using Done = std::function<void(int status, const nlohmann::json& body)>;
    void tick();
    bool churnStep();
    void issueChurn(Churn& c);
    void filler();
    void send(const QByteArray& method, const QString& path, const nlohmann::json& body, Done done);
    void noteOp(const nlohmann::json& body);
    const std::string& anyHookProject();

    QString m_base;
    std::vector<std::string> m_hookProjects;
    std::vector<Churn> m_churn;
    QNetworkAccessManager m_nam;
    QTimer m_tick;
    QElapsedTimer m_clock;
    QRandomGenerator m_rng;
    std::map<std::string, std::string> m_ops;
    std::vector<std::string> m_recentOps;
    ApiMinute m_minute;
    std::vector<std::string> m_samples;
    uint64_t m_totalUnexpected = 0;
    int m_inFlight = 0;
};

}  // namespace paas::soak
