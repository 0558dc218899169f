// EnvironmentRunner: deploy, start, stop and removal of running
// environments (environmentrunner.h). Records, ports, adoption and health
// polling are in runnerrecords.cpp.
#include "engine/pipeline/environmentrunner.h"

#include "engine/pipeline/records.h"
#include "engine/pipeline/runnerdetail.h"
#include "engine/run/containerengine.h"
#include "engine/run/portproxy.h"

#include <chrono>

namespace paas {

using runner::Record;

namespace {

ContainerSpec containerSpec(const Config& config, const std::string& network, const RunRequest& r, int slot,
                            const std::string& name)
{
    ContainerSpec spec;
    spec.name = name;
    spec.image = r.image;
    const bool host = network == "host";
    spec.network = host ? "host" : "bridge";
    const int appPort = host ? slot : r.config.port;
    for (const auto& [key, value] : r.config.vars)
        if (key != "PORT")
            spec.env.push_back(key + "=" + value);
    spec.env.push_back("PORT=" + std::to_string(appPort));
    if (!host) {
        spec.containerPort = appPort;
        spec.hostPort = slot;
    }
    spec.labels = {{runner::kManagedLabel, "true"},
                   {runner::kProjectLabel, r.projectId},
                   {runner::kEnvLabel, r.env},
                   {runner::kReleaseLabel, std::to_string(r.release)},
                   {runner::kOpLabel, r.opId},
                   {runner::kSlotLabel, std::to_string(slot)},
                   {runner::kRootLabel, config.artifactsRoot.toStdString()}};
    return spec;
}

// The first and the last lines of a container's output: what it said as it
// started, and what it said last (often the answers to the health probe).
std::string tailOf(const std::vector<std::string>& lines)
{
    constexpr size_t kEach = 10;
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i == kEach && lines.size() > 2 * kEach) {
            out += "\n  ... (" + std::to_string(lines.size() - 2 * kEach) + " lines)";
            i = lines.size() - kEach;
        }
        out += "\n  " + lines[i];
    }
    return out.empty() ? " (it printed nothing)" : out;
}

}  // namespace

std::string EnvironmentRunner::mode(const EnvironmentSpec& env) const
{
    if (!env.run.empty())
        return env.run;
    return env.name == "dev" && m_defaultDocker ? "docker" : "none";
}

std::string EnvironmentRunner::network()
{
    if (!m_config.runNetwork.isEmpty())
        return m_config.runNetwork.toStdString();
    std::lock_guard lock(m_networkMutex);
    if (m_network.empty()) {
        Result<bool> bridge = m_engine->hasNetwork("bridge");
        if (!bridge)
            return "bridge";  // the engine did not answer: create() will say why
        m_network = *bridge ? "bridge" : "host";
    }
    return m_network;
}

nlohmann::json EnvironmentRunner::describe() const
{
    std::string network = m_config.runNetwork.toStdString();
    if (network.empty()) {
        std::unique_lock lock(m_networkMutex, std::try_to_lock);
        network = lock.owns_lock() && !m_network.empty() ? m_network + " (detected)" : "bridge when the engine has one";
    }
    return {{"docker_socket", m_socket},
            {"dev_default", m_defaultDocker ? "docker" : "none"},
            {"network", network},
            {"ports", std::to_string(m_config.runPortFirst) + "-" + std::to_string(m_config.runPortLast)},
            {"health_timeout_s", m_config.runHealthTimeoutS}};
}

Result<bool> EnvironmentRunner::runs(const EnvironmentSpec& env, const std::string& image)
{
    if (mode(env) != "docker")
        return false;
    if (!env.run.empty())
        return true;
    return m_engine->imageHasCommand(image);
}

Status EnvironmentRunner::failUnhealthy(const std::string& containerId, const Status& why, const LogFn& log)
{
    Result<std::vector<std::string>> lines = m_engine->logs(containerId, 1000);
    m_engine->remove(containerId, true);
    const std::string tail = lines ? tailOf(*lines) : " (its logs are unavailable: " + lines.status().message() + ")";
    log("the new container was removed; the previous one keeps serving. Its last lines:" + tail);
    return Status::unprocessable(why.reason().empty() ? "unhealthy" : why.reason(),
                                 why.message() + "; last lines:" + tail);
}

