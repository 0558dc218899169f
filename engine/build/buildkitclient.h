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
// How a build is run (the path verified against Debian 12's docker.io 20.10,
// whose BuildKit is v0.8): session-free. The source Tree is turned into LLB
// (one FileOp on scratch carrying every file inline, llbbuilder.h), the
// Dockerfile into a second one-file LLB definition; both go to the
// `dockerfile.v0` frontend as SolveRequest.FrontendInputs "context" and
// "dockerfile". The exporter is `moby` with name=<image>, so the image lands in
// the engine's image store (with buildkitd, the exporter is `image`, which
// stores into buildkitd's own image store; that path is untested here: no
// buildkitd binary on Debian 12). Status is
// streamed in parallel and rendered as plain-progress lines through onLog.
// The whole context travels in one gRPC message, so it is bounded: the Docker
// engine's gRPC server accepts at most 4 MiB per message (measured: "received
// message larger than max (5243705 vs. 4194304)"), so a tree whose LLB exceeds
// kMaxContextBytes is TooLarge ("build_context_too_large") before anything is
// sent. (A larger context would need a BuildKit session, i.e. a reverse gRPC
// file-sync server, which paas deliberately avoids.) The engine API's
// `POST /build?version=2` fallback was not needed: frontend inputs work.
//
// Errors (never a success for an image that was not exported):
//   Unavailable "buildkit_unreachable"/"buildkit_unavailable"  dial failed, daemon gone
//   Unprocessable "build_failed"   Dockerfile error, failing step; message has BuildKit's text
//   Conflict "build_cancelled"     request.cancelled() returned true
//   Internal "image_not_exported"  Solve returned without an image digest
//   TooLarge "build_context_too_large"  see above
//   InvalidArgument "invalid_image_name" / "invalid_network_mode" /
//                   "invalid_tree_path" (llbbuilder.h)  refused before sending
//
// Thread affinity: one instance per thread. connect(), ping() and build() are
// blocking and must be called from the same (worker) thread; never from a GUI
// or event-dispatching thread. build() calls onLog and cancelled() on the
// calling thread only.
#include "engine/core/status.h"
#include "engine/core/treefile.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace paas {

struct BuildRequest {
    std::string image;       // e.g. "paas/myproj:0123456789ab"
    Tree context;            // the source tree at the exact commit
    std::string dockerfile;  // Dockerfile text
    // RUN steps' network: "" = the engine's default, "sandbox" or "none" (the
    // dockerfile frontend's force-network-mode; "host" needs an entitlement and
    // is refused). An engine started with --bridge=none (as in our tests) can
    // only run RUN steps with "none".
    std::string networkMode;
    std::map<std::string, std::string> buildArgs;  // ARG values (frontend "build-arg:<k>")
    std::map<std::string, std::string> labels;     // image labels (frontend "label:<k>")
    std::function<void(const std::string& line)> onLog;  // optional
    std::function<bool()> cancelled;                      // optional, polled ~every 100 ms
};

struct BuildResult {
    std::string image;
    std::string digest;  // image id (config digest) as reported by the exporter
    int vertices = 0;
    int cachedVertices = 0;
    double durationSeconds = 0;
    nlohmann::json exporterResponse = nlohmann::json::object();
};

class BuildKitClient {
public:
    static constexpr std::size_t kMaxContextBytes = 3 * 1024 * 1024 + 512 * 1024;

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
