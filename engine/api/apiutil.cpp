#include "engine/api/apiutil.h"

#include "engine/api/queryparams.h"

namespace paas::api {

nlohmann::json opJson(const OpRecord& op, bool withSteps)
{
    nlohmann::json j = withSteps ? toJson(op) : op.summary();
    j.erase("params");
    j["links"] = {{"self", "/api/ops/" + op.id}, {"events", "/api/ops/" + op.id + "/events"}};
    return j;
}

void sendSubmission(HttpExchange& ex, const Submission& submission)
{
    if (!submission.accepted) {
        sendJson(ex, 200, {{"accepted", false}, {"reason", submission.reason}});
        return;
    }
    sendJson(ex, 202, {{"accepted", true}, {"op", opJson(submission.op)}},
             {{"Location", QByteArray::fromStdString("/api/ops/" + submission.op.id)}});
}

std::string queryString(const HttpExchange& ex, const char* name)
{
    return queryValue(ex.request.url(), name);
}

int queryInt(const HttpExchange& ex, const char* name, int fallback, int min, int max)
{
    return queryIntValue(ex.request.url(), name, fallback, min, max);
}

}  // namespace paas::api
