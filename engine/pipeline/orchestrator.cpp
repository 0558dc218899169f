#include "engine/pipeline/orchestrator.h"

#include "engine/core/projectlock.h"

#include "engine/model/ids.h"
#include "engine/pipeline/eventbus.h"
#include "engine/pipeline/pipelinestore.h"
#include "engine/pipeline/platform.h"
#include "engine/store/backend.h"
#include "engine/store/natsclient.h"

#include <QDateTime>
#include <QDebug>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <thread>

namespace paas {

namespace {

// The claim of `step` (attempt, this instance) on op `o`; true when the op
// itself starts running with it.
bool markClaimed(OpRecord& o, StepRecord& step, int attempt, const std::string& instance, const std::string& now)
{
    step.status = opstatus::kRunning;
    step.attempt = attempt;
    step.instance = instance;
    step.startedAt = now;
    step.finishedAt.clear();
    if (o.status != opstatus::kQueued)
        return false;
    o.status = opstatus::kRunning;
    o.startedAt = now;
    return true;
}

struct RouteEntry {
    const char* kind;
    std::vector<std::string> steps;
};

const std::vector<RouteEntry>& routeTable()
{
    using namespace steps;
    static const std::vector<RouteEntry> table = {
        {"create", {kRegistrar, kRepoBootstrap, kImageBuilder, kManifestRenderer}},
        {"update", {kRegistrar, kRepoBootstrap, kImageBuilder, kManifestRenderer}},
        {"delete", {kRegistrar, kRepoBootstrap}},
        {"ci", {kImageBuilder, kManifestRenderer}},
        {"deploy", {kDeployer}},
        {"promote", {kPromoter}},
        {"release", {kReleaser}},
        {"rollback", {kRollback}},
        {"stop", {kRunner}},
        {"start", {kRunner}},
    };
    return table;
}

enum class Claim { Run, Skip, Advance, Interrupted, Settle, Cancel };

// The error recorded on a cancelled op.
std::string cancelMessage(const OpRecord& op)
{
    return "cancelled on request (at " + op.cancelRequestedAt + ")" +
           (op.startedAt.empty() ? std::string("; it never started") : std::string());
}

const char* endEvent(const std::string& status)
{
    if (status == opstatus::kCompleted)
        return events::kOpCompleted;
    return status == opstatus::kCancelled ? events::kOpCancelled : events::kOpFailed;
}

const char* stepEndEvent(const std::string& status)
{
    if (status == opstatus::kCompleted)
        return events::kStepCompleted;
    return status == opstatus::kCancelled ? events::kStepCancelled : events::kStepFailed;
}

// When this process started (static initialisation runs before main).
const QDateTime kProcessStart = QDateTime::currentDateTimeUtc();

// A step cut off by a crash (kill -9, power loss) can leave git lock files
// (config.lock, index.lock, HEAD.lock, refs/heads/main.lock) in the project's
// repos, and its retry would then fail with git_error instead of finishing.
// Locks older than this process were left by a dead process and are removed;
// newer ones (a live git, e.g. the user's) are left alone.
void clearStaleGitLocks(const QString& projectDir, const std::function<void(const std::string&)>& log)
{
    for (const char* repo : {"/repos/source/.git", "/repos/manifests/.git"}) {
        const QString gitDir = projectDir + QLatin1String(repo);
        for (const auto& [dir, flags] : {std::pair{gitDir, QDirIterator::NoIteratorFlags},
                                         std::pair{gitDir + "/refs", QDirIterator::Subdirectories}}) {
            QDirIterator it(dir, {QStringLiteral("*.lock")}, QDir::Files | QDir::Hidden, flags);
            while (it.hasNext()) {
                const QFileInfo lock(it.next());
                if (lock.lastModified().toUTC() < kProcessStart && QFile::remove(lock.filePath()))
                    log("removed stale git lock " + lock.filePath().toStdString() + " left by an interrupted run");
            }
        }
    }
}

}  // namespace

std::string WorkItem::toJson() const
{
    return nlohmann::json{{"op_id", opId}, {"step", step}, {"attempt", attempt}}.dump();
}

bool WorkItem::fromJson(const std::string& text, WorkItem& out)
{
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object() || !j.contains("op_id") || !j.contains("step"))
        return false;
    out.opId = j.value("op_id", "");
    out.step = j.value("step", "");
    out.attempt = j.value("attempt", 1);
    return !out.opId.empty() && !out.step.empty();
}

