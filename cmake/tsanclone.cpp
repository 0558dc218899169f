// Linked into the paas binary and every test executable of a ThreadSanitizer
// build (-DPAAS_SANITIZE=thread) only.
//
// Contract: clone() with CLONE_VM (Qt 6.4's QProcess starts children through
// forkfd's vfork-style clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD)) goes
// straight to glibc; every other clone() goes to ThreadSanitizer's
// interceptor as before.
//
// Why: GCC 12's TSan intercepts clone() and runs its fork-child hook in the
// child. With CLONE_VM that child shares the parent's memory, so the hook
// rewrites the PARENT's TSan state: after the first QProcess start the
// process believes it is a child of a multi-threaded fork (its next thread
// dies with "starting new threads after multi-threaded fork is not
// supported"; with die_after_fork=0 the starting thread silently ignores
// every access and every lock from then on, hiding races). A vfork child only
// runs Qt's exec code (and our async-signal-safe child modifier) on the
// blocked parent's stack, which TSan need not know about.
#include <dlfcn.h>
#include <sched.h>
#include <sys/types.h>

#include <cstdarg>

namespace {
using CloneFn = int (*)(int (*)(void*), void*, int, void*, ...);

CloneFn libcClone()
{
    static const CloneFn fn = [] {
        void* libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
        return libc ? reinterpret_cast<CloneFn>(dlsym(libc, "clone")) : nullptr;
    }();
    return fn;
}

CloneFn tsanClone()
{
    static const CloneFn fn = reinterpret_cast<CloneFn>(dlsym(RTLD_NEXT, "clone"));
    return fn;
}
}  // namespace

extern "C" int clone(int (*fn)(void*), void* stack, int flags, void* arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    auto* parentTid = va_arg(ap, pid_t*);
    auto* tls = va_arg(ap, void*);
    auto* childTid = va_arg(ap, pid_t*);
    va_end(ap);
    const CloneFn target = (flags & CLONE_VM) && libcClone() ? libcClone() : tsanClone();
    return target(fn, stack, flags, arg, parentTid, tls, childTid);
}
