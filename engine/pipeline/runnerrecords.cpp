// EnvironmentRunner: its records and ports in KV, the in-memory state the
// API reads, adoption after a restart, and the health poll
// (environmentrunner.h).
#include "engine/pipeline/environmentrunner.h"

#include "engine/core/fixedpool.h"
#include "engine/pipeline/records.h"
#include "engine/pipeline/runnerdetail.h"
#include "engine/run/containerengine.h"
#include "engine/run/portproxy.h"
#include "engine/store/backend.h"

#include <QDebug>
#include <QTcpServer>

#include <curl/curl.h>

#include <functional>

namespace paas {

namespace runner {

nlohmann::json Record::toJson() const
{
    return {{"project_id", projectId}, {"environment", env},          {"port", port},   {"slots", slotPorts},
            {"active", active},        {"container_id", containerId}, {"image", image}, {"op_id", opId},
            {"release", release},      {"stopped", stopped}};
}

Record Record::fromJson(const nlohmann::json& j)
{
    Record r;
    if (!j.is_object())
        return r;
    r.projectId = j.value("project_id", "");
    r.env = j.value("environment", "");
    r.port = j.value("port", 0);
    if (j.contains("slots") && j["slots"].is_array() && j["slots"].size() == 2)
        r.slotPorts = {j["slots"][0].get<int>(), j["slots"][1].get<int>()};
    r.active = j.value("active", 0);
    r.containerId = j.value("container_id", "");
    r.image = j.value("image", "");
    r.opId = j.value("op_id", "");
    r.release = j.value("release", 0);
    r.stopped = j.value("stopped", false);
    return r;
}

std::string recordKey(const std::string& projectId, const std::string& env)
{
    return projectId + "." + env;
}

std::string containerName(const std::string& projectId, const std::string& env)
{
    return "paas-" + projectId + "-" + env;
}

std::string urlOf(int port)
{
    return "http://127.0.0.1:" + std::to_string(port);
}

nlohmann::json healthJson(bool ok, long status, const std::string& error)
{
    return {{"ok", ok}, {"status", status}, {"error", error}, {"checked_at", nowRfc3339()}};
}

Probe probeHealth(int port, int timeoutMs)
{
    Probe probe;
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) {
        probe.error = "no HTTP client";
        return probe;
    }
    const std::string url = urlOf(port) + "/healthz";
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeoutMs));
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_NOPROXY, "*");
    curl_easy_setopt(
        curl.get(), CURLOPT_WRITEFUNCTION, +[](char*, size_t size, size_t n, void*) { return size * n; });
    const CURLcode rc = curl_easy_perform(curl.get());
    if (rc != CURLE_OK) {
        probe.error = curl_easy_strerror(rc);
        return probe;
    }
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &probe.status);
    probe.ok = probe.status >= 200 && probe.status < 300;
    if (!probe.ok)
        probe.error = "HTTP " + std::to_string(probe.status);
    return probe;
}

}  // namespace runner

namespace {

bool portsFree(int first, int count)
{
    for (int p = first; p < first + count; ++p) {
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, static_cast<quint16>(p)))
            return false;
    }
    return true;
}

}  // namespace

EnvironmentRunner::EnvironmentRunner(const Config& config, Backend& backend, std::string dockerSocket,
                                     bool defaultDocker)
    : m_config(config),
      m_backend(backend),
      m_socket(std::move(dockerSocket)),
      m_defaultDocker(defaultDocker),
      m_engine(std::make_unique<ContainerEngine>(m_socket)),
      m_proxy(std::make_unique<PortProxy>()),
      m_retiring(std::make_unique<QThreadPool>())
{
    startFixedPool(*m_retiring, QStringLiteral("paas-retiring"), 2);
}

EnvironmentRunner::~EnvironmentRunner()
{
    stop();
}

void EnvironmentRunner::start()
{
    m_stopping = false;
    m_adopt = std::thread([this] { adopt(); });
    m_poll = std::thread([this] { pollHealth(); });
}

