#pragma once
// Fixed thread pools: every thread of the pool starts at once and never
// expires, so the process's thread count, and the fds its threads hold (the
// eventfd of each thread's event dispatcher), stay the same from startup to
// shutdown whatever the load did. A QThreadPool left as it is creates its
// threads on demand and retires them after 30 s idle: the counts then follow
// the last half minute's load (the soak judges their trend), and a burst
// after a quiet spell pays for thread creation first.
//
// Contract: startFixedPool(pool, name, threads) names the pool (its threads
// carry the name, cut to 15 characters by the OS), sets its size to
// `threads` and no expiry, then starts all of its threads and returns once
// each one runs. Call it before the pool's first task. pool.waitForDone()
// still stops the threads at shutdown; a pool started again after that
// creates them on demand, so call startFixedPool() again first.
// Thread affinity: the pool's owner thread.
#include <QString>
#include <QThreadPool>

namespace paas {

void startFixedPool(QThreadPool& pool, const QString& name, int threads);

}  // namespace paas
