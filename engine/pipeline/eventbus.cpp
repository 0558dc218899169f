#include "engine/pipeline/eventbus.h"

#include "engine/store/backend.h"
#include "engine/store/natsclient.h"

#include <QDebug>

namespace paas {

std::string eventSubject(const std::string& projectId, const std::string& opId)
{
    return std::string(names::kEventsSubjectPrefix) + projectId + "." + opId;
}

std::string EventBus::eventText(const OpRecord& op, const std::string& type, nlohmann::json extra)
{
    nlohmann::json data{
        {"type", type}, {"op_id", op.id}, {"project_id", op.projectId}, {"kind", op.kind}, {"at", nowRfc3339()}};
    if (!op.classification.empty())
        data["classification"] = op.classification;
    if (extra.is_object())
        data.update(extra);
    return data.dump();
}

Result<uint64_t> EventBus::publish(const OpRecord& op, const std::string& type, nlohmann::json extra)
{
    Result<uint64_t> seq = m_client.publish(eventSubject(op.projectId, op.id), eventText(op, type, std::move(extra)));
    if (!seq)
        qWarning().noquote() << "event not published:" << QString::fromStdString(seq.status().message());
    else
        ++m_published;
    return seq;
}

Status EventBus::publishAsync(const OpRecord& op, const std::string& type, nlohmann::json extra)
{
    Status s = m_client.publishAsync(eventSubject(op.projectId, op.id), eventText(op, type, std::move(extra)));
    if (!s)
        qWarning().noquote() << "event not published:" << QString::fromStdString(s.message());
    else
        ++m_published;
    return s;
}

}  // namespace paas
