#pragma once
// One Dockerfile build as a Control.Solve naming a BuildKit session, with Control.Status
// streamed in parallel (see buildkitclient.h for the protocol choices).
// Internal to engine/build.
//
// Thread affinity: call from one thread; it spawns two helper threads (the
// blocking Solve and the Status reader) and joins both before returning.
// request.onLog and request.cancelled run on the calling thread only.
#include "engine/build/buildkitclient.h"
#include "engine/build/proto/control.grpc.pb.h"

#include <map>
#include <string>

namespace paas {

struct SolveOptions {
    std::string address;   // for messages
    std::string exporter;  // "moby" (Docker engine) or "image" (buildkitd)
    // The open session (buildsession.h) the locals "context" and "dockerfile"
    // come from.
    std::string sessionId;
    std::map<std::string, std::string> exporterAttrs;  // beyond name=<image>
};

Result<BuildResult> runDockerfileSolve(moby::buildkit::v1::Control::Stub& stub, const SolveOptions& options,
                                       const BuildRequest& request);

}  // namespace paas