void EnvironmentRunner::stop()
{
    {
        std::lock_guard lock(m_waitMutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_adopt.joinable())
        m_adopt.join();
    if (m_poll.joinable())
        m_poll.join();
    m_retiring->waitForDone();                               // each is one bounded stop (10 s grace) and a remove
    for (int i = 0; m_followers.load() > 0 && i < 100; ++i)  // each sees m_stopping within 200 ms
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

Result<runner::Record> EnvironmentRunner::loadRecord(const std::string& key) const
{
    Result<KvEntry> entry = m_backend.runs().get(key);
    if (!entry)
        return entry.status();
    const nlohmann::json j = nlohmann::json::parse(entry->value, nullptr, false);
    std::lock_guard lock(m_mutex);
    m_records[key] = j;
    return Record::fromJson(j);
}

Status EnvironmentRunner::saveRecord(const Record& record)
{
    const nlohmann::json j = record.toJson();
    Result<uint64_t> put = m_backend.runs().put(runner::recordKey(record.projectId, record.env), j.dump());
    if (!put)
        return put.status();
    std::lock_guard lock(m_mutex);
    m_records[runner::recordKey(record.projectId, record.env)] = j;
    return Status::ok();
}

Result<int> EnvironmentRunner::allocateBlock(const std::string& owner)
{
    const int blocks = (m_config.runPortLast - m_config.runPortFirst + 1) / 3;
    const size_t start = std::hash<std::string>{}(owner) % static_cast<size_t>(blocks);
    for (int i = 0; i < blocks; ++i) {
        const int block = static_cast<int>((start + static_cast<size_t>(i)) % static_cast<size_t>(blocks));
        const int first = m_config.runPortFirst + 3 * block;
        if (!portsFree(first, 3))
            continue;
        Result<uint64_t> claimed = m_backend.runs().create("port." + std::to_string(block), owner);
        if (claimed)
            return first;
        if (claimed.status().code() != Status::Code::Conflict)
            return claimed.status();
    }
    return Status::unavailable("run_ports_exhausted", "no three free ports are left in PAAS_RUN_PORTS (" +
                                                          std::to_string(m_config.runPortFirst) + "-" +
                                                          std::to_string(m_config.runPortLast) + ")");
}

Result<runner::Record> EnvironmentRunner::ensureRecord(const std::string& projectId, const std::string& env)
{
    const std::string key = runner::recordKey(projectId, env);
    Result<Record> existing = loadRecord(key);
    if (existing || existing.status().code() != Status::Code::NotFound)
        return existing;
    Result<int> first = allocateBlock(key);
    if (!first)
        return first.status();
    Record rec;
    rec.projectId = projectId;
    rec.env = env;
    rec.port = *first;
    rec.slotPorts = {*first + 1, *first + 2};
    if (Status s = saveRecord(rec); !s)
        return s;
    return rec;
}

Status EnvironmentRunner::forgetProject(const std::string& projectId)
{
    std::vector<Record> mine;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [key, j] : m_records)
            if (j.value("project_id", "") == projectId)
                mine.push_back(Record::fromJson(j));
    }
    for (const Record& rec : mine) {
        m_proxy->close(static_cast<quint16>(rec.port));
        const std::string key = runner::recordKey(projectId, rec.env);
        m_backend.runs().remove("port." + std::to_string((rec.port - m_config.runPortFirst) / 3));
        if (Status s = m_backend.runs().remove(key); !s && s.code() != Status::Code::NotFound)
            return s;
        std::lock_guard lock(m_mutex);
        m_records.erase(key);
        m_live.erase(key);
    }
    return Status::ok();
}

void EnvironmentRunner::setLive(const std::string& key, const std::string& state, nlohmann::json health)
{
    std::lock_guard lock(m_mutex);
    Live& live = m_live[key];
    live.state = state;
    if (!health.is_null())
        live.health = std::move(health);
}

std::string EnvironmentRunner::liveState(const std::string& key) const
{
    std::lock_guard lock(m_mutex);
    const auto live = m_live.find(key);
    return live == m_live.end() ? std::string() : live->second.state;
}

nlohmann::json EnvironmentRunner::state(const std::string& projectId, const EnvironmentSpec& env) const
{
    const std::string key = runner::recordKey(projectId, env.name);
    nlohmann::json out = {{"mode", mode(env)}, {"state", "none"},         {"url", nullptr},
                          {"port", nullptr},   {"container_id", nullptr}, {"health", nullptr}};
    std::lock_guard lock(m_mutex);
    const auto rec = m_records.find(key);
    if (rec == m_records.end())
        return out;
    const Record r = Record::fromJson(rec->second);
    out["port"] = r.port;
    out["url"] = runner::urlOf(r.port);
    if (!r.containerId.empty()) {
        out["container_id"] = r.containerId;
        out["image"] = r.image;
        out["release"] = r.release;
        out["state"] = r.stopped ? "stopped" : "running";
    }
    const auto live = m_live.find(key);
    if (live != m_live.end()) {
        out["state"] = live->second.state;
        out["health"] = live->second.health;
    }
    return out;
}

