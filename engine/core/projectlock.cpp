#include "engine/core/projectlock.h"

#include <QDir>
#include <QFileInfo>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace paas {

Result<std::unique_ptr<ProjectLock>> ProjectLock::acquire(const QString& path, const std::function<bool()>& waiting)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return Status::internal("project_lock", "cannot open " + path.toStdString() + ": " + std::strerror(errno));
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            const int err = errno;
            ::close(fd);
            return Status::internal("project_lock", "cannot lock " + path.toStdString() + ": " + std::strerror(err));
        }
        if (waiting && !waiting()) {
            ::close(fd);
            return Status::conflict("fenced", "gave up waiting for " + path.toStdString());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return std::unique_ptr<ProjectLock>(new ProjectLock(fd));
}

ProjectLock::~ProjectLock()
{
    if (m_fd >= 0)
        ::close(m_fd);  // releases the flock
}

}  // namespace paas