Orchestrator::Orchestrator(Platform& platform, PipelineStore& store, EventBus& events, NatsClient& client)
    : m_platform(platform), m_store(store), m_events(events), m_client(client)
{
}

const std::vector<std::string>& Orchestrator::route(const std::string& kind)
{
    static const std::vector<std::string> none;
    for (const RouteEntry& r : routeTable())
        if (kind == r.kind)
            return r.steps;
    return none;
}

std::vector<std::string> Orchestrator::allSteps()
{
    std::vector<std::string> out;
    for (const RouteEntry& r : routeTable())
        for (const std::string& s : r.steps)
            if (std::find(out.begin(), out.end(), s) == out.end())
                out.push_back(s);
    return out;
}

OpRecord Orchestrator::newOp(const std::string& kind, const std::string& projectId) const
{
    OpRecord op;
    op.id = newOpId();
    op.kind = kind;
    op.projectId = projectId;
    op.createdAt = nowRfc3339();
    for (const std::string& s : route(kind))
        op.steps.push_back(StepRecord{s});
    return op;
}

Status Orchestrator::publishWork(const WorkItem& item)
{
    return m_client.publish(std::string(names::kWorkSubjectPrefix) + item.step, item.toJson()).status();
}

bool Orchestrator::mustRetry(const Status& s)
{
    return !s.isOk() && s.code() != Status::Code::Conflict && s.code() != Status::Code::NotFound;
}

Status Orchestrator::dispatchNext(const OpRecord& op)
{
    if (op.terminal())
        return Status::ok();
    if (op.cancelRequested())
        return finishOp(op.id, Status::ok());  // a step boundary: the cancel takes effect
    const int index = op.nextStepIndex();
    if (index < 0)
        return finishOp(op.id, Status::ok());
    const StepRecord& step = op.steps[static_cast<size_t>(index)];
    return publishWork({op.id, step.name, std::max(1, step.attempt)});
}

Result<bool> Orchestrator::claimStep(const WorkItem& item, int numDelivered, OpRecord& op, bool& becameRunning)
{
    Claim claim = Claim::Skip;
    const std::string now = nowRfc3339();
    Result<OpRecord> claimed = m_store.mutateOp(item.opId, [&](OpRecord& o) -> Status {
        claim = Claim::Skip;
        becameRunning = false;
        StepRecord* step = o.step(item.step);
        if (o.terminal() && numDelivered > 1) {
            claim = Claim::Settle;  // its end may not have reached the project queue
            return Status::conflict("skip", "terminal");
        }
        if (o.terminal() || !step || item.attempt < step->attempt)
            return Status::conflict("skip", "stale or terminal");
        if (step->status == opstatus::kCompleted || step->status == opstatus::kSkipped) {
            claim = Claim::Advance;
            return Status::conflict("skip", "already done");
        }
        int attempt = std::max(item.attempt, std::max(1, step->attempt));
        if (step->status == opstatus::kRunning) {
            if (numDelivered <= 1 && item.attempt == step->attempt)
                return Status::conflict("skip", "duplicate of a running step");
            attempt = step->attempt + 1;  // take over an interrupted step
        }
        if (o.cancelRequested()) {
            claim = Claim::Cancel;  // no step starts once a cancel is recorded
            return Status::conflict("skip", "cancel requested");
        }
        if (attempt > kMaxAttempts) {
            claim = Claim::Interrupted;
            return Status::conflict("skip", "too many attempts");
        }
        claim = Claim::Run;
        becameRunning = markClaimed(o, *step, attempt, m_platform.instanceId(), now);
        return Status::ok();
    });
    if (claimed) {
        op = claimed.value();
        return true;
    }
    if (mustRetry(claimed.status()))
        return claimed.status();
    if (claim == Claim::Advance || claim == Claim::Settle) {
        Result<OpRecord> current = m_store.op(item.opId);
        if (!current)
            return mustRetry(current.status()) ? Result<bool>(current.status()) : Result<bool>(false);
        Status s = claim == Claim::Advance ? dispatchNext(*current) : afterOpEnded(*current);
        return s ? Result<bool>(false) : Result<bool>(s);
    }
    if (claim == Claim::Interrupted || claim == Claim::Cancel) {
        Status s =
            finishOp(item.opId, claim == Claim::Cancel
                                    ? Status::ok()
                                    : Status(Status::Code::Internal, "interrupted",
                                             "step " + item.step + " was interrupted " + std::to_string(kMaxAttempts) +
                                                 " times (the process stopped while it ran)"));
        return s ? Result<bool>(false) : Result<bool>(s);
    }
    return false;
}

