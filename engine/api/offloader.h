#pragma once
// Offloader: runs the part of a request that may wait (a NATS write, libgit2,
// artifact files) on a small pool, and answers from the API thread when it is
// done, so the API thread itself never waits on the backend.
//
// Contract:
//  - run() takes the exchange's responder, runs `work` on the pool and then
//    `finish` (default: send the Reply) on the API thread. The work must not
//    touch the request: copy what it needs before calling run().
//  - A client that disconnected meanwhile gets nothing; the work still runs
//    to its end (an accepted op is never half-recorded).
//  - At most kMaxPending calls wait or run at once; past that, requests are
//    answered 503 "api_busy" with Retry-After at once. Each backend call the
//    work makes is bounded (NatsClient::kCallTimeoutMs), so a hung backend
//    fills the pool for seconds, not forever.
//  - The destructor drops queued work and waits for running work.
//  - The call (responder, socket guard, reply) is destroyed on the API
//    thread, never on a pool thread: those objects belong to it.
// Thread affinity: constructed, run() and destroyed on the API thread; the
// work runs on pool threads.
#include "engine/api/httpexchange.h"

#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <functional>

namespace paas::api {

class Offloader : public QObject {
    Q_OBJECT
public:
    static constexpr int kThreads = 4;
    static constexpr int kMaxPending = 256;

    explicit Offloader(QObject* parent = nullptr);
    ~Offloader() override;

    using Work = std::function<Reply()>;
    using Finish = std::function<void(QHttpServerResponder& responder, const Reply& reply)>;
    void run(HttpExchange& ex, Work work, Finish finish = {});

    int pending() const { return m_pending.load(); }

private:
    QThreadPool m_pool;
    std::atomic<int> m_pending{0};
};

}  // namespace paas::api
