#pragma once
// ContainerEngine: the Docker Engine API calls that run an environment's
// containers, over the engine's Unix socket (libcurl, API v1.41; never the
// docker CLI, no HTTP or JSON code of ours).
//
//   ping()        GET /_ping; ok when the engine answers 200.
//   create()      POST /containers/create?name=  -> the new container's id.
//                 Env, Labels, NetworkMode, RestartPolicy; on "bridge" with
//                 both ports set, containerPort/tcp is published on
//                 127.0.0.1:hostPort only (never on all interfaces).
//   start()       POST /containers/{id}/start; 204, or 304 (already running).
//   stop()        POST /containers/{id}/stop?t=grace; 204, or 304 (not running).
//   remove()      DELETE /containers/{id}?force=; 404 counts as done.
//   rename()      POST /containers/{id}/rename?name=
//   inspect()     GET /containers/{id}/json
//   list()        GET /containers/json?all=1&filters={"label":["k=v",...]},
//                 every container carrying all the labels (any state), each
//                 filled as inspect() does; one that vanishes meanwhile is
//                 left out. Empty labels: every container.
//   logs()        the last `tail` lines (at most 10000, 4 MiB) of stdout and
//                 stderr, demultiplexed when the container has no TTY.
//   followLogs()  the last `tail` lines, then every new line as it arrives,
//                 until the container stops (ok), cancelled() returns true
//                 (ok; polled at least every 200 ms), or an error.
// Log lines lose their trailing "\r"; a line over 16 KiB is cut to 16 KiB.
//
// Errors: Unavailable "docker_unavailable" (the engine cannot be reached or
// did not answer in time); NotFound "container_not_found" (unknown id or
// name), "image_not_found" (create() of an image the engine lacks);
// Conflict "container_exists" (create()/rename() to a name in use);
// InvalidArgument "invalid_container_spec" (create() of a spec without a
// name or image, an unknown network, ports out of range); Unprocessable
// "docker_error" for any other refusal: "<what> failed: HTTP <code>: <the
// engine's message>". Every answer read is bounded (4 MiB).
// Thread affinity: blocking; call from worker threads. Stateless and
// thread-safe: each call opens its own connection.
#include "engine/core/status.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace paas {

struct ContainerSpec {
    std::string name;  // container name
    std::string image;
    std::vector<std::string> env;  // "KEY=value"
    std::map<std::string, std::string> labels;
    std::string network = "bridge";  // "bridge" or "host"
    int containerPort = 0;           // bridge: the port inside the container to publish
    int hostPort = 0;                // bridge: published on 127.0.0.1:hostPort only
    std::string restartPolicy = "unless-stopped";
    // The engine's init (tini) as PID 1: it forwards SIGTERM to the app and
    // reaps zombies, so an app that never installed a SIGTERM handler (as
    // PID 1 it would ignore it) still stops at once instead of after the grace.
    bool init = true;
};

struct ContainerInfo {
    std::string id, name, image;  // name without leading '/'; image as created (Config.Image)
    std::map<std::string, std::string> labels;
    std::string state;  // Docker's State.Status: created|running|exited|...
    bool running = false;
    int exitCode = 0;
    std::string startedAt;  // RFC 3339, as the engine reports it
};

class ContainerEngine {
public:
    explicit ContainerEngine(std::string socketPath, int timeoutMs = 30000);

    const std::string& socket() const { return m_socket; }

    Status ping() const;
    // GET /networks/{name}: whether the engine has it (an engine started
    // with --bridge=none has no "bridge").
    Result<bool> hasNetwork(const std::string& name) const;
    // GET /images/{name}/json: whether the image says what to run (a Cmd
    // or an Entrypoint). NotFound "image_not_found" when the engine lacks it.
    Result<bool> imageHasCommand(const std::string& image) const;
    Result<std::string> create(const ContainerSpec& spec) const;
    Status start(const std::string& idOrName) const;
    Status stop(const std::string& idOrName, int graceSeconds = 10) const;
    Status remove(const std::string& idOrName, bool force = true) const;
    Status rename(const std::string& idOrName, const std::string& newName) const;
    Result<ContainerInfo> inspect(const std::string& idOrName) const;
    Result<std::vector<ContainerInfo>> list(const std::map<std::string, std::string>& labels) const;
    Result<std::vector<std::string>> logs(const std::string& idOrName, int tail) const;
    Status followLogs(const std::string& idOrName, int tail, const std::function<void(const std::string&)>& onLine,
                      const std::function<bool()>& cancelled) const;

private:
    std::string m_socket;
    int m_timeoutMs;
};

}  // namespace paas
