#pragma once
// EnvironmentRunner: runs an environment's release as a container on the
// local Docker engine (issue 16), beside the GitOps manifests, which stay
// exactly as they are.
//
// Contract:
//   - mode(env) is "docker" or "none": the spec's `run` when set; otherwise
//     "docker" for dev when this instance builds its images with a Docker
//     engine's BuildKit (docker://) and that engine answered at start(),
//     "none" for everything else (artifact mode has no image to run).
//   - Each running environment owns three loopback ports, allocated once
//     from PAAS_RUN_PORTS and kept in the paas_runs KV bucket: the URL port
//     (the PortProxy listens there) and two slots the containers use in
//     turn. Its record, <project>.<env>, names the active slot and container.
//   - deploy() is zero-downtime: the new container starts on the idle slot
//     as paas-<id>-<env>-next, must answer GET /healthz with a 2xx within
//     PAAS_RUN_HEALTH_TIMEOUT_S, then the proxy switches to it, the old one
//     is renamed paas-<id>-<env>-old-<id12> and stopped (10 s grace) and
//     removed in the background, and the new one is renamed paas-<id>-<env>.
//     When it never gets healthy, deploy() fails with its last log lines,
//     removes it, and the old container keeps serving. Running deploy()
//     again for the same op id is a no-op once it succeeded.
//   - Containers are labelled paas.managed, paas.project, paas.env,
//     paas.release, paas.op and paas.slot; restart policy unless-stopped.
//   - start() adopts the containers of known records after a restart (the
//     proxy listens again) and removes strays labelled as ours whose
//     project is gone or which no record names. It runs on a thread of its
//     own and never delays startup.
//   - stop() ends every followLogs() in progress (within ~200 ms) and waits
//     for it, so no follower outlives the runner.
//   - state() and states() read memory only (the API thread may call them);
//     a poll thread re-checks each running environment's health every 5 s.
// Errors: Conflict "run_disabled" (mode none), "not_deployed" (nothing to
// start or stop); Unprocessable "unhealthy"; Unavailable "docker_unavailable".
// Thread affinity: deploy/stopEnv/startEnv/removeProject/logs block and run
// on worker or offload threads; the per-project op queue serialises an
// environment's operations. Everything is thread-safe.
#include "engine/core/config.h"
#include "engine/core/status.h"
#include "engine/model/projectspec.h"

#include <nlohmann/json.hpp>

#include <QThreadPool>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace paas {

class Backend;
class ContainerEngine;
class PortProxy;
namespace runner {
struct Record;
}

struct RunRequest {
    std::string projectId;
    std::string env;
    std::string image;
    std::string opId;
    int release = 0;
    EnvironmentSpec config;  // vars and port the container runs with
};

class EnvironmentRunner {
public:
    using LogFn = std::function<void(const std::string&)>;
    using CancelledFn = std::function<bool()>;

    // dockerSocket: the engine's Unix socket; defaultDocker: whether dev runs
    // by default (the images are built by that engine).
    EnvironmentRunner(const Config& config, Backend& backend, std::string dockerSocket, bool defaultDocker);
    ~EnvironmentRunner();

    void start();
    void stop();

    std::string mode(const EnvironmentSpec& env) const;
    // {"docker_socket", "dev_default": docker|none, "network", "ports", "health_timeout_s"} for /api/system.
    nlohmann::json describe() const;
    const std::string& socket() const { return m_socket; }

    // Whether a deploy of `image` into `env` runs a container: mode docker,
    // and, when the spec leaves `run` unset (the default), an image that says
    // what to run (a Cmd or Entrypoint; a FROM scratch image of files does
    // not). With run: docker set, every image runs (and fails if it cannot).
    Result<bool> runs(const EnvironmentSpec& env, const std::string& image);
    Status deploy(const RunRequest& request, const LogFn& log, const CancelledFn& cancelled);
    Status stopEnv(const std::string& projectId, const std::string& env, const LogFn& log);
    Status startEnv(const std::string& projectId, const std::string& env, const LogFn& log,
                    const CancelledFn& cancelled);
    Status removeProject(const std::string& projectId, const LogFn& log);

    // {"mode","state","url","port","container_id","image","release","health"}.
    nlohmann::json state(const std::string& projectId, const EnvironmentSpec& env) const;
    // Every environment with a container: [{project_id, environment, url, state}].
    nlohmann::json running() const;
    Result<std::vector<std::string>> logs(const std::string& projectId, const std::string& env, int tail) const;
    Status followLogs(const std::string& projectId, const std::string& env, int tail, const LogFn& onLine,
                      const CancelledFn& cancelled) const;

private:
    using Record = runner::Record;
    struct Live {
        std::string state;  // running|starting|unhealthy|stopped
        nlohmann::json health = nullptr;
    };

    Result<Record> loadRecord(const std::string& key) const;
    Result<Record> ensureRecord(const std::string& projectId, const std::string& env);
    Status saveRecord(const Record& record);
    Result<int> allocateBlock(const std::string& owner);
    Status forgetProject(const std::string& projectId);
    // bridge or host: PAAS_RUN_NETWORK, else whether the engine has a
    // "bridge" network (asked once; blocking the first time).
    std::string network();
    Status waitHealthy(const std::string& containerId, int port, const LogFn& log, const CancelledFn& cancelled);
    void retire(const std::string& containerId);  // stop + remove, on m_retiring
    Status failUnhealthy(const std::string& containerId, const Status& why, const LogFn& log);
    void setLive(const std::string& key, const std::string& state, nlohmann::json health = nullptr);
    std::string liveState(const std::string& key) const;
    void adopt();
    void pollHealth();

    const Config& m_config;
    Backend& m_backend;
    std::string m_socket;
    bool m_defaultDocker = false;
    std::unique_ptr<ContainerEngine> m_engine;
    std::unique_ptr<PortProxy> m_proxy;
    mutable std::mutex m_mutex;
    mutable std::map<std::string, nlohmann::json> m_records;  // key -> record JSON (read or written here)
    std::map<std::string, Live> m_live;
    std::atomic<bool> m_stopping{false};
    mutable std::atomic<int> m_followers{0};  // followLogs() calls in progress
    mutable std::mutex m_networkMutex;
    std::string m_network;  // resolved by network()
    std::mutex m_waitMutex;
    std::condition_variable m_wake;
    std::thread m_adopt, m_poll;
    std::unique_ptr<QThreadPool> m_retiring;  // old containers being stopped (stop() waits for them)
};

}  // namespace paas
