#include "ui/optracker.h"

#include <QHash>

namespace paas {

namespace {

enum class Effect { FollowStatus, Running, Completed, Failed, Ignore };
enum class Phase { Running, Completed, Failed };

const QHash<QString, Effect>& effectTable()
{
    static const QHash<QString, Effect> table = {
        {QStringLiteral("op.status"), Effect::FollowStatus},
        {QStringLiteral("op.bootstrap"), Effect::FollowStatus},
        {QStringLiteral("op.heartbeat"), Effect::FollowStatus},
        {QStringLiteral("step.started"), Effect::Running},
        {QStringLiteral("step.log"), Effect::Running},
        {QStringLiteral("step.completed"), Effect::Running},
        {QStringLiteral("step.failed"), Effect::Running},  // op.failed follows
        {QStringLiteral("op.completed"), Effect::Completed},
        {QStringLiteral("op.failed"), Effect::Failed},
        {QStringLiteral("step.cancelled"), Effect::Running},            // op.cancelled follows
        {QStringLiteral("op.cancel_requested"), Effect::FollowStatus},  // still queued/running
        {QStringLiteral("op.cancelled"), Effect::FollowStatus},         // status "cancelled"
    };
    return table;
}

const QHash<QString, Phase>& statusTable()
{
    static const QHash<QString, Phase> table = {
        {QStringLiteral("queued"), Phase::Running},      {QStringLiteral("pending"), Phase::Running},
        {QStringLiteral("accepted"), Phase::Running},    {QStringLiteral("running"), Phase::Running},
        {QStringLiteral("in_progress"), Phase::Running}, {QStringLiteral("succeeded"), Phase::Completed},
        {QStringLiteral("success"), Phase::Completed},   {QStringLiteral("completed"), Phase::Completed},
        {QStringLiteral("done"), Phase::Completed},      {QStringLiteral("failed"), Phase::Failed},
        {QStringLiteral("error"), Phase::Failed},        {QStringLiteral("cancelled"), Phase::Failed},
        {QStringLiteral("canceled"), Phase::Failed},     {QStringLiteral("interrupted"), Phase::Failed},
    };
    return table;
}

QString str(const QJsonObject& data, const char* key)
{
    return data.value(QLatin1String(key)).toString();
}

QString errorText(const QJsonObject& data)
{
    const QJsonValue error = data.value(QLatin1String("error"));
    if (error.isString())
        return error.toString();
    if (error.isObject()) {
        const QJsonObject e = error.toObject();
        const QString message = e.value(QLatin1String("message")).toString();
        return message.isEmpty() ? e.value(QLatin1String("code")).toString() : message;
    }
    return str(data, "message");
}

}  // namespace

QString trayStateName(TrayState state)
{
    switch (state) {
    case TrayState::Idle: return QStringLiteral("idle");
    case TrayState::Running: return QStringLiteral("running");
    case TrayState::Failed: return QStringLiteral("failed");
    }
    return QStringLiteral("idle");
}

OpTracker::OpTracker(QObject* parent) : QObject(parent) {}

OpSummary& OpTracker::touch(const QString& opId)
{
    for (qsizetype i = 0; i < m_recent.size(); ++i) {
        if (m_recent[i].opId == opId) {
            m_recent.move(i, 0);
            return m_recent.front();
        }
    }
    OpSummary fresh;
    fresh.opId = opId;
    m_recent.prepend(fresh);
    while (m_recent.size() > kMaxRecent)
        m_recent.removeLast();  // m_running keeps its own ids
    return m_recent.front();
}

void OpTracker::handleEvent(const QString& type, const QJsonObject& data)
{
    const QString opId = str(data, "op_id");
    const auto effectIt = effectTable().find(type);
    if (opId.isEmpty() || effectIt == effectTable().end())
        return;
    const QString status = str(data, "status");
    Phase phase = Phase::Running;
    switch (*effectIt) {
    case Effect::Ignore: return;
    case Effect::Running: break;
    case Effect::Completed: phase = Phase::Completed; break;
    case Effect::Failed: phase = Phase::Failed; break;
    case Effect::FollowStatus:
        if (status.isEmpty() && !m_running.contains(opId))
            return;  // e.g. a bare heartbeat for an op we never saw running
        phase = statusTable().value(status, Phase::Running);
        break;
    }
    const bool snapshot = (type == QLatin1String("op.bootstrap"));
    OpSummary& op = touch(opId);
    if (!str(data, "project_id").isEmpty())
        op.projectId = str(data, "project_id");
    if (!str(data, "kind").isEmpty())
        op.kind = str(data, "kind");
    op.lastEvent = type;
    op.updatedAt = QDateTime::currentDateTimeUtc();
    if (phase == Phase::Running)
        applyRunning(op, status, snapshot);
    else
        applyTerminal(op, status, phase == Phase::Failed, snapshot, errorText(data));
    emit changed();
}

void OpTracker::applyRunning(OpSummary& op, const QString& status, bool snapshot)
{
    if (op.terminal && !snapshot)
        return;  // a late step event after the end: the op stays finished
    const bool known = statusTable().value(status, Phase::Completed) == Phase::Running;
    op.status = known ? status : QStringLiteral("running");
    op.terminal = false;
    op.failed = false;
    if (!m_running.contains(op.opId))
        m_running.append(op.opId);
}

void OpTracker::applyTerminal(OpSummary& op, const QString& status, bool failed, bool snapshot, const QString& error)
{
    const bool wasTerminal = op.terminal;
    op.status = !status.isEmpty() ? status : (failed ? QStringLiteral("failed") : QStringLiteral("succeeded"));
    op.terminal = true;
    op.failed = failed;
    if (failed && !error.isEmpty())
        op.error = error;
    m_running.removeAll(op.opId);
    if (snapshot || wasTerminal)
        return;  // history, or already announced
    if (failed)
        m_failedUnacknowledged = true;  // sticky until acknowledge()
    emit opFinished(op, failed);
}

void OpTracker::acknowledge()
{
    if (!m_failedUnacknowledged)
        return;
    m_failedUnacknowledged = false;
    emit changed();
}

TrayState OpTracker::state() const
{
    if (!m_running.isEmpty())
        return TrayState::Running;
    return m_failedUnacknowledged ? TrayState::Failed : TrayState::Idle;
}

int OpTracker::runningCount() const
{
    return int(m_running.size());
}

}  // namespace paas
