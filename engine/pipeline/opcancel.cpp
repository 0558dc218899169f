// Orchestrator::cancel: POST /api/ops/{id}/cancel (contract in orchestrator.h).
#include "engine/pipeline/orchestrator.h"

#include "engine/pipeline/eventbus.h"
#include "engine/pipeline/pipelinestore.h"

namespace paas {

Status Orchestrator::cancelRefusal(const OpRecord& op)
{
    if (op.terminal())
        return Status::conflict("op_finished", "op " + op.id + " has already ended (" + op.status +
                                                   "); only a queued or running op can be cancelled");
    if (op.kind == "delete")
        return Status::conflict("op_not_cancellable", "op " + op.id + " deletes project '" + op.projectId +
                                                          "'; a delete cannot be cancelled");
    if (op.nextStepIndex() < 0)
        return Status::conflict("op_finished", "op " + op.id + " has completed all its steps and is ending");
    return Status::ok();
}

Result<OpRecord> Orchestrator::cancel(const std::string& opId)
{
    const std::string now = nowRfc3339();
    bool again = false;
    Result<OpRecord> marked = m_store.mutateOp(opId, [&](OpRecord& o) -> Status {
        again = false;
        if (Status refused = cancelRefusal(o); !refused)
            return refused;
        if (o.cancelRequested()) {
            again = true;  // idempotent: the first request stands
            return Status::conflict("skip", "cancel already requested");
        }
        o.cancelRequestedAt = now;
        return Status::ok();
    });
    if (again)
        marked = m_store.op(opId);
    else if (marked)
        m_events.publish(*marked, events::kOpCancelRequested, {{"status", marked->status}, {"requested_at", now}});
    if (!marked)
        return marked.status();
    // From here on the request is in JetStream: it takes effect even if this
    // process dies now (claimStep, dispatchNext and recover() honour it).
    if (marked->status != opstatus::kQueued)
        return marked;  // a step runs: the op ends at its boundary
    // No step ever started, and none will: end it now. Should this write
    // fail, the recorded request ends it when it is dispatched or recovered.
    if (!finishOp(opId, Status::ok()))
        return marked;
    Result<OpRecord> ended = m_store.op(opId);
    return ended ? ended : marked;
}

}  // namespace paas