Status Orchestrator::handle(const WorkItem& item, int numDelivered, const std::function<void()>& keepAlive)
{
    OpRecord op;
    bool becameRunning = false;
    Result<bool> run = claimStep(item, numDelivered, op, becameRunning);
    if (!run || !*run)
        return run.status();
    const StepRecord* step = op.step(item.step);
    if (becameRunning)
        m_events.publishAsync(op, events::kOpStatus, {{"status", opstatus::kRunning}});
    return runStep(std::move(op), item.step, step ? step->attempt : 1, keepAlive);
}

StepOutcome Orchestrator::invokeStep(const OpRecord& op, const std::string& stepName, int attempt,
                                     const std::function<void()>& keepAlive)
{
    StepContext ctx{m_platform,
                    m_store,
                    op,
                    stepName,
                    m_platform.projectDir(op.projectId),
                    [this, &op, &stepName](const std::string& line) {
                        m_events.publishAsync(op, events::kStepLog, {{"step", stepName}, {"line", line}});
                    },
                    keepAlive,
                    [this, id = op.id] { return m_platform.cancelRequested(id); },
                    [this, id = op.id, stepName, attempt] { return checkFence(id, stepName, attempt); }};
    // The second guard: one writer of a project's files among the instances
    // sharing the artifacts root, even when a stale attempt still runs.
    const QString lockPath =
        m_platform.config().artifactsRoot + "/.paas/locks/" + QString::fromStdString(op.projectId) + ".lock";
    int polls = 0;
    Result<std::unique_ptr<ProjectLock>> lock = ProjectLock::acquire(lockPath, [&] {
        if (++polls % 10 != 0)
            return true;
        if (keepAlive)
            keepAlive();
        return checkFence(op.id, stepName, attempt).code() != Status::Code::Conflict;
    });
    if (!lock)
        return {lock.status()};
    if (attempt > 1)
        clearStaleGitLocks(ctx.projectDir, ctx.log);
    auto it = m_steps.find(stepName);
    if (it == m_steps.end())
        return {Status::internal("no_worker", "no worker registered for step " + stepName)};
    try {
        return it->second(ctx);
    } catch (const std::exception& e) {
        return {Status::internal("worker_exception", std::string("step crashed: ") + e.what())};
    }
}

StepOutcome Orchestrator::invokeStepRetrying(const OpRecord& op, const std::string& stepName, int attempt,
                                             const std::function<void()>& keepAlive)
{
    // A step that failed only because JetStream did not answer (a cluster
    // electing a leader after a node died, a restarting server) is run again
    // in place after a pause, up to 1+2+3+4+5 s: the outage does not fail the
    // op, nor use up its attempts. Steps are idempotent (redelivery needs it).
    StepOutcome outcome = invokeStep(op, stepName, attempt, keepAlive);
    for (int pause = 1; pause <= 5; ++pause) {
        if (outcome.status.code() != Status::Code::Unavailable || outcome.status.reason() != "backend_unavailable")
            break;
        m_events.publishAsync(op, events::kStepLog,
                              {{"step", stepName},
                               {"line", "the backend did not answer (" + outcome.status.message() + "); retrying in " +
                                            std::to_string(pause) + " s"}});
        for (int s = 0; s < pause; ++s) {
            std::this_thread::sleep_for(std::chrono::seconds(1));
            if (keepAlive)
                keepAlive();
        }
        outcome = invokeStep(op, stepName, attempt, keepAlive);
    }
    return outcome;
}

