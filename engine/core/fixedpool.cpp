#include "engine/core/fixedpool.h"

#include "engine/core/tsan.h"

#include <condition_variable>
#include <memory>
#include <mutex>

namespace paas {

void startFixedPool(QThreadPool& pool, const QString& name, int threads)
{
    pool.setObjectName(name);
    pool.setMaxThreadCount(threads);
    pool.setExpiryTimeout(-1);
    // One task per thread, each held until all have started: while every
    // thread is busy, QThreadPool::start() creates the next one.
    struct Gate {
        std::mutex mutex;
        std::condition_variable changed;
        int started = 0;
        int released = 0;
    };
    auto gate = std::make_shared<Gate>();
    for (int i = 0; i < threads; ++i)
        pool.start(tsan::task([gate, threads] {
            std::unique_lock lock(gate->mutex);
            ++gate->started;
            gate->changed.notify_all();
            gate->changed.wait(lock, [&] { return gate->started == threads; });
            ++gate->released;
            gate->changed.notify_all();
        }));
    std::unique_lock lock(gate->mutex);
    gate->changed.wait(lock, [&] { return gate->released == threads; });
}

}  // namespace paas
