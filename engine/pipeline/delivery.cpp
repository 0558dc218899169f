// Platform::submitDelivery: acceptance and guardrails of the delivery pathway.
#include "engine/pipeline/platform.h"

namespace paas {

Result<Submission> Platform::submitDelivery(const DeliveryRequest&)
{
    return Status::unavailable("not_implemented", "delivery is not implemented yet");
}

}  // namespace paas
