#pragma once
// CommitWatcher: PAAS_ENABLE_COMMIT_WATCHER — polls each project's source
// repo main every interval (libgit2) and submits a ci source event for every
// new commit that is not a platform-sync: commit. It runs alongside the git
// hooks: the shared commit dedupe (paas_commits create-only markers) gives
// one CI op per commit whichever path sees it first. Its position per project
// is persisted (ProjectRecord.lastSeenCommit), so commits made while the app
// was down are picked up.
// Thread affinity: owns one thread; start()/the destructor from the main thread.
#include <atomic>
#include <thread>

namespace paas {

class Platform;

class CommitWatcher {
public:
    CommitWatcher(Platform& platform, int intervalMs) : m_platform(platform), m_intervalMs(intervalMs) {}
    ~CommitWatcher();

    void start();
    void pollOnce();

private:
    Platform& m_platform;
    int m_intervalMs;
    std::atomic<bool> m_running{false};
    std::thread m_thread;
};

}  // namespace paas