Status EnvironmentRunner::deploy(const RunRequest& r, const LogFn& log, const CancelledFn& cancelled)
{
    Result<Record> rec = ensureRecord(r.projectId, r.env);
    if (!rec)
        return rec.status();
    const std::string key = runner::recordKey(r.projectId, r.env);
    if (rec->opId == r.opId && !rec->containerId.empty()) {
        Result<ContainerInfo> info = m_engine->inspect(rec->containerId);
        if (info && info->running) {
            log("already running this release (" + info->name + ")");
            return m_proxy->listen(static_cast<quint16>(rec->port), static_cast<quint16>(rec->active));
        }
    }
    const int slot = rec->active == rec->slotPorts[0] ? rec->slotPorts[1] : rec->slotPorts[0];
    const std::string name = runner::containerName(r.projectId, r.env);
    m_engine->remove(name + "-next", true);  // a stale attempt of an interrupted deploy
    Result<std::string> id = m_engine->create(containerSpec(m_config, network(), r, slot, name + "-next"));
    if (!id)
        return id.status();
    log("container " + id->substr(0, 12) + " created from " + r.image + " on slot port " + std::to_string(slot));
    if (Status s = m_engine->start(*id); !s)
        return failUnhealthy(*id, s, log);
    if (rec->containerId.empty() || rec->stopped)
        setLive(key, "starting");
    if (Status s = waitHealthy(*id, slot, log, cancelled); !s) {
        setLive(key, rec->containerId.empty() || rec->stopped ? "stopped" : "running");
        return failUnhealthy(*id, s, log);
    }
    if (Status s = m_proxy->listen(static_cast<quint16>(rec->port), static_cast<quint16>(slot)); !s)
        return failUnhealthy(*id, s, log);
    const std::string old = rec->containerId;
    rec->active = slot;
    rec->containerId = *id;
    rec->image = r.image;
    rec->release = r.release;
    rec->opId = r.opId;
    rec->stopped = false;
    if (Status s = saveRecord(*rec); !s)
        return s;
    if (!old.empty() && old != *id) {
        // The URL already serves the new one: the old one stops in the
        // background with the engine's grace period for its open requests,
        // so the op does not wait on an app that ignores SIGTERM.
        m_engine->rename(old, name + "-old-" + old.substr(0, 12));
        retire(old);
        log("previous container " + old.substr(0, 12) + " stops and is removed in the background");
    }
    m_engine->remove(name, true);  // a stray of the final name (an adopted record of another id)
    if (Status s = m_engine->rename(*id, name); !s)
        log("warning: could not rename the container to " + name + ": " + s.message());
    setLive(key, "running", runner::healthJson(true, 200, ""));
    log(r.env + " runs at " + runner::urlOf(rec->port) + " (release " + std::to_string(r.release) + ")");
    return Status::ok();
}

void EnvironmentRunner::retire(const std::string& containerId)
{
    m_retiring->start([this, containerId] {
        m_engine->stop(containerId, 10);
        m_engine->remove(containerId, true);
    });
}

