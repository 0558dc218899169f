#pragma once
// BuildKitClient: a gRPC client of BuildKit's moby.buildkit.v1.Control
// service (Solve, Status, ListWorkers). No CLI is involved (no docker,
// buildctl or buildkitd processes).
//
// Reaching BuildKit (see buildkitaddress.h):
//   unix://, tcp://  buildkitd itself (a normal, reconnecting gRPC channel);
//   docker://PATH    the Docker engine's built-in BuildKit: the engine socket
//                    is upgraded with `POST /grpc` (h2c) and the fd handed to
//                    gRPC. That channel cannot reconnect; a client whose
//                    channel broke must be discarded and connect() called again.
//
// How a build is run: as `docker buildx` does, through a BuildKit session.
// For docker:// the session is a second connection to the engine socket,
// upgraded with `POST /session` (h2c); on it this process is the HTTP/2 gRPC
// *server* (buildsession.h) and the daemon calls FileSync.DiffCopy to pull the
// locals "context" (the source tree at the exact commit, streamed blob by blob)
// and "dockerfile" (one file, the Dockerfile chosen for the build). Only the
// files BuildKit asks for cross the session: .dockerignore's patterns arrive
// as the DiffCopy exclude patterns and are applied here (contextwalk.h), and
// with a stable sharedKey BuildKit diffs against its cached copy of the
// context and requests only files whose size or time changed (file times are
// derived from the blob id, so they change exactly when the content does).
// The Solve names the session; the `dockerfile.v0` frontend reads both locals.
// The exporter is `moby` with name=<image>, so the image lands in the engine's
// image store. Status is streamed in parallel and rendered as plain-progress
// lines through onLog.
// For unix:// and tcp:// buildkitd (no /session endpoint) the same session is
// tunnelled through the Control.Session stream, and the exporter is `image`
// (buildkitd's own image store; no buildkitd on Debian 12, so that exporter is
// untested here, while the tunnel is tested through the engine's /grpc).
// The inline form of earlier versions (the whole tree as one LLB FileOp) is
// gone: it was ~13 ms faster for a two-file context (49 vs 62 ms median of 7)
// but bounded at ~3.5 MiB, re-sent every byte and could not apply
// .dockerignore.
//
// Errors (never a success for an image that was not exported):
//   Unavailable "buildkit_unreachable"/"buildkit_unavailable"  dial failed, daemon gone
//   Unprocessable "build_failed"   Dockerfile error, failing step; message has BuildKit's text
//   Conflict "build_cancelled"     request.cancelled() returned true
//   Internal "image_not_exported"  Solve returned without an image digest
//   Unavailable "buildkit_unreachable"   the session's upgrade failed
//   InvalidArgument "invalid_image_name" / "invalid_network_mode" /
//                   "invalid_session_key"  refused before sending
//   A transfer error (an unreadable blob, an invalid .dockerignore pattern)
//   fails the Solve; its message then ends with "(context transfer: ...)".
//
// Thread affinity: one instance per thread. connect(), ping() and build() are
// blocking and must be called from the same (worker) thread; never from a GUI
// or event-dispatching thread. build() calls onLog and cancelled() on the
// calling thread only.
#include "engine/build/registrycredentials.h"
#include "engine/core/status.h"
#include "engine/core/treefile.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace paas {

// A local directory served to BuildKit through the session: the files
// without their bytes, and a reader of one file's bytes. read() is called from
// gRPC threads, possibly concurrently: it must be thread-safe.
struct BuildLocal {
    TreeListing listing;
    std::function<Result<std::string>(const TreeEntryRef&)> read;
};

// What one local cost to send (summed over the daemon's DiffCopy calls).
struct TransferStats {
    std::uint64_t transfers = 0;  // DiffCopy calls served
    std::uint64_t entries = 0;    // STAT entries sent (files, folders, links)
    std::uint64_t filesSent = 0;  // files whose bytes BuildKit requested
    std::uint64_t bytesSent = 0;  // file bytes sent (DATA payloads)
};

struct BuildRequest {
    std::string image;  // e.g. "paas/myproj:0123456789ab"
    // The source tree at the exact commit: contextSource when it is set (read
    // set), else the in-memory context.
    Tree context;
    BuildLocal contextSource;
    // Stable per project and context (printable ASCII): lets BuildKit reuse
    // its copy of the previous build's context. Empty: a fresh copy each time.
    std::string sharedKey;
    // Tunnel the session through Control.Session even on docker:// (what
    // unix:// and tcp:// buildkitd always use); for tests of that transport.
    bool tunnelSession = false;
    // Registry logins, served to BuildKit through the session's Auth service
    // (base-image pulls, buildkitd pushes) and used for the engine push.
    RegistryCredentials credentials;
    // Push the image (its name must carry the registry: host[:port]/path:tag).
    // docker://: the engine pushes after the build (POST /images/{name}/push,
    // as buildx's docker driver does: the engine's moby exporter cannot push);
    // buildkitd: the `image` exporter with push=true (and registry.insecure
    // when registryInsecure is set).
    bool push = false;
    bool registryInsecure = false;
    std::string dockerfile;  // Dockerfile text
    // RUN steps' network: "" = BuildKit's default (network access, as `docker
    // build` gives), "sandbox" (the same, named), "host" (the host's network
    // stack; the Solve asks for the network.host entitlement, which the Docker
    // engine grants by default) or "none" (the dockerfile frontend's
    // force-network-mode). An engine started with --bridge=none (as in our
    // tests) runs RUN steps only with "host" or "none".
    std::string networkMode;
    std::map<std::string, std::string> buildArgs;        // ARG values (frontend "build-arg:<k>")
    std::map<std::string, std::string> labels;           // image labels (frontend "label:<k>")
    std::function<void(const std::string& line)> onLog;  // optional
    std::function<bool()> cancelled;                     // optional, polled ~every 100 ms
};

struct BuildResult {
    std::string image;
    std::string digest;  // image id (config digest) as reported by the exporter
    int vertices = 0;
    int cachedVertices = 0;
    double durationSeconds = 0;
    nlohmann::json exporterResponse = nlohmann::json::object();
    std::string transport;         // "session" (/session) or "control-session" (tunnelled)
    TransferStats contextSent;     // session only
    TransferStats dockerfileSent;  // session only
    std::string pushedDigest;      // the manifest digest in the registry (push only)
};

class BuildKitClient {
public:
    // Dials the address (see buildkitaddress.h). Fails fast (Unavailable) when
    // nothing listens; otherwise waits at most timeoutMs.
    static Result<std::unique_ptr<BuildKitClient>> connect(const std::string& address, int timeoutMs);
    ~BuildKitClient();

    const std::string& address() const;

    // Control.ListWorkers (Info is unimplemented in older BuildKit). Ok when at
    // least one worker answers within the connect timeout.
    Status ping();

    // The workers as JSON: [{"id", "platforms": ["linux/amd64", ...], "labels": {...}}].
    Result<nlohmann::json> workers();

    Result<BuildResult> build(const BuildRequest& request);

private:
    struct Impl;
    explicit BuildKitClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace paas