Status Orchestrator::checkFence(const std::string& opId, const std::string& stepName, int attempt) const
{
    Result<OpRecord> current = m_store.op(opId);  // from JetStream, not from memory
    if (!current)
        return current.status();
    const StepRecord* step = current->step(stepName);
    if (!current->terminal() && step && step->attempt == attempt && step->status == opstatus::kRunning)
        return Status::ok();
    return Status::conflict("fenced", "step " + stepName + " attempt " + std::to_string(attempt) + " of op " + opId +
                                          " no longer holds its claim (now attempt " +
                                          std::to_string(step ? step->attempt : 0) + " on " +
                                          (step && !step->instance.empty() ? step->instance : "?") + ", op " +
                                          current->status + "); its writes are dropped");
}

Status Orchestrator::runStep(OpRecord op, const std::string& stepName, int attempt,
                             const std::function<void()>& keepAlive)
{
    m_events.publishAsync(op, events::kStepStarted,
                          {{"step", stepName}, {"status", opstatus::kRunning}, {"attempt", attempt}});
    const StepOutcome outcome = invokeStepRetrying(op, stepName, attempt, keepAlive);
    const bool ok = outcome.status.isOk();
    const std::string message = ok ? outcome.message : outcome.status.message();
    std::string stepStatus;
    Result<OpRecord> recorded = m_store.mutateOp(op.id, [&](OpRecord& o) -> Status {
        StepRecord* s = o.step(stepName);
        if (!s || s->attempt != attempt)
            return Status::conflict("superseded", "step was taken over");
        // A step that failed once its op's cancel was requested was most
        // likely stopped by it (a BuildKit build): it reads "cancelled".
        s->status = ok ? opstatus::kCompleted : o.cancelRequested() ? opstatus::kCancelled : opstatus::kFailed;
        stepStatus = s->status;
        s->finishedAt = nowRfc3339();
        s->message = message;
        s->outputs = outcome.outputs;
        return Status::ok();
    });
    if (!recorded)
        return mustRetry(recorded.status()) ? recorded.status() : Status::ok();
    m_events.publishAsync(
        *recorded, stepEndEvent(stepStatus),
        {{"step", stepName}, {"status", stepStatus}, {"message", message}, {"outputs", outcome.outputs}});
    return ok ? dispatchNext(*recorded) : finishOp(op.id, outcome.status);
}

Status Orchestrator::finishOp(const std::string& opId, const Status& failure)
{
    bool transitioned = false;
    Result<OpRecord> ended = m_store.mutateOp(opId, [&](OpRecord& o) -> Status {
        transitioned = false;
        if (o.terminal())
            return Status::ok();
        transitioned = true;
        o.finishedAt = nowRfc3339();
        if (o.cancelRequested()) {  // started_at stays null for an op that never started
            o.status = opstatus::kCancelled;
            o.error = {"cancelled", cancelMessage(o)};
            for (StepRecord& step : o.steps)  // cut off by a crash: it is not resumed
                if (step.status == opstatus::kRunning) {
                    step.status = opstatus::kCancelled;
                    step.finishedAt = o.finishedAt;
                    step.message = "interrupted, then not resumed: the op was cancelled";
                }
            return Status::ok();
        }
        o.status = failure.isOk() ? opstatus::kCompleted : opstatus::kFailed;
        if (o.startedAt.empty())
            o.startedAt = o.finishedAt;
        if (!failure.isOk())
            o.error = {failure.reason(), failure.message()};
        return Status::ok();
    });
    if (!ended)
        return mustRetry(ended.status()) ? ended.status() : Status::ok();
    if (transitioned) {
        nlohmann::json extra{{"status", ended->status}};
        if (!ended->error.code.empty())
            extra["error"] = {{"code", ended->error.code}, {"message", ended->error.message}};
        m_events.publishAsync(*ended, endEvent(ended->status), extra);
    }
    if (ended->kind == "ci" && (ended->status == opstatus::kFailed || ended->status == opstatus::kCancelled))
        if (Status s = m_store.releaseCommit(ended->projectId, ended->trigger.value("commit", ""), ended->id);
            mustRetry(s))
            return s;
    if (transitioned && ended->kind == "ci" && ended->status == opstatus::kCompleted)
        m_platform.autoDeploy(*ended);
    return afterOpEnded(*ended);
}

}  // namespace paas