Status EnvironmentRunner::waitHealthy(const std::string& containerId, int port, const LogFn& log,
                                      const CancelledFn& cancelled)
{
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::seconds(m_config.runHealthTimeoutS);
    auto nextInspect = Clock::now();
    std::string last = "no answer yet";
    while (Clock::now() < deadline) {
        if (cancelled && cancelled())
            return Status::conflict("cancelled", "the op was cancelled while the container started");
        if (Clock::now() >= nextInspect) {
            Result<ContainerInfo> info = m_engine->inspect(containerId);
            if (info && !info->running && info->state != "created")
                return Status::unprocessable(
                    "unhealthy",
                    "the new container exited (code " + std::to_string(info->exitCode) + ") before it was healthy");
            nextInspect = Clock::now() + std::chrono::seconds(1);
        }
        const runner::Probe probe = runner::probeHealth(port, 1000);
        if (probe.ok) {
            log("healthy: GET /healthz answered " + std::to_string(probe.status));
            return Status::ok();
        }
        last = probe.error;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return Status::unprocessable("unhealthy", "the new container did not answer GET /healthz with a 2xx within " +
                                                  std::to_string(m_config.runHealthTimeoutS) + " s (" + last + ")");
}

Status EnvironmentRunner::stopEnv(const std::string& projectId, const std::string& env, const LogFn& log)
{
    const std::string key = runner::recordKey(projectId, env);
    Result<Record> rec = loadRecord(key);
    if (!rec || rec->containerId.empty())
        return Status::conflict("not_deployed", "environment '" + env + "' has no container to stop");
    m_proxy->close(static_cast<quint16>(rec->port));
    if (Status s = m_engine->stop(rec->containerId, 10); !s)
        return s;
    rec->stopped = true;
    if (Status s = saveRecord(*rec); !s)
        return s;
    setLive(key, "stopped");
    log(env + " stopped (container " + rec->containerId.substr(0, 12) + ")");
    return Status::ok();
}

Status EnvironmentRunner::startEnv(const std::string& projectId, const std::string& env, const LogFn& log,
                                   const CancelledFn& cancelled)
{
    const std::string key = runner::recordKey(projectId, env);
    Result<Record> rec = loadRecord(key);
    if (!rec || rec->containerId.empty())
        return Status::conflict("not_deployed", "environment '" + env + "' has no container to start; deploy first");
    if (Status s = m_engine->start(rec->containerId); !s)
        return s;
    setLive(key, "starting");
    if (Status s = waitHealthy(rec->containerId, rec->active, log, cancelled); !s) {
        setLive(key, "unhealthy");
        return s;
    }
    if (Status s = m_proxy->listen(static_cast<quint16>(rec->port), static_cast<quint16>(rec->active)); !s)
        return s;
    rec->stopped = false;
    if (Status s = saveRecord(*rec); !s)
        return s;
    setLive(key, "running", runner::healthJson(true, 200, ""));
    log(env + " runs again at " + runner::urlOf(rec->port));
    return Status::ok();
}

Status EnvironmentRunner::removeProject(const std::string& projectId, const LogFn& log)
{
    Result<std::vector<ContainerInfo>> mine = m_engine->list(
        {{runner::kProjectLabel, projectId}, {runner::kRootLabel, m_config.artifactsRoot.toStdString()}});
    if (!mine && mine.status().code() != Status::Code::Unavailable)
        return mine.status();
    for (const ContainerInfo& c : mine ? *mine : std::vector<ContainerInfo>{}) {
        m_engine->remove(c.id, true);
        log("container " + c.name + " removed");
    }
    return forgetProject(projectId);
}

Result<std::vector<std::string>> EnvironmentRunner::logs(const std::string& projectId, const std::string& env,
                                                         int tail) const
{
    Result<Record> rec = loadRecord(runner::recordKey(projectId, env));
    if (!rec || rec->containerId.empty())
        return Status::conflict("not_deployed", "environment '" + env + "' has no container");
    return m_engine->logs(rec->containerId, tail);
}

Status EnvironmentRunner::followLogs(const std::string& projectId, const std::string& env, int tail,
                                     const LogFn& onLine, const CancelledFn& cancelled) const
{
    Result<Record> rec = loadRecord(runner::recordKey(projectId, env));
    if (!rec || rec->containerId.empty())
        return Status::conflict("not_deployed", "environment '" + env + "' has no container");
    // stop() ends every follower and waits for it: none outlives the runner.
    ++m_followers;
    const Status s = m_engine->followLogs(rec->containerId, tail, onLine,
                                          [&] { return m_stopping.load() || (cancelled && cancelled()); });
    --m_followers;
    return s;
}

}  // namespace paas
