#pragma once
// ProjectLock: an exclusive advisory lock (flock) on one file, the second
// guard (after the step fence) against two instances writing one project's
// files at once on a shared artifacts root (docs/SCALING.md).
//
// Contract: acquire() waits until the lock is free, polling every 100 ms and
// calling `waiting` each time (keep-alives, a fence check: it returns false
// to give up); the kernel releases the lock when its holder exits or dies,
// so a crashed instance never leaves it held. Released by the destructor.
// Thread affinity: one thread per object; distinct objects on one file
// exclude each other, also within one process.
#include "engine/core/status.h"

#include <QString>

#include <functional>
#include <memory>

namespace paas {

class ProjectLock {
public:
    static Result<std::unique_ptr<ProjectLock>> acquire(const QString& path, const std::function<bool()>& waiting);
    ~ProjectLock();
    ProjectLock(const ProjectLock&) = delete;
    ProjectLock& operator=(const ProjectLock&) = delete;

private:
    explicit ProjectLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

}  // namespace paas
