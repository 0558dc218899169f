// The realtime routes: GET /api/ops/{opID}/events and GET /api/events (SSE),
// served by one SseHub that lives on the API thread with the router.
#include "engine/api/apiutil.h"
#include "engine/api/router.h"
#include "engine/api/routes.h"
#include "engine/api/ssehub.h"
#include "engine/pipeline/platform.h"
#include "engine/store/backend.h"

namespace paas::api {

void registerEventRoutes(Router& router, const ApiContext& context)
{
    if (!context.backend || !context.platform || !context.config)
        return;
    SseHubOptions options;
    options.heartbeatMs = context.config->sseHeartbeatMs;
    options.maxClients = context.config->sseMaxClients;
    Platform* platform = context.platform;
    auto snapshot = [platform](const std::string& opId) -> Result<nlohmann::json> {
        Result<OpRecord> op = platform->op(opId);
        if (!op)
            return op.status();
        return opJson(*op);  // as GET /api/ops/{id} serves it
    };
    // Owned by the router: deleted with it, on the API thread.
    auto* hub = new SseHub(context.backend->client(), snapshot, options, &router);
    hub->addRoutes(router);
}

}  // namespace paas::api
