// Platform: accepting ops (contract in platform.h). What an accept waits
// for is what makes it durable: the op record and its queue entry, and for
// a webhook's ci op its commit's dedupe marker. For an op that changes no
// project record (ci, update, delivery) they are written at once, one
// round trip; the orchestrator waits for an entry's op that is still being
// written, and runs a ci op only once its marker names it
// (PipelineStore::acceptedOp).
#include "engine/pipeline/platform.h"

#include "engine/core/tsan.h"
#include "engine/git/gitrepository.h"
#include "engine/git/repobootstrapper.h"
#include "engine/pipeline/eventbus.h"
#include "engine/pipeline/orchestrator.h"
#include "engine/pipeline/pipelinestore.h"
#include "engine/pipeline/stateview.h"

#include <QDebug>
#include <QFileInfo>
#include <QThreadPool>

#include <functional>
#include <future>
#include <memory>

namespace paas {

namespace {

// "main", "heads/main", "refs/heads/main" -> "main".
std::string normalizeBranch(std::string branch)
{
    for (const char* prefix : {"refs/heads/", "heads/"})
        if (branch.rfind(prefix, 0) == 0)
            branch = branch.substr(std::char_traits<char>::length(prefix));
    return branch;
}

}  // namespace

Status Platform::admit(const OpRecord& op, const ProjectRecord* newProject, std::string& statusBefore)
{
    if (newProject)
        return m_store->createProject(*newProject);
    if (op.kind == "delete")  // closes the project to new ops
        return m_store
            ->mutateProject(op.projectId,
                            [&](ProjectRecord& rec) -> Status {
                                if (rec.status == "deleting" || rec.status == "deleted")
                                    return Status::conflict("project_deleting",
                                                            "project '" + rec.id + "' is being deleted");
                                statusBefore = rec.status;
                                rec.status = "deleting";
                                return Status::ok();
                            })
            .status();
    Result<ProjectRecord> project = m_view->project(op.projectId);
    if (!project)
        return project.status();
    if (project->status == "deleting" || project->status == "deleted")
        return Status::conflict("project_deleting", "project '" + project->id + "' is being deleted");
    return Status::ok();
}

Result<Submission> Platform::enqueue(OpRecord op, const ProjectRecord* newProject, const std::string& commit)
{
    if (Status s = backendWritable(); !s)
        return s;
    if (!newProject && op.kind != "delete") {
        std::string unused;
        if (Status s = admit(op, nullptr, unused); !s)  // a read of the view: nothing to undo
            return s;
        if (Status s = writeOpAndEntry(op, commit); !s)
            return s;
    } else if (Status s = writeWithProject(op, newProject); !s) {
        return s;
    }
    // Accepted: the op and its entry are in JetStream. Should the start
    // below not be recorded, recovery starts it (every queue head).
    m_events->publishAsync(op, events::kOpStatus, {{"status", opstatus::kQueued}});
    startSoon(op);
    return Submission{true, {}, op};
}

Status Platform::writeWithProject(const OpRecord& op, const ProjectRecord* newProject)
{
    if (Status s = m_store->createOp(op); !s)
        return s;
    std::string statusBefore;
    if (Status s = admit(op, newProject, statusBefore); !s) {
        m_store->removeOp(op.id);
        return s;
    }
    Result<uint64_t> appended = m_store->enqueue(op.projectId, op.id);
    if (appended)
        return Status::ok();
    if (newProject)
        m_store->removeProject(op.projectId);
    else if (!statusBefore.empty())  // reopen the project the delete closed
        m_store->mutateProject(op.projectId, [&](ProjectRecord& rec) {
            if (rec.status == "deleting")
                rec.status = statusBefore;
            return Status::ok();
        });
    m_store->removeOp(op.id);  // an entry that did land is skipped: its op is gone
    return appended.status();
}

namespace {

// Runs `work` on `pool`; its result comes back through the future.
template <typename T>
std::future<T> runOn(QThreadPool& pool, std::function<T()> work)
{
    auto promise = std::make_shared<std::promise<T>>();
    std::future<T> result = promise->get_future();
    pool.start(tsan::task([promise, work = std::move(work)] { promise->set_value(work()); }));
    return result;
}

}  // namespace

Status Platform::writeOpAndEntry(const OpRecord& op, const std::string& commit)
{
    std::future<Result<uint64_t>> appended = runOn<Result<uint64_t>>(
        *m_appends, [this, projectId = op.projectId, id = op.id] { return m_store->enqueue(projectId, id); });
    std::future<Result<bool>> marked = runOn<Result<bool>>(*m_appends, [this, &op, &commit]() -> Result<bool> {
        return commit.empty() ? Result<bool>(true) : m_store->markCommit(op.projectId, commit, op.id);
    });
    Status created = m_store->createOp(op);
    const Result<uint64_t> seq = appended.get();
    Result<bool> fresh = marked.get();
    if (!fresh && created && seq) {  // the marker's write failed, yet it may have landed
        const Result<bool> ours = m_store->holdsCommit(op.projectId, commit, op.id);
        if (ours && *ours)
            fresh = true;
    }
    if (created && seq && fresh && *fresh)
        return Status::ok();
    // Undo what landed; no reader has started this op (a ci op waits for
    // its marker). The entry goes first, so a reader that meets the op
    // without it does not wait for it; an entry whose op never came is
    // skipped by the orchestrator once the accept window has passed.
    if (seq)
        m_store->dequeue(*seq);
    if (created)
        m_store->removeOp(op.id);
    if (fresh && *fresh && !commit.empty())
        m_store->releaseCommit(op.projectId, commit, op.id);
    // Whatever landed, the project's queue moves on: ops accepted behind
    // this one start once it is skipped.
    m_starts->start(tsan::task([this, projectId = op.projectId] { m_orchestrator->kick(projectId); }));
    if (!created)
        return created;
    if (!seq)
        return seq.status();
    if (!fresh)
        return fresh.status();
    return Status::conflict("commit_processed", "commit " + commit + " is held by another op");
}

void Platform::startSoon(const OpRecord& op)
{
    m_starts->start(tsan::task([this, op] {
        if (Status s = m_orchestrator->startIfHead(op); !s)
            qWarning().noquote() << "op" << QString::fromStdString(op.id)
                                 << "is queued; its start was not recorded:" << QString::fromStdString(s.message());
    }));
}

Result<std::string> Platform::resolveSourceCommit(const std::string& projectId, const std::string& commit) const
{
    const QString repoPath = RepoBootstrapper::sourceRepoPath(projectDir(projectId));
    // A full id needs no lookup: one the repo lacks is accepted and fails
    // the op with unknown_commit, as after a lookup. Only a repo folder
    // without .git is refused here, as below.
    if (CommitMemory::isFullId(commit) && QFileInfo(repoPath + "/.git").isDir())
        return commit;
    // One libgit2 open; only when it fails is the folder examined, to say
    // what is broken.
    if (Result<GitRepository> repo = GitRepository::open(repoPath)) {
        Result<std::string> full = commit.empty() ? repo->branchHead("main") : repo->resolveCommit(commit);
        return full ? *full : commit;
    }
    if (Status broken = RepoBootstrapper::checkSourceRepo(projectDir(projectId)); !broken)
        return broken;
    return commit;
}

Result<Submission> Platform::submitSourceEvent(const SourceEvent& event)
{
    if (!event.repo.empty() && event.repo != "source")
        return Status::invalidArgument("invalid_repo",
                                       "only source repo webhooks are accepted (repo '" + event.repo + "')",
                                       {{"/repo", "must be omitted or \"source\""}});
    if (event.projectId.empty())
        return Status::invalidArgument("missing_project_id", "project_id is required", {{"/project_id", "required"}});
    const std::string branch = normalizeBranch(event.branch.empty() ? event.ref : event.branch);
    if (!branch.empty() && branch != "main")
        return Submission{false, "ignored: branch " + branch + " is not main", {}};
    Result<ProjectRecord> project = m_view->project(event.projectId);
    if (!project)
        return project.status();
    if (acceptedBefore(*project, event.commit))
        return Submission{false, "ignored: commit already processed", {}};
    Result<std::string> resolved = resolveSourceCommit(event.projectId, event.commit);
    if (!resolved)
        return resolved.status();
    const std::string commit = *resolved;
    if (commit.empty())
        return Status::conflict("no_commit", "the source repo has no commit on main yet");
    if (Status s = backendWritable(); !s)
        return s;
    std::lock_guard projectLock(lockOf(event.projectId));
    if (acceptedBefore(*project, commit))  // a duplicate that waited for this lock
        return Submission{false, "ignored: commit already processed", {}};
    OpRecord op = m_orchestrator->newOp("ci", event.projectId);
    op.trigger = {{"source", event.source}, {"commit", commit}, {"ref", "refs/heads/main"}, {"branch", "main"}};
    const std::string opId = op.id;
    Result<Submission> accepted = enqueue(std::move(op), nullptr, commit);
    if (accepted)
        m_commits.remember(event.projectId, commit, opId);
    else if (accepted.status().reason() == "commit_processed")
        return Submission{false, "ignored: commit already processed", {}};
    return accepted;
}

bool Platform::acceptedBefore(const ProjectRecord& project, const std::string& commit) const
{
    if (!CommitMemory::isFullId(commit))
        return false;
    const std::optional<std::string> opId = m_commits.recall(project.id, commit);
    if (!opId)
        return false;
    Result<OpRecord> op = cachedOp(*opId);
    return op && op->createdAt >= project.createdAt &&  // not an op of a deleted namesake
           op->status != opstatus::kFailed && op->status != opstatus::kCancelled;
}

}  // namespace paas
