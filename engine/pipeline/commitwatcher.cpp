#include "engine/pipeline/commitwatcher.h"

#include "engine/git/gitrepository.h"
#include "engine/git/repobootstrapper.h"
#include "engine/pipeline/pipelinestore.h"
#include "engine/pipeline/platform.h"

#include <QDebug>

#include <chrono>

namespace paas {

CommitWatcher::~CommitWatcher()
{
    m_running = false;
    if (m_thread.joinable())
        m_thread.join();
}

void CommitWatcher::start()
{
    m_running = true;
    m_thread = std::thread([this] {
        while (m_running) {
            pollOnce();
            for (int waited = 0; m_running && waited < m_intervalMs; waited += 50)
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
}

void CommitWatcher::pollOnce()
{
    Result<std::vector<ProjectRecord>> projects = m_platform.projects();
    if (!projects)
        return;
    for (const ProjectRecord& p : *projects) {
        if (p.status == "deleting" || p.status == "deleted")
            continue;
        Result<GitRepository> repo = GitRepository::open(RepoBootstrapper::sourceRepoPath(m_platform.projectDir(p.id)));
        if (!repo)
            continue;
        Result<std::string> head = repo->branchHead("main");
        if (!head || *head == p.lastSeenCommit)
            continue;
        Result<std::vector<std::string>> fresh = repo->commitsBetween(p.lastSeenCommit, *head);
        if (!fresh)
            continue;
        for (const std::string& commit : *fresh) {
            Result<std::string> subject = repo->commitSubject(commit);
            if (!subject || GitRepository::isPlatformSync(*subject))
                continue;
            Result<Submission> sub =
                m_platform.submitSourceEvent({p.id, "source", "main", "refs/heads/main", commit, "watcher"});
            if (sub && sub->accepted)
                qInfo().noquote() << "commit watcher: ci op" << QString::fromStdString(sub->op.id) << "for"
                                  << QString::fromStdString(p.id) << QString::fromStdString(commit.substr(0, 12));
        }
        m_platform.store().mutateProject(p.id, [&](ProjectRecord& rec) -> Status {
            rec.lastSeenCommit = *head;
            return Status::ok();
        });
    }
}

}  // namespace paas
