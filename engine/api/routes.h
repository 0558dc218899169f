#pragma once
// The route modules. Each registers its table of routes on the Router; all
// run on the API thread. See docs/API_CONTRACTS.md for every endpoint.
#include "engine/api/apicontext.h"

namespace paas::api {

class Router;

void registerSystemRoutes(Router& router, const ApiContext& context);    // /healthz, /api/system
void registerProjectRoutes(Router& router, const ApiContext& context);   // projects, registration, legacy
void registerOpRoutes(Router& router, const ApiContext& context);        // /api/ops/{id}, its cancel, webhooks
void registerEventRoutes(Router& router, const ApiContext& context);     // SSE
void registerArtifactRoutes(Router& router, const ApiContext& context);  // artifacts listing/download
void registerDeliveryRoutes(Router& router, const ApiContext& context);  // deploy/promote/release/rollback
void registerRunRoutes(Router& router, const ApiContext& context);       // environments' stop/start/logs
void registerStaticRoutes(Router& router, const ApiContext& context);    // the web UI at /

}  // namespace paas::api
