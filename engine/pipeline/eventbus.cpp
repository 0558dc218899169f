#include "engine/pipeline/eventbus.h"

#include "engine/store/backend.h"
#include "engine/store/natsclient.h"

#include <QDebug>

namespace paas {

std::string eventSubject(const std::string& projectId, const std::string& opId)
{
    return std::string(names::kEventsSubjectPrefix) + projectId + "." + opId;
}

Result<uint64_t> EventBus::publish(const OpRecord& op, const std::string& type, nlohmann::json extra)
{
    nlohmann::json data{{"type", type}, {"op_id", op.id}, {"project_id", op.projectId},
                        {"kind", op.kind}, {"at", nowRfc3339()}};
    if (!op.classification.empty())
        data["classification"] = op.classification;
    if (extra.is_object())
        data.update(extra);
    Result<uint64_t> seq = m_client.publish(eventSubject(op.projectId, op.id), data.dump());
    if (!seq)
        qWarning().noquote() << "event not published:" << QString::fromStdString(seq.status().message());
    else
        ++m_published;
    return seq;
}

}  // namespace paas
