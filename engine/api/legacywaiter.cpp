#include "engine/api/legacywaiter.h"

#include "engine/api/apiutil.h"

#include <QTimer>

#include <algorithm>

namespace paas::api {

void LegacyWaiter::start(QHttpServerResponder&& responder, const ApiContext& context, std::string opId,
                         int successStatus)
{
    auto* waiter = new LegacyWaiter(std::move(responder), context, std::move(opId), successStatus);
    waiter->poll();
}

LegacyWaiter::LegacyWaiter(QHttpServerResponder&& responder, const ApiContext& context, std::string opId,
                           int successStatus)
    : m_responder(std::move(responder)),
      m_socket(m_responder.socket()),
      m_context(context),
      m_opId(std::move(opId)),
      m_successStatus(successStatus)
{
    m_elapsed.start();
    if (Result<OpRecord> op = m_context.platform->op(m_opId))
        if (Result<ProjectRecord> project = m_context.platform->project(op->projectId))
            m_projectAtStart = toJson(*project);
    if (m_socket)
        connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
}

void LegacyWaiter::poll()
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        deleteLater();
        return;
    }
    Result<OpRecord> op = m_context.platform->op(m_opId);
    if (!op) {
        sendError(m_responder, op.status());
        deleteLater();
        return;
    }
    // The op turns terminal before the project record takes its outcome
    // (status, last_op): wait for both, or the answer carries a stale
    // project. Only a completed op's answer carries the project.
    Result<ProjectRecord> project = m_context.platform->project(op->projectId);
    const bool projectSettled = !project || op->status != opstatus::kCompleted ||
                                (project->lastOp.is_object() && project->lastOp.value("id", "") >= op->id);
    if ((!op->terminal() || !projectSettled) && m_elapsed.elapsed() < m_context.config->legacyWaitMs) {
        QTimer::singleShot(100, this, &LegacyWaiter::poll);
        return;
    }
    if (!op->terminal()) {
        sendJson(m_responder, 202, {{"accepted", true}, {"op", opJson(*op)}, {"message", "the op is still running"}});
    } else if (op->status == opstatus::kCancelled) {
        const Status cancelled = Status::conflict(op->error.code, op->error.message);
        nlohmann::json body = errorBody(cancelled);
        body["op"] = opJson(*op);
        sendJson(m_responder, httpStatusFor(cancelled.code()), body);
    } else if (op->status == opstatus::kFailed) {
        nlohmann::json body = errorBody(Status::internal(op->error.code, op->error.message));
        body["op"] = opJson(*op);
        sendJson(m_responder, op->error.code == "invalid_spec" ? 422 : 500, body);
    } else {
        nlohmann::json projectJson = project ? toJson(*project) : nlohmann::json();
        if (!project && op->kind == "delete" && m_projectAtStart.is_object()) {
            projectJson = m_projectAtStart;
            projectJson["status"] = "deleted";
            projectJson["last_op"] = op->summary();
            projectJson["queue"] = nlohmann::json::array();
        }
        sendJson(m_responder, m_successStatus, {{"project", projectJson}, {"op_id", op->id}, {"op", opJson(*op)}});
    }
    deleteLater();
}

}  // namespace paas::api
