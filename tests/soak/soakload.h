#pragma once
// SoakRun::Load: the parts of a running soak shared by soakrun.cpp (start,
// hold, stop) and soakrunchecks.cpp (drain, checks): the API load, the hook
// committer, the SSE fleets and their threads, the resource sampler.
// Thread affinity: the main thread; each fleet lives on its own thread and
// is reached through eachFleet() (blocking queued calls).
#include "tests/soak/apiload.h"
#include "tests/soak/hookcommitter.h"
#include "tests/soak/soakrun.h"
#include "tests/soak/ssefleet.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <functional>
#include <memory>
#include <vector>

namespace paas::soak {

struct SoakRun::Load {
    QTemporaryDir home;
    std::unique_ptr<ApiLoad> api;
    std::unique_ptr<HookCommitter> commits;
    FleetStats stats;
    std::vector<QThread*> threads;
    std::vector<SseFleet*> fleets;
    uint64_t frames = 0, connects = 0, reconnects = 0;
    QElapsedTimer clock;
    QTimer sampler;

    void eachFleet(const std::function<void(SseFleet&)>& fn)
    {
        for (SseFleet* f : fleets)
            QMetaObject::invokeMethod(
                f, [f, fn] { fn(*f); }, Qt::BlockingQueuedConnection);
    }
};

}  // namespace paas::soak