nlohmann::json EnvironmentRunner::running() const
{
    nlohmann::json out = nlohmann::json::array();
    std::lock_guard lock(m_mutex);
    for (const auto& [key, j] : m_records) {
        const Record r = Record::fromJson(j);
        if (r.containerId.empty())
            continue;
        const auto live = m_live.find(key);
        const std::string state = live != m_live.end() ? live->second.state : r.stopped ? "stopped" : "running";
        out.push_back(
            {{"project_id", r.projectId}, {"environment", r.env}, {"url", runner::urlOf(r.port)}, {"state", state}});
    }
    return out;
}

void EnvironmentRunner::adopt()
{
    if (Status s = m_engine->ping(); !s) {
        qInfo().noquote() << "Run: no Docker engine at" << QString::fromStdString(m_socket)
                          << "(environments with run: docker will fail to deploy)";
        return;
    }
    const std::string net = network();  // asked once, before any deploy needs it
    Result<std::vector<std::string>> keys = m_backend.runs().keys();
    for (const std::string& key : keys ? *keys : std::vector<std::string>{})
        if (key.rfind("port.", 0) != 0)
            loadRecord(key);
    Result<std::vector<ContainerInfo>> ours =
        m_engine->list({{runner::kManagedLabel, "true"}, {runner::kRootLabel, m_config.artifactsRoot.toStdString()}});
    int adopted = 0, removed = 0;
    for (const ContainerInfo& c : ours ? *ours : std::vector<ContainerInfo>{}) {
        const std::string projectId = c.labels.count(runner::kProjectLabel) ? c.labels.at(runner::kProjectLabel) : "";
        const std::string key =
            runner::recordKey(projectId, c.labels.count(runner::kEnvLabel) ? c.labels.at(runner::kEnvLabel) : "");
        Result<KvEntry> project = m_backend.projects().get(projectId);
        nlohmann::json rec;
        {
            std::lock_guard lock(m_mutex);
            rec = m_records.count(key) ? m_records[key] : nlohmann::json();
        }
        const Record r = Record::fromJson(rec);
        const bool known = project && r.containerId == c.id;
        if (!known && (project || project.status().code() == Status::Code::NotFound)) {
            m_engine->remove(c.id, true);
            ++removed;
            continue;
        }
        if (known && c.running && !r.stopped &&
            m_proxy->listen(static_cast<quint16>(r.port), static_cast<quint16>(r.active)))
            setLive(key, "running");
        else if (known)
            setLive(key, "stopped");
        adopted += known ? 1 : 0;
    }
    qInfo().noquote() << "Run: Docker engine at" << QString::fromStdString(m_socket) << "(network"
                      << QString::fromStdString(net) + ") -" << adopted << "container(s) adopted," << removed
                      << "stray(s) removed";
}

void EnvironmentRunner::pollHealth()
{
    std::unique_lock wait(m_waitMutex);
    while (!m_wake.wait_for(wait, std::chrono::seconds(5), [this] { return m_stopping.load(); })) {
        std::vector<std::pair<std::string, int>> targets;
        {
            std::lock_guard lock(m_mutex);
            for (const auto& [key, j] : m_records) {
                const Record r = Record::fromJson(j);
                const auto live = m_live.find(key);
                const bool starting = live != m_live.end() && live->second.state == "starting";
                if (!r.containerId.empty() && !r.stopped && !starting)
                    targets.emplace_back(key, r.port);
            }
        }
        wait.unlock();
        for (const auto& [key, port] : targets) {
            const runner::Probe p = runner::probeHealth(port, 1000);
            std::lock_guard lock(m_mutex);  // a stop or a first start since the probe began wins
            const auto rec = m_records.find(key);
            const auto live = m_live.find(key);
            if (rec == m_records.end() || rec->second.value("stopped", false) ||
                (live != m_live.end() && live->second.state != "running" && live->second.state != "unhealthy"))
                continue;
            m_live[key] = Live{p.ok ? "running" : "unhealthy", runner::healthJson(p.ok, p.status, p.error)};
        }
        wait.lock();
    }
}

}  // namespace paas
