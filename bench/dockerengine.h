#pragma once
// DockerEngine: the Docker engine the buildkit phase builds on, and the
// engine API calls it makes (with the curl CLI over the unix socket: the
// bench's HttpLoad speaks TCP only, and a hand-written HTTP client for a
// unix socket is not worth its bugs).
//
// Contract:
//  - start(dir): $PAAS_TEST_DOCKER_SOCK when it answers /_ping (used, never
//    stopped); else a private dockerd started by tests/support/dockerd.sh in
//    `dir` (vfs, no bridge; as root with docker.io installed). False with the
//    reason in error() when neither works.
//  - stop() (or the destructor) stops a dockerd this object started (the
//    script's stop) and removes `dir` with its data root.
//  - call(): one request, bounded; a file as the body when given (streamed by
//    curl, not read into memory). The answer's status, body and curl's own
//    time_total (so curl's process start is not in the figure).
// Thread affinity: one thread; every call blocks it.
#include <QString>

#include <string>

namespace paas::bench {

struct EngineAnswer {
    int status = 0;  // 0: no answer (curl failed; body holds its stderr)
    std::string body;
    double seconds = 0;  // curl's time_total
};

class DockerEngine {
public:
    DockerEngine() = default;
    ~DockerEngine();
    DockerEngine(const DockerEngine&) = delete;
    DockerEngine& operator=(const DockerEngine&) = delete;

    bool start(const QString& dir);
    void stop();

    const QString& socket() const { return m_socket; }
    const QString& error() const { return m_error; }
    bool privateDaemon() const { return m_started; }

    EngineAnswer call(const QString& method, const QString& path, const QString& bodyFile = {},
                      const QString& contentType = {}, int timeoutSeconds = 120) const;
    bool ping() const;
    // POST /build/prune?all=1: every build cache record (BuildKit's copies
    // of contexts included), so the next build starts cold.
    bool pruneBuildCache() const;
    void removeImage(const std::string& ref) const;

private:
    QString m_dir, m_socket, m_error;
    bool m_started = false;
};

}  // namespace paas::bench
