#pragma once
// ImageBuilderPolicy: the reference's startup resolution of the image
// builder mode.
//  - requested: PAAS_IMAGE_BUILDER_MODE, default buildkit (implicit).
//  - artifact requested -> effective artifact.
//  - buildkit requested, BuildKit reachable (ListWorkers) -> effective buildkit.
//  - implicit buildkit, unreachable -> effective artifact, reason says why.
//  - explicit buildkit, unreachable -> effective buildkit, and build ops fail
//    with the policy error "builder_unavailable" (the app itself runs); a
//    build re-checks reachability, so a daemon started later is used.
// Thread affinity: resolve() once at startup; the accessors are thread-safe.
#include "engine/core/config.h"
#include "engine/core/status.h"

#include <nlohmann/json.hpp>

#include <mutex>
#include <string>

namespace paas {

class ImageBuilderPolicy {
public:
    explicit ImageBuilderPolicy(const Config& config) : m_config(config) {}

    void resolve();
    std::string effective() const;
    std::string address() const;
    // For an explicit buildkit request: the address to build with now, or the
    // policy error.
    Result<std::string> buildkitAddressForBuild();
    nlohmann::json info() const;
    std::string summaryLine() const;

private:
    const Config& m_config;
    mutable std::mutex m_mutex;
    std::string m_effective = "artifact";
    std::string m_reason;
    std::string m_address;
};

}  // namespace paas
