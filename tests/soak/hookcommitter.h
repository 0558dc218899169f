#pragma once
// HookCommitter: real `git commit`s at a fixed rate (default 5/s) in the
// source repos paas created for the hook projects, with the git CLI, so the
// post-commit hooks paas installed fire and post to the app like a developer's
// commits would. One commit at a time per repo (git's index lock); the repos
// take turns; a tick with every repo busy is skipped and counted.
// commitsMade() reads the soak commits back from each repo's history
// afterwards: each of them must end up with exactly one finished ci op.
// Thread affinity: the thread that created it (QProcess, timers).
#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QTimer>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace paas::soak {

struct CommitMinute {
    uint64_t commits = 0;
    uint64_t failures = 0;
    uint64_t skipped = 0;
};

class HookCommitter : public QObject {
public:
    // repos: project id -> source repo path. home: a scratch HOME for git.
    HookCommitter(std::map<std::string, QString> repos, const QString& home, int perSecond);
    ~HookCommitter() override;

    void start();
    void stop();
    bool idle() const;
    CommitMinute takeMinute();
    uint64_t totalCommits() const { return m_total; }
    const std::vector<std::string>& failureSamples() const { return m_samples; }
    // project id -> shas of the soak's commits (git log), after stop().
    std::map<std::string, std::vector<std::string>> commitsMade() const;

private:
    struct Repo;
    void tick();
    void commit(Repo& repo);

    std::vector<std::unique_ptr<Repo>> m_repos;
    QProcessEnvironment m_env;
    QTimer m_tick;
    size_t m_next = 0;
    uint64_t m_counter = 0, m_total = 0;
    CommitMinute m_minute;
    std::vector<std::string> m_samples;
};

}  // namespace paas::soak
