#pragma once
// The EnvironmentRunner's shared pieces: its KV record, labels, names and
// the HTTP health probe (libcurl). Internal to environmentrunner*.cpp.
// Thread affinity: plain values and a blocking probe; thread-safe.
#include <nlohmann/json.hpp>

#include <array>
#include <string>

namespace paas::runner {

inline constexpr const char* kManagedLabel = "paas.managed";
inline constexpr const char* kProjectLabel = "paas.project";
inline constexpr const char* kEnvLabel = "paas.env";
inline constexpr const char* kReleaseLabel = "paas.release";
inline constexpr const char* kOpLabel = "paas.op";
inline constexpr const char* kSlotLabel = "paas.slot";
// The instance's artifacts root: instances sharing one engine never touch
// each other's containers.
inline constexpr const char* kRootLabel = "paas.root";

// paas_runs/<project>.<env>
struct Record {
    std::string projectId, env;
    int port = 0;                        // the URL port (the proxy's)
    std::array<int, 2> slotPorts{0, 0};  // the containers' ports, used in turn
    int active = 0;                      // the slot of the current container (0: none yet)
    std::string containerId, image, opId;
    int release = 0;
    bool stopped = false;

    nlohmann::json toJson() const;
    static Record fromJson(const nlohmann::json& j);
};

std::string recordKey(const std::string& projectId, const std::string& env);
std::string containerName(const std::string& projectId, const std::string& env);
std::string urlOf(int port);
nlohmann::json healthJson(bool ok, long status, const std::string& error);

struct Probe {
    bool ok = false;
    long status = 0;
    std::string error;
};
// GET http://127.0.0.1:<port>/healthz; ok on a 2xx.
Probe probeHealth(int port, int timeoutMs);

}  // namespace paas::runner
