#pragma once
// Happens-before hints for ThreadSanitizer at the hand-offs that go through
// Qt, which is not instrumented: QThreadPool::start() -> the task on a pool
// thread, and a queued/blocking QMetaObject::invokeMethod() -> the call on
// the receiver's thread (and back, when Qt destroys the call object on the
// posting thread). Qt orders these with its own futex-based locks and
// reference counts, which TSan cannot see, so without a hint TSan reports
// the captures of every such callable as races (docs/RELIABILITY.md,
// "ThreadSanitizer").
//
// Contract:
//  - task(f): a QRunnable (auto-deleted) for QThreadPool::start() that runs
//    f. handOff(f): a callable for QMetaObject::invokeMethod() that runs f.
//    Everything the creating thread did before task()/handOff() happens-
//    before f runs, and f's run happens-before the object is destroyed,
//    whichever threads do these.
//  - release(p) / acquire(p): everything before release(p) on one thread
//    happens-before what follows a later acquire(p) on another (for the
//    answer of a BlockingQueuedConnection call).
//  - The sync points are the objects' own addresses, so nothing is read
//    before the acquire. Without -fsanitize=thread: no-ops, handOff(f) is f
//    and task(f) is QRunnable::create(f).
// Thread affinity: any thread.
#include <QRunnable>

#include <type_traits>
#include <utility>

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace paas::tsan {

#if defined(__SANITIZE_THREAD__)
inline void release(const void* p)
{
    __tsan_release(const_cast<void*>(p));
}
inline void acquire(const void* p)
{
    __tsan_acquire(const_cast<void*>(p));
}

template <typename F>
class HandOff {
public:
    explicit HandOff(F f) : m_f(std::move(f)) { release(this); }
    HandOff(HandOff&& o) noexcept : m_f((acquire(&o), std::move(o.m_f)))
    {
        release(&o);
        release(this);
    }
    HandOff(const HandOff& o) : m_f((acquire(&o), o.m_f))
    {
        release(&o);
        release(this);
    }
    HandOff& operator=(const HandOff&) = delete;
    ~HandOff() { acquire(this); }
    void operator()()
    {
        acquire(this);
        m_f();
        release(this);
    }

private:
    F m_f;
};

template <typename F>
class Task final : public QRunnable {
public:
    explicit Task(F f) : m_f(std::move(f)) { release(this); }
    ~Task() override { acquire(this); }
    void run() override
    {
        acquire(this);
        m_f();
        release(this);
    }

private:
    F m_f;
};

template <typename F>
HandOff<std::decay_t<F>> handOff(F&& f)
{
    return HandOff<std::decay_t<F>>(std::forward<F>(f));
}

template <typename F>
QRunnable* task(F&& f)
{
    return new Task<std::decay_t<F>>(std::forward<F>(f));
}
#else
inline void release(const void*) {}
inline void acquire(const void*) {}

template <typename F>
F&& handOff(F&& f)
{
    return std::forward<F>(f);
}

template <typename F>
QRunnable* task(F&& f)
{
    return QRunnable::create(std::forward<F>(f));
}
#endif

}  // namespace paas::tsan
