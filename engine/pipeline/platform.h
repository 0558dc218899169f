#pragma once
// Platform: the engine's facade — everything the API (and the app) may ask
// of the pipeline. Placeholder during the foundation; grows with the
// registration, CI and delivery pipelines.
// Thread affinity: thread-safe unless stated; start()/stop() on the main thread.
#include "engine/core/config.h"
#include "engine/core/status.h"

#include <nlohmann/json.hpp>

#include <QString>

#include <string>

namespace paas {

class Backend;

class Platform {
public:
    Platform(const Config& config, Backend& backend);
    ~Platform();

    Status start();
    void stop();

    void setApiUrl(const std::string& url);
    nlohmann::json builderInfo() const;
    QString builderSummaryLine() const;

private:
    const Config& m_config;
    Backend& m_backend;
    std::string m_apiUrl;
};

}  // namespace paas
