#include "engine/core/threadpriority.h"

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#elif defined(__APPLE__)
#include <pthread.h>
#include <sys/qos.h>
#endif

namespace paas {

bool runInBackground()
{
    thread_local bool done = false;
    thread_local bool took = false;
    if (done)
        return took;
    done = true;
#if defined(__linux__)
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    took = setpriority(PRIO_PROCESS, tid, kBackgroundNice) == 0;
#elif defined(__APPLE__)
    took = pthread_set_qos_class_self_np(QOS_CLASS_UTILITY, 0) == 0;
#endif
    return took;
}

}  // namespace paas
