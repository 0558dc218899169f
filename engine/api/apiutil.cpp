#include "engine/api/apiutil.h"

#include "engine/api/queryparams.h"

namespace paas::api {

nlohmann::json opJson(const OpRecord& op, bool withSteps)
{
    return toApiJson(op, withSteps);
}

Reply submissionReply(const Submission& submission)
{
    if (!submission.accepted)
        return Reply::json(200, {{"accepted", false}, {"reason", submission.reason}});
    return {202,
            {{"accepted", true}, {"op", opJson(submission.op)}},
            {{"Location", QByteArray::fromStdString("/api/ops/" + submission.op.id)}}};
}

Reply submitted(const Result<Submission>& submission)
{
    return submission ? submissionReply(*submission) : Reply::error(submission.status());
}

std::string queryString(const HttpExchange& ex, const char* name)
{
    return queryValue(ex.request.url(), name);
}

int queryInt(const HttpExchange& ex, const char* name, int fallback, int min, int max)
{
    return queryIntValue(ex.request.url(), name, fallback, min, max);
}

QByteArray objectWithRawArray(const nlohmann::json& fields, const std::string& key,
                              const std::vector<std::shared_ptr<const std::string>>& items)
{
    std::string head = fields.dump();  // "{...}"
    head.pop_back();                   // drop the closing brace
    if (head.size() > 1)
        head += ',';
    head += nlohmann::json(key).dump() + ":[";
    size_t size = head.size() + 2;
    for (const auto& item : items)
        size += item->size() + 1;
    QByteArray out;
    out.reserve(qsizetype(size));
    out.append(head.data(), qsizetype(head.size()));
    for (size_t i = 0; i < items.size(); ++i) {
        if (i)
            out.append(',');
        out.append(items[i]->data(), qsizetype(items[i]->size()));
    }
    out.append("]}");
    return out;
}

}  // namespace paas::api
