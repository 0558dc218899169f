#pragma once
// Finding a reachable BuildKit at startup (for the builder-mode resolution:
// requested / effective / reason).
//
// buildKitCandidates(configured): {configured} when PAAS_BUILDKIT_ADDR is set
// (non-empty), else defaultBuildKitCandidates() (buildkitd socket, then the
// Docker engine socket).
// locateBuildKit(candidates, timeoutMs): the first candidate that connects and
// answers Control.ListWorkers with at least one worker. Every candidate is
// dialed with timeoutMs; a missing socket or refused port fails at once.
// Errors: InvalidArgument "invalid_buildkit_address" for an unparsable
// candidate; Unavailable "buildkit_unreachable" naming every candidate and
// why it failed.
// Blocking; call from a worker/startup thread, never the GUI thread.
// Thread-safe (no shared state).
#include "engine/core/status.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace paas {

struct BuildKitLocation {
    std::string address;                               // the candidate that answered
    std::vector<std::string> failures;                 // "address: reason" for candidates tried before it
    nlohmann::json workers = nlohmann::json::array();  // as BuildKitClient::workers()
};

std::vector<std::string> buildKitCandidates(const std::string& configured);
Result<BuildKitLocation> locateBuildKit(const std::vector<std::string>& candidates, int timeoutMs);

}  // namespace paas
