#include "engine/api/router.h"
#include "engine/api/routes.h"

namespace paas::api {

void registerEventRoutes(Router&, const ApiContext&) {}

}  // namespace paas::api
