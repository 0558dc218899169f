#pragma once
// WorkerPool: one durable JetStream pull consumer per worker (step) name on
// paas.work.<step>, a fetch thread per consumer, and a shared pool of
// threads (max(2, cores) by default) that run the steps.
//
// Contract: a message is acknowledged only after its step was handled (so a
// crash means redelivery, to any instance, after the ack wait:
// PAAS_WORK_ACK_WAIT_MS); long steps are kept alive with in-progress acks
// every third of the ack wait. stop() stops fetching, waits for running steps (bounded) and
// leaves unfinished messages unacknowledged for the next start. Step threads
// run at background priority (core/threadpriority.h): on busy cores the API
// and the accept path go first, the steps take what is left.
// Thread affinity: start()/stop() from one thread; internals are threads.
#include "engine/core/status.h"

#include <nats/nats.h>

#include <QThreadPool>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace paas {

class NatsClient;
class Orchestrator;

class WorkerPool {
public:
    WorkerPool(NatsClient& client, Orchestrator& orchestrator, int threads, int ackWaitMs);
    ~WorkerPool();

    Status start(const std::vector<std::string>& steps);
    void stop();

    int busy() const { return m_busy.load(); }
    uint64_t handled() const { return m_handled.load(); }

private:
    void fetchLoop(natsSubscription* sub);
    void process(natsMsg* msg);
    void keepAliveLoop();
    void updateAckWait(const std::string& durable, const std::string& subject);

    NatsClient& m_client;
    Orchestrator& m_orchestrator;
    const int m_ackWaitMs;
    QThreadPool m_pool;
    std::vector<natsSubscription*> m_subs;
    std::vector<std::thread> m_fetchers;
    std::thread m_keepAlive;
    std::atomic<bool> m_running{false};
    std::atomic<int> m_busy{0};
    std::atomic<uint64_t> m_handled{0};
    std::mutex m_inflightMutex;
    std::set<natsMsg*> m_inflight;
};

}  // namespace paas
