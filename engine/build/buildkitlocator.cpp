#include "engine/build/buildkitlocator.h"

#include "engine/build/buildkitaddress.h"
#include "engine/build/buildkitclient.h"

namespace paas {

std::vector<std::string> buildKitCandidates(const std::string& configured)
{
    if (!configured.empty())
        return {configured};
    return defaultBuildKitCandidates();
}

Result<BuildKitLocation> locateBuildKit(const std::vector<std::string>& candidates, int timeoutMs)
{
    for (const auto& c : candidates)
        if (Result<BuildKitEndpoint> ep = parseBuildKitAddress(c); !ep)
            return ep.status();
    BuildKitLocation location;
    for (const auto& address : candidates) {
        auto client = BuildKitClient::connect(address, timeoutMs);
        if (!client) {
            location.failures.push_back(address + ": " + client.status().message());
            continue;
        }
        Result<nlohmann::json> workers = (*client)->workers();
        if (!workers || workers->empty()) {
            location.failures.push_back(address + ": " +
                                        (workers ? std::string("no BuildKit workers") : workers.status().message()));
            continue;
        }
        location.address = address;
        location.workers = std::move(*workers);
        return location;
    }
    std::string message = "no reachable BuildKit";
    for (const auto& f : location.failures)
        message += "; " + f;
    return Status::unavailable("buildkit_unreachable", message);
}

}  // namespace paas
