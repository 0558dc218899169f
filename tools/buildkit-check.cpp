// paas_buildkit_check (make buildkit-check): probes BuildKit exactly as paas
// does at startup (engine/build/buildkitlocator.h): the address in
// PAAS_BUILDKIT_ADDR, else the default order (buildkitd socket, then the
// Docker engine's socket). Each candidate is dialed and asked for
// Control.ListWorkers. Prints what answered and its workers, or why every
// candidate failed. Exit 0 when one answered, 1 when none did, 2 on a bad
// address.
#include "engine/build/buildkitlocator.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

constexpr int kTimeoutMs = 3000;

std::string joined(const std::vector<std::string>& items)
{
    std::string out;
    for (const auto& item : items)
        out += (out.empty() ? "" : ", ") + item;
    return out;
}

}  // namespace

int main()
{
    const char* env = std::getenv("PAAS_BUILDKIT_ADDR");
    const std::string configured = env ? env : "";
    const std::vector<std::string> candidates = paas::buildKitCandidates(configured);
    std::printf("buildkit-check: %s: %s\n", configured.empty() ? "default probe order" : "PAAS_BUILDKIT_ADDR",
                joined(candidates).c_str());
    paas::Result<paas::BuildKitLocation> found = paas::locateBuildKit(candidates, kTimeoutMs);
    if (!found) {
        std::fprintf(stderr, "buildkit-check: %s\n", found.status().message().c_str());
        return found.status().code() == paas::Status::Code::InvalidArgument ? 2 : 1;
    }
    for (const auto& failure : found->failures)
        std::printf("buildkit-check: skipped %s\n", failure.c_str());
    std::printf("buildkit-check: answered: %s (%zu workers)\n", found->address.c_str(), found->workers.size());
    for (const auto& worker : found->workers)
        std::printf("  worker %s platforms %s\n", worker.value("id", std::string("?")).c_str(),
                    worker.value("platforms", nlohmann::json::array()).dump().c_str());
    return 0;
}
