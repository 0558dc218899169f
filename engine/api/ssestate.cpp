#include "engine/api/ssestate.h"

#include "engine/api/sseconnection.h"

#include <QDateTime>

namespace paas::api {

std::string nowIso()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString();
}

std::shared_ptr<const SseEvent> makeEvent(const StoredEvent& stored)
{
    auto ev = std::make_shared<SseEvent>();
    ev->seq = stored.seq;
    ev->projectId = stored.projectId;
    ev->opId = stored.opId;
    const nlohmann::json data = nlohmann::json::parse(stored.data, nullptr, false);
    ev->type = data.is_object() && data.value("type", nlohmann::json()).is_string() ? data["type"].get<std::string>()
                                                                                    : std::string("message");
    ev->terminal = ev->type == "op.completed" || ev->type == "op.failed" || ev->type == "op.cancelled";
    ev->log = ev->type == "step.log";
    ev->frame =
        formatSseFrame({stored.seq, QByteArray::fromStdString(ev->type), QByteArray::fromStdString(stored.data), -1});
    return ev;
}

bool accepts(const SseClient& c, const SseEvent& ev)
{
    if (!c.feed)
        return true;
    if (ev.log && !c.filter.logs)
        return false;
    return c.filter.projectId.empty() || c.filter.projectId == ev.projectId;
}

}  // namespace paas::api
