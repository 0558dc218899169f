#include "engine/pipeline/imagebuilderpolicy.h"

#include "engine/build/buildkitlocator.h"

namespace paas {

namespace {
constexpr int kProbeTimeoutMs = 3000;
}

void ImageBuilderPolicy::resolve()
{
    std::lock_guard lock(m_mutex);
    const std::string requested = m_config.builderModeRequested.toStdString();
    if (requested == "artifact") {
        m_effective = "artifact";
        m_reason = "artifact mode requested";
        return;
    }
    Result<BuildKitLocation> found =
        locateBuildKit(buildKitCandidates(m_config.buildkitAddr.toStdString()), kProbeTimeoutMs);
    if (found) {
        m_effective = "buildkit";
        m_address = found->address;
        m_reason = "BuildKit reachable at " + found->address;
        return;
    }
    if (m_config.builderModeExplicit) {
        m_effective = "buildkit";
        m_reason = "policy: PAAS_IMAGE_BUILDER_MODE=buildkit was requested explicitly but BuildKit is unreachable (" +
                   found.status().message() + "); build operations fail until it is reachable";
    } else {
        m_effective = "artifact";
        m_reason = "fallback: BuildKit unreachable (" + found.status().message() +
                   "); set PAAS_BUILDKIT_ADDR or start a Docker engine/buildkitd";
    }
}

std::string ImageBuilderPolicy::effective() const
{
    std::lock_guard lock(m_mutex);
    return m_effective;
}

std::string ImageBuilderPolicy::address() const
{
    std::lock_guard lock(m_mutex);
    return m_address;
}

Result<std::string> ImageBuilderPolicy::buildkitAddressForBuild()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_address.empty())
            return m_address;
    }
    Result<BuildKitLocation> found =
        locateBuildKit(buildKitCandidates(m_config.buildkitAddr.toStdString()), kProbeTimeoutMs);
    if (!found)
        return Status::unavailable(
            "builder_unavailable",
            "policy error: PAAS_IMAGE_BUILDER_MODE=buildkit was requested explicitly, but BuildKit is unreachable: " +
                found.status().message() +
                ". Start buildkitd or a Docker engine, set PAAS_BUILDKIT_ADDR, or use "
                "PAAS_IMAGE_BUILDER_MODE=artifact");
    std::lock_guard lock(m_mutex);
    m_address = found->address;
    m_reason = "BuildKit reachable at " + m_address;
    return m_address;
}

nlohmann::json ImageBuilderPolicy::info() const
{
    std::lock_guard lock(m_mutex);
    return {{"requested", m_config.builderModeRequested.toStdString()},
            {"requested_explicitly", m_config.builderModeExplicit},
            {"effective", m_effective},
            {"reason", m_reason},
            {"buildkit_addr", m_address}};
}

std::string ImageBuilderPolicy::summaryLine() const
{
    std::lock_guard lock(m_mutex);
    return "Image builder: requested=" + m_config.builderModeRequested.toStdString() +
           (m_config.builderModeExplicit ? " (explicit)" : " (implicit)") + " effective=" + m_effective +
           " reason=" + m_reason;
}

}  // namespace paas
