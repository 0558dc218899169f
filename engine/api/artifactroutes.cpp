#include "engine/api/router.h"
#include "engine/api/routes.h"

namespace paas::api {

void registerArtifactRoutes(Router&, const ApiContext&) {}

}  // namespace paas::api
