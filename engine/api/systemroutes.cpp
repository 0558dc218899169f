// /healthz and /api/system.
#include "engine/api/router.h"
#include "engine/api/routes.h"
#include "engine/pipeline/environmentrunner.h"
#include "engine/pipeline/platform.h"
#include "engine/store/backend.h"
#include "generated/buildinfo.h"

namespace paas::api {

void registerSystemRoutes(Router& router, const ApiContext& context)
{
    using M = QHttpServerRequest::Method;
    router.add(M::Get, QStringLiteral("/healthz"), [context](HttpExchange& ex) {
        const std::string health = context.backend->health();
        sendJson(ex, health == "ok" ? 200 : 503,
                 {{"status", health},
                  {"nats", context.backend->client().connected() ? "connected" : "disconnected"},
                  {"uptime_s", context.backend->uptimeSeconds()}});
    });
    router.add(M::Get, QStringLiteral("/api/system"), [context](HttpExchange& ex) {
        nlohmann::json body{
            {"name", "paas"},
            {"version", PAAS_BUILD_VERSION},  // git describe (cmake/BuildInfo.cmake)
            {"commit", PAAS_BUILD_COMMIT},
            {"listen_url", context.config->listenUrl().toStdString()},
            {"artifacts_root", context.config->artifactsRoot.toStdString()},
            {"headless", context.config->headless},
            {"instance",
             {{"id", context.config->instanceId.toStdString()},
              {"role", context.config->role.toStdString()},
              {"work_ack_wait_ms", context.config->workAckWaitMs},
              {"lease_ttl_ms", context.config->leaseTtlMs},
              {"leases", context.platform ? context.platform->leases() : nlohmann::json::object()}}},
            {"health", context.backend->health()},
            {"uptime_s", context.backend->uptimeSeconds()},
            {"nats", context.backend->describe()},
            {"commit_watcher",
             {{"enabled", context.config->commitWatcherEnabled},
              {"interval_ms", context.config->commitWatcherIntervalMs}}},
        };
        body["image_builder"] = context.builderInfo ? context.builderInfo() : nlohmann::json::object();
        if (context.platform)
            body["run"] = context.platform->runner().describe();
        if (context.debugCounters)
            body["counters"] = context.debugCounters();
        sendJson(ex, 200, body);
    });
}

}  // namespace paas::api
