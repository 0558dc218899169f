#pragma once
// KvStore: a typed wrapper over one JetStream key-value bucket.
//
// Contract:
//  - get() returns NotFound for a missing or deleted key.
//  - create() fails with Conflict ("key_exists") if the key is present: it is
//    atomic across threads, processes and instances sharing the server.
//  - update() is compare-and-set on the revision: Conflict
//    ("revision_conflict") when someone else wrote first. Callers re-read and
//    retry (see updateWith()).
//  - watch() delivers every current value, then live updates, on a thread of
//    its own until the returned handle is destroyed. `caughtUp` (optional)
//    runs once, on that thread, after the last value stored when the watch
//    began (at once for an empty bucket).
// Thread affinity: thread-safe.
#include "engine/core/status.h"

#include <nats/nats.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace paas {

struct KvEntry {
    std::string key;
    std::string value;
    uint64_t revision = 0;
    bool deleted = false;
};

class KvWatch {
public:
    ~KvWatch();

private:
    friend class KvStore;
    kvWatcher* m_watcher = nullptr;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

class KvStore {
public:
    ~KvStore();
    KvStore(const KvStore&) = delete;
    KvStore& operator=(const KvStore&) = delete;

    const std::string& bucket() const { return m_bucket; }

    Result<KvEntry> get(const std::string& key) const;
    Result<uint64_t> put(const std::string& key, const std::string& value);
    Result<uint64_t> create(const std::string& key, const std::string& value);
    Result<uint64_t> update(const std::string& key, const std::string& value, uint64_t expectedRevision);
    Status remove(const std::string& key);
    Result<std::vector<std::string>> keys() const;

    // Read-modify-write with CAS, retried on conflict (bounded). `mutate`
    // gets the current value (empty optional if missing) and returns the new
    // value, or a non-ok Status to abort. Returns the stored entry.
    using Mutator = std::function<Result<std::string>(const KvEntry* current)>;
    Result<KvEntry> updateWith(const std::string& key, const Mutator& mutate, int maxAttempts = 64);

    using WatchCallback = std::function<void(const KvEntry&)>;
    Result<std::unique_ptr<KvWatch>> watch(const std::string& keys, WatchCallback callback,
                                           std::function<void()> caughtUp = {}) const;

private:
    friend class NatsClient;
    KvStore(std::string bucket, kvStore* kv) : m_bucket(std::move(bucket)), m_kv(kv) {}

    std::string m_bucket;
    kvStore* m_kv = nullptr;
};

}  // namespace paas
