#include "engine/api/router.h"
#include "engine/api/routes.h"

namespace paas::api {

void registerDeliveryRoutes(Router&, const ApiContext&) {}

}  // namespace paas::api
