// Orchestrator: per-project queues and recovery (contract in orchestrator.h).
//
// The queue of a project is its subject in the PAAS_QUEUE stream. Who starts
// the next op, with no lock across threads or instances:
//  - an acceptor appends its op, then reads the head: if it is its own op it
//    dispatches it;
//  - an ender deletes the head's entry, then reads the head: if there is one
//    it dispatches it.
// JetStream orders the append, the delete and both reads, so whichever of
// the two reads second sees the other's write: an op never waits with no
// one to start it. Both may start it; a duplicate work item is ignored.
// An acceptor writes its op record and its entry at once, so an ender may
// read an entry before its op: it waits for that op (acceptedOp(), up to the
// accept window), and skips the entry only if the op never came.
#include "engine/pipeline/orchestrator.h"

#include "engine/pipeline/pipelinestore.h"
#include "engine/pipeline/platform.h"

#include <QDateTime>
#include <QDebug>

#include <algorithm>

namespace paas {

namespace {

// Project status after an op of `kind` ended.
std::string projectStatusAfter(const OpRecord& op, const std::string& current)
{
    if (current == "deleting" && op.kind != "delete")
        return current;                     // a queued delete keeps the project closed to new ops
    if (op.status == opstatus::kCancelled)  // stopped on request: only a create leaves a project not ready
        return op.kind == "create" ? "failed" : current;
    if (op.kind == "create" || op.kind == "update")
        return op.status == opstatus::kCompleted ? "ready" : "failed";
    if (op.kind == "delete")
        return op.status == opstatus::kCompleted ? "deleted" : current;
    return current.empty() || current == "registering" ? "ready" : current;
}

// Ops that ended after this are still being popped by their ender; an
// acceptor moves along only a head left behind (an ender that died).
std::string recentlyEnded()
{
    return QDateTime::currentDateTimeUtc().addSecs(-10).toString(Qt::ISODateWithMs).toStdString();
}

// Whether the op's end changes its project: it ran, or it created it. A
// queued op cancelled before it ran leaves the project as it is.
bool endsOnProject(const OpRecord& op)
{
    return op.kind == "create" ||
           std::any_of(op.steps.begin(), op.steps.end(), [](const StepRecord& s) { return !s.startedAt.empty(); });
}

// A removed head that is read again would loop forever: an error instead.
Status entryKept(const std::string& projectId, uint64_t seq)
{
    return Status::unavailable("queue_entry_kept", "entry " + std::to_string(seq) + " of the queue of " + projectId +
                                                       " was removed, yet is still read");
}

}  // namespace

Status Orchestrator::startIfHead(const OpRecord& op)
{
    Result<std::optional<QueueEntry>> head = m_store.queueEntry(op.projectId);
    if (!head)
        return head.status();
    if (*head && (*head)->opId == op.id)
        return dispatchNext(op);
    // Another op is the head: its acceptor or its predecessor's ender starts
    // it. Only one that ended, or whose op is gone, needs moving along here.
    return advance(op.projectId, *head, false);
}

Status Orchestrator::kick(const std::string& projectId)
{
    Result<std::optional<QueueEntry>> head = m_store.queueEntry(projectId);
    if (!head)
        return head.status();
    return advance(projectId, *head, true);
}

Status Orchestrator::afterOpEnded(const OpRecord& op)
{
    Result<std::optional<QueueEntry>> head = m_store.queueEntry(op.projectId);
    if (!head)
        return head.status();
    if (!*head || (*head)->opId != op.id)
        // A queued op ended by a cancel (its entry goes when it reaches the
        // head), or a retried end whose pop was recorded: make sure the
        // head runs (a duplicate start is ignored).
        return advance(op.projectId, *head, true);
    Result<std::optional<QueueEntry>> next = popHead(op, **head);
    if (!next)
        return next.status();
    return advance(op.projectId, *next, true);
}

Status Orchestrator::advance(const std::string& projectId, std::optional<QueueEntry> entry, bool startQueued)
{
    while (entry) {
        Result<OpRecord> op = m_platform.cachedOp(entry->opId);
        if (op && !op->terminal() && (op->status == opstatus::kRunning || !startQueued))
            return Status::ok();  // its steps, or its acceptor, move it
        if (op && op->terminal() && !startQueued && op->finishedAt > recentlyEnded())
            return Status::ok();               // its ender is popping it now
        op = m_store.acceptedOp(entry->opId);  // its record may still be in flight
        if (!op && op.status().code() != Status::Code::NotFound)
            return op.status();
        if (op && !op->terminal())
            return op->status == opstatus::kQueued && startQueued ? dispatchNext(*op) : Status::ok();
        if (op && !startQueued && op->finishedAt > recentlyEnded())
            return Status::ok();  // its ender is popping it now
        Result<std::optional<QueueEntry>> next = std::optional<QueueEntry>();
        if (op) {
            next = popHead(*op, *entry);
        } else {  // its op never came, or was removed: an acceptance that failed
            if (Status s = m_store.dequeue(entry->seq); !s)
                return s;
            next = m_store.queueEntry(projectId);
        }
        if (!next)
            return next.status();
        if (*next && (*next)->seq == entry->seq)
            return entryKept(projectId, entry->seq);
        entry = *next;
        startQueued = true;  // past an ended head, the next op is ours to start
    }
    return Status::ok();
}

Result<std::optional<QueueEntry>> Orchestrator::popHead(const OpRecord& op, const QueueEntry& entry)
{
    bool deleted = false;
    if (endsOnProject(op)) {
        Result<ProjectRecord> project = m_store.mutateProject(op.projectId, [&](ProjectRecord& p) -> Status {
            if (p.createdAt > op.createdAt)
                return Status::conflict("skip", "the project was created again after this op");
            p.lastOp = op.summary();
            p.status = projectStatusAfter(op, p.status);
            p.updatedAt = nowRfc3339();
            deleted = p.status == "deleted";
            return Status::ok();
        });
        if (!project && mustRetry(project.status()))
            return project.status();
        if (!project && project.status().code() == Status::Code::NotFound)
            deleted = op.kind == "delete";  // removed, but the queue was not cleared yet
    }
    if (deleted) {
        if (Status s = finishDeletion(op.projectId, entry.seq); !s)
            return s;
        return std::optional<QueueEntry>();
    }
    if (Status s = m_store.dequeue(entry.seq); !s)
        return s;
    return m_store.queueEntry(op.projectId);  // the new head, wherever it is
}

Status Orchestrator::finishDeletion(const std::string& projectId, uint64_t headSeq)
{
    std::vector<std::string> orphans;  // queued behind the delete
    for (uint64_t from = headSeq + 1;;) {
        Result<std::optional<QueueEntry>> e = m_store.queueEntry(projectId, from);
        if (!e)
            return e.status();
        if (!*e)
            break;
        orphans.push_back((*e)->opId);
        from = (*e)->seq + 1;
    }
    // The record goes first: a retried end then still finds the delete at
    // the head, and a crash after the clear leaves the orphans to recover().
    if (Status s = m_store.removeProject(projectId); mustRetry(s))
        return s;
    if (Status s = m_store.clearQueue(projectId); !s)
        return s;
    for (const std::string& orphan : orphans)
        finishOp(orphan, Status::notFound("project_deleted", "the project was deleted before this op ran"));
    return Status::ok();
}

Status Orchestrator::migrateLegacyQueue(const ProjectRecord& project)
{
    if (project.queue.empty())
        return Status::ok();
    Result<std::optional<QueueEntry>> head = m_store.queueEntry(project.id);
    if (!head)
        return head.status();
    if (!*head)
        for (const std::string& id : project.queue)
            if (Result<uint64_t> appended = m_store.enqueue(project.id, id); !appended)
                return appended.status();
    qInfo().noquote() << "recovery: moved the queue of project" << QString::fromStdString(project.id) << "("
                      << project.queue.size() << "ops) from its record to the queue stream";
    // Any write of the record drops the queue field (the stored form has none).
    return m_store.mutateProject(project.id, [](ProjectRecord&) { return Status::ok(); }).status();
}

Result<OpRecord> Orchestrator::resumableHead(const std::string& projectId)
{
    // Ended heads go first (their pop may not have been recorded), then the
    // first unfinished op is the one to resume: its work item may be lost,
    // so it is not left to "its steps move it" as advance() would.
    for (;;) {
        Result<std::optional<QueueEntry>> head = m_store.queueEntry(projectId);
        if (!head)
            return head.status();
        if (!*head)
            return Status::notFound("queue_empty", "the queue of " + projectId + " is empty");
        Result<OpRecord> op = m_store.acceptedOp((*head)->opId);
        if (op && !op->terminal())
            return op;
        if (!op && op.status().code() != Status::Code::NotFound)
            return op.status();
        Status moved = op ? popHead(*op, **head).status() : m_store.dequeue((*head)->seq);
        if (!moved)
            return moved;
        Result<std::optional<QueueEntry>> after = m_store.queueEntry(projectId);
        if (after && *after && (*after)->seq == (*head)->seq)
            return entryKept(projectId, (*head)->seq);
    }
}

Status Orchestrator::recoverProject(const ProjectRecord& project, const std::vector<OpRecord>& unfinished,
                                    const std::string& cutoff, Recovery mode)
{
    std::vector<std::string> queued;
    for (uint64_t from = 1; !unfinished.empty();) {
        Result<std::optional<QueueEntry>> e = m_store.queueEntry(project.id, from);
        if (!e)
            return e.status();
        if (!*e)
            break;
        queued.push_back((*e)->opId);
        from = (*e)->seq + 1;
    }
    // An unfinished op in no queue lost its entry: a crash between its two
    // writes, or a nats-server killed before it wrote an acknowledged entry
    // to disk. It is queued again (at the end), never left waiting.
    for (const OpRecord& op : unfinished)
        if (op.createdAt < cutoff && std::find(queued.begin(), queued.end(), op.id) == queued.end()) {
            qInfo().noquote() << "recovery: op" << QString::fromStdString(op.id) << "was in no queue; queued again";
            if (Result<uint64_t> appended = m_store.enqueue(project.id, op.id); !appended)
                return appended.status();
        }
    Result<OpRecord> op = resumableHead(project.id);
    if (!op)
        return op.status().code() == Status::Code::NotFound ? Status::ok() : op.status();
    const int index = op->nextStepIndex();
    if (index < 0 || op->cancelRequested())  // an acknowledged cancel is never resumed
        return finishOp(op->id, Status::ok());
    if (mode == Recovery::Shared)
        return redispatchStale(*op, index, cutoff);
    const std::string stepName = op->steps[static_cast<size_t>(index)].name;
    int attempt = 0;
    Result<OpRecord> bumped = m_store.mutateOp(op->id, [&](OpRecord& o) -> Status {
        StepRecord& s = o.steps[static_cast<size_t>(index)];
        if (s.status == opstatus::kRunning)
            s.message = "interrupted by a restart; retrying";
        s.status = opstatus::kPending;
        s.attempt = std::max(1, s.attempt + (s.startedAt.empty() ? 0 : 1));
        attempt = s.attempt;
        return Status::ok();
    });
    if (!bumped)
        return bumped.status();
    qInfo().noquote() << "recovery: op" << QString::fromStdString(op->id) << "resumes at"
                      << QString::fromStdString(stepName) << "attempt" << attempt;
    if (attempt > kMaxAttempts)
        return finishOp(op->id, Status(Status::Code::Internal, "interrupted",
                                       "step " + stepName + " was interrupted by restarts " +
                                           std::to_string(kMaxAttempts) + " times"));
    return publishWork({op->id, stepName, attempt});
}

Status Orchestrator::redispatchStale(const OpRecord& op, int index, const std::string& cutoff)
{
    // Other instances are alive: a running step is theirs, or its worker
    // died and JetStream redelivers its item after the ack wait. A pending
    // step waiting since before `cutoff` lost its work item (its dispatcher
    // died between the writes): it is published again, same attempt, so a
    // duplicate of an item still in the stream is ignored by the claim.
    const StepRecord& step = op.steps[static_cast<size_t>(index)];
    if (step.status == opstatus::kRunning)
        return Status::ok();
    const std::string since = index > 0 ? op.steps[static_cast<size_t>(index - 1)].finishedAt : op.createdAt;
    if (since >= cutoff)
        return Status::ok();
    qInfo().noquote() << "recovery: op" << QString::fromStdString(op.id) << "waited at"
                      << QString::fromStdString(step.name) << "since" << QString::fromStdString(since)
                      << "; dispatched again";
    return publishWork({op.id, step.name, std::max(1, step.attempt)});
}

Result<std::vector<ProjectRecord>> Orchestrator::recoveryScope(
    bool inFlightOnly, const std::map<std::string, std::vector<OpRecord>>& unfinished)
{
    if (!inFlightOnly)
        return m_store.projects();
    std::vector<ProjectRecord> out;
    for (const auto& [projectId, ops] : unfinished) {
        Result<ProjectRecord> p = m_store.project(projectId);
        if (p)
            out.push_back(std::move(*p));
        else if (p.status().code() != Status::Code::NotFound)
            return p.status();
    }
    return out;
}

Status Orchestrator::recover(const std::string& createdBefore, Recovery mode, bool inFlightOnly)
{
    std::map<std::string, std::vector<OpRecord>> unfinished = m_platform.unfinishedOps();
    Result<std::vector<ProjectRecord>> projects = recoveryScope(inFlightOnly, unfinished);
    if (!projects)
        return projects.status();
    const std::string cutoff = createdBefore.empty() ? nowRfc3339() : createdBefore;
    for (const ProjectRecord& p : *projects) {
        Status s = migrateLegacyQueue(p);
        if (s)
            s = recoverProject(p, unfinished[p.id], cutoff, mode);
        if (!s)
            qWarning().noquote() << "recovery of project" << QString::fromStdString(p.id) << ":"
                                 << QString::fromStdString(s.message());
        unfinished.erase(p.id);
    }
    for (const auto& [projectId, ops] : unfinished)  // their project record is gone
        for (const OpRecord& op : ops)
            if (op.createdAt < cutoff)
                finishOp(op.id, Status::notFound("project_deleted", "the project was deleted before this op ran"));
    return Status::ok();
}

}  // namespace paas
