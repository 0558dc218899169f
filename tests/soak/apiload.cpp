#include "tests/soak/apiload.h"

#include <QNetworkReply>
#include <QNetworkRequest>

namespace paas::soak {

namespace {

constexpr int kMaxInFlight = 64;
constexpr int kPollMs = 250;
constexpr size_t kRecentOps = 64;
const char* const kSteps[] = {"create", "update", "update", "delete"};

bool terminal(const std::string& status)
{
    return status == "completed" || status == "failed" || status == "cancelled";
}

}  // namespace

nlohmann::json soakSpec(const std::string& name, const std::string& logLevel)
{
    return {{"apiVersion", "platform.example.com/v2"},
            {"kind", "App"},
            {"name", name},
            {"runtime", "static"},
            {"capabilities", {"http"}},
            {"environments", {{"dev", {{"vars", {{"LOG_LEVEL", logLevel}}}}}}},
            {"networkPolicies", {{"ingress", "internal"}, {"egress", "internal"}}}};
}

struct ApiLoad::Churn {
    int slot = 0;
    int generation = 0;
    int step = 0;      // index into kSteps
    std::string opId;  // the op being waited for
    qint64 dueMs = 0;
    bool busy = false;  // a request in flight
    std::string project() const { return "soak-churn-" + std::to_string(slot) + "-" + std::to_string(generation); }
};

ApiLoad::ApiLoad(const QString& baseUrl, std::vector<std::string> hookProjects, int ratePerS, int churnSlots,
                 quint32 seed)
    : m_base(baseUrl), m_hookProjects(std::move(hookProjects)), m_rng(seed)
{
    for (int i = 0; i < churnSlots; ++i) {
        Churn c;
        c.slot = i;
        c.dueMs = i * 500;
        m_churn.push_back(c);
    }
    m_tick.setTimerType(Qt::PreciseTimer);
    m_tick.setInterval(1000 / std::max(1, ratePerS));
    connect(&m_tick, &QTimer::timeout, this, [this] { tick(); });
}

ApiLoad::~ApiLoad() = default;

void ApiLoad::start()
{
    m_clock.start();
    m_tick.start();
}

void ApiLoad::stop()
{
    m_tick.stop();
}

ApiMinute ApiLoad::takeMinute()
{
    ApiMinute out = std::move(m_minute);
    m_minute = ApiMinute{};
    return out;
}

void ApiLoad::tick()
{
    if (m_inFlight >= kMaxInFlight) {
        ++m_minute.skipped;
        return;
    }
    if (!churnStep())
        filler();
}

bool ApiLoad::churnStep()
{
    const qint64 now = m_clock.elapsed();
    for (Churn& c : m_churn)
        if (!c.busy && c.dueMs <= now) {
            issueChurn(c);
            return true;
        }
    return false;
}

void ApiLoad::issueChurn(Churn& c)
{
    c.busy = true;
    if (!c.opId.empty()) {
        send("GET", "/api/ops/" + QString::fromStdString(c.opId), {}, [this, &c](int status, const nlohmann::json& op) {
            c.busy = false;
            const std::string st = status == 200 ? op.value("status", "") : "";
            if (!st.empty())
                m_ops[c.opId] = st;
            if (!terminal(st)) {
                c.dueMs = m_clock.elapsed() + kPollMs;
                return;
            }
            c.opId.clear();
            c.step = (c.step + 1) % 4;
            if (c.step == 0)
                ++c.generation;
            c.dueMs = m_clock.elapsed();
        });
        return;
    }
    const std::string action = kSteps[c.step];
    nlohmann::json body{{"action", action}, {"project_id", c.project()}};
    if (action != "delete")
        body["spec"] = soakSpec(c.project(), c.step == 0 ? "info" : "debug-" + std::to_string(c.step));
    send("POST", "/api/events/registration", body, [this, &c](int status, const nlohmann::json& reply) {
        c.busy = false;
        if (status == 202) {
            c.opId = reply["op"].value("id", "");
            c.dueMs = m_clock.elapsed() + kPollMs;
            return;
        }
        // Refused (counted as unexpected): start over with a fresh project.
        c.step = 0;
        ++c.generation;
        c.dueMs = m_clock.elapsed() + 1000;
    });
}

const std::string& ApiLoad::anyHookProject()
{
    return m_hookProjects[m_rng.bounded(quint32(m_hookProjects.size()))];
}

void ApiLoad::filler()
{
    const auto ignore = [](int, const nlohmann::json&) {};
    const QString hook = QString::fromStdString(anyHookProject());
    const int roll = int(m_rng.bounded(100));
    if (roll < 15) {
        send("GET", roll % 2 ? "/api/projects?sort=updated" : "/api/projects?q=soak", {}, ignore);
    } else if (roll < 35) {
        send("GET", "/api/projects/" + hook, {}, ignore);
    } else if (roll < 50) {
        send("GET", "/api/projects/" + hook + "/ops?limit=20", {}, ignore);
    } else if (roll < 70 && !m_recentOps.empty()) {
        const std::string id = m_recentOps[m_rng.bounded(quint32(m_recentOps.size()))];
        send("GET", "/api/ops/" + QString::fromStdString(id), {}, [this, id](int status, const nlohmann::json& op) {
            if (status == 200)
                m_ops[id] = op.value("status", "");
        });
    } else if (roll < 85) {
        // HEAD of main (usually processed already: 200 ignored; else a new ci op) or another branch.
        nlohmann::json body{
            {"project_id", hook.toStdString()}, {"repo", "source"}, {"branch", roll % 3 ? "main" : "feature"}};
        send("POST", "/api/webhooks/source", body, ignore);
    } else if (roll < 90) {
        send("GET", "/api/system", {}, ignore);
    } else if (roll < 95) {
        send("GET", "/healthz", {}, ignore);
    } else {
        send("GET", "/api/projects/" + hook + "/artifacts/build/image.txt", {}, ignore);
    }
}

void ApiLoad::noteOp(const nlohmann::json& body)
{
    if (!body.is_object() || !body.contains("op") || !body["op"].is_object())
        return;
    const std::string id = body["op"].value("id", "");
    if (id.empty())
        return;
    m_ops[id] = body["op"].value("status", "queued");
    ++m_minute.accepted;
    m_recentOps.push_back(id);
    if (m_recentOps.size() > kRecentOps)
        m_recentOps.erase(m_recentOps.begin());
}

void ApiLoad::send(const QByteArray& method, const QString& path, const nlohmann::json& body, Done done)
{
    QNetworkRequest request{QUrl(m_base + path)};
    request.setTransferTimeout(30000);
    QByteArray payload;
    if (!body.is_null()) {
        payload = QByteArray::fromStdString(body.dump());
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    }
    QNetworkReply* reply = m_nam.sendCustomRequest(request, method, payload);
    ++m_inFlight;
    ++m_minute.requests;
    const qint64 sent = m_clock.nsecsElapsed();
    connect(reply, &QNetworkReply::finished, this, [this, reply, sent, method, path, done = std::move(done)] {
        --m_inFlight;
        m_minute.latencyMs.push_back(double(m_clock.nsecsElapsed() - sent) / 1e6);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray raw = reply->readAll();
        reply->deleteLater();
        const nlohmann::json json =
            nlohmann::json::parse(raw.constData(), raw.constData() + raw.size(), nullptr, false);
        if (status == 202)
            noteOp(json);
        if (!(status >= 200 && status < 300) && status != 304) {
            ++m_minute.unexpected;
            ++m_totalUnexpected;
            if (m_samples.size() < 20)
                m_samples.push_back(method.toStdString() + " " + path.toStdString() + " -> " + std::to_string(status) +
                                    " " + raw.left(300).toStdString() + " " + reply->errorString().toStdString());
        }
        done(status, json);
    });
}

}  // namespace paas::soak
