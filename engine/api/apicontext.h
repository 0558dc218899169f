#pragma once
// ApiContext: what the HTTP routes may reach in the engine. The pointers are
// owned by the Application and outlive the API server.
// Thread affinity: the pointed-to services are thread-safe; the context is
// read-only once the server starts.
#include "engine/core/config.h"

#include <nlohmann/json.hpp>

#include <functional>

namespace paas {
class Backend;
class Platform;
}  // namespace paas

namespace paas::api {

struct ApiContext {
    const Config* config = nullptr;
    Backend* backend = nullptr;
    Platform* platform = nullptr;                   // the pipeline facade
    std::function<nlohmann::json()> builderInfo;    // image builder requested/effective/reason
    std::function<nlohmann::json()> debugCounters;  // SSE clients, subscriptions, ...
};

}  // namespace paas::api
