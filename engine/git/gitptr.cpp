#include "engine/git/gitptr.h"

#include <mutex>

namespace paas {

void ensureLibgit2()
{
    static std::once_flag once;
    std::call_once(once, [] { git_libgit2_init(); });
}

Status gitErrorStatus(Status::Code code, const std::string& reason, const std::string& context)
{
    const git_error* err = git_error_last();
    std::string message = context;
    if (err && err->message)
        message += ": " + std::string(err->message);
    if (message.find("No space left on device") != std::string::npos)  // libgit2 passes strerror(ENOSPC) on
        return Status::internal("disk_full", message + "; free space on the artifacts root, then retry");
    return Status(code, reason, message);
}

}  // namespace paas
