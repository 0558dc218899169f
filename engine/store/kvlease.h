#pragma once
// KvLease: one named lease in the paas_leases KV bucket, whose per-bucket
// TTL (PAAS_LEASE_TTL_MS) makes a dead holder's key expire.
//
// Contract:
//  - start() competes for the lease on a thread of its own: a create-only
//    write takes a free lease (held by no one, or expired); the holder
//    renews it by compare-and-set every ttl/3. At most one instance holds
//    it: create and CAS are atomic on the JetStream leader.
//  - onAcquired runs (on the lease thread) when this instance takes it;
//    onLost when a renewal fails or has not succeeded for 2/3 of the TTL
//    (the key may have expired and been taken): it must stop the work at
//    once. Neither callback may block for long.
//  - A holder that dies is replaced within about ttl + ttl/3.
//  - stop() ends the thread and, if held, deletes the key so another
//    instance takes over at once; calls onLost first.
// Thread affinity: start()/stop() from one thread; held()/holder() from any.
#include "engine/store/kvstore.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace paas {

class KvLease {
public:
    KvLease(KvStore& bucket, std::string name, std::string holder, int ttlMs);
    ~KvLease();
    KvLease(const KvLease&) = delete;
    KvLease& operator=(const KvLease&) = delete;

    void start(std::function<void()> onAcquired, std::function<void()> onLost);
    void stop();

    bool held() const { return m_held.load(); }
    // The holder last seen (this instance's id while held; "" if unknown).
    std::string holder() const;

private:
    void loop();
    void tryAcquire();
    void renew();
    void lose(const std::string& why);

    KvStore& m_bucket;
    const std::string m_name;
    const std::string m_self;
    const int m_ttlMs;
    std::function<void()> m_onAcquired, m_onLost;
    std::atomic<bool> m_held{false};
    uint64_t m_revision = 0;
    std::chrono::steady_clock::time_point m_renewedAt;
    mutable std::mutex m_mutex;  // m_holder, m_stop
    std::string m_holder;
    bool m_stop = false;
    std::condition_variable m_wake;
    std::thread m_thread;
};

}  // namespace paas
