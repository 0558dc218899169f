#include "engine/api/router.h"
#include "engine/api/routes.h"

namespace paas::api {

void registerProjectRoutes(Router&, const ApiContext&) {}

}  // namespace paas::api
