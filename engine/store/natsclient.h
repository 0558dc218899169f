#pragma once
// NatsClient: one nats.c connection plus its JetStream context.
//
// Contract:
//  - connect() retries until the server answers (bounded) and then keeps
//    reconnecting forever on its own; connected() tells the current state,
//    and the optional state callback fires on every change.
//  - ensureStream()/openBucket() create JetStream streams and KV buckets if
//    missing (idempotent, safe across instances sharing one server).
//  - publish() is a synchronous JetStream publish returning the stream
//    sequence.
//  - nats.c delivers a connection's disconnected event on its own callback
//    thread, possibly after the client was destroyed (closing posts it):
//    the callbacks carry the client's id, not its address, and find the
//    client's state only while the client exists.
// Thread affinity: thread-safe (nats.c connections are); callbacks run on
// nats.c's own threads and must not block.
#include "engine/core/status.h"

#include <nats/nats.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <memory>
#include <string>
#include <vector>

namespace paas {

class KvStore;

// Maps the last nats.c error to a Status; `what` names the operation.
Status natsError(natsStatus s, const std::string& what, jsErrCode jerr = static_cast<jsErrCode>(0));

struct StreamSpec {
    std::string name;
    std::vector<std::string> subjects;
    bool workQueue = false;
    int64_t maxMsgs = -1;
    int64_t maxAgeNanos = 0;
    int64_t maxBytes = -1;
    bool allowDirect = false;  // direct gets (nextMessage)
    int replicas = 1;
};

// One KV bucket paas keeps (openBucket).
struct BucketSpec {
    BucketSpec(const char* bucket) : name(bucket) {}  // NOLINT(google-explicit-constructor): a bucket's name is enough
    BucketSpec(std::string bucket, int keep, int copies, int64_t ttl)
        : name(std::move(bucket)), history(keep), replicas(copies), ttlMs(ttl)
    {
    }
    std::string name;
    int history = 1;
    int replicas = 1;
    int64_t ttlMs = 0;  // per-bucket TTL: a key not written for this long is gone (0 = none)
};

// One stored message of a stream.
struct StreamMessage {
    uint64_t seq = 0;
    std::string data;
};

class NatsClient {
public:
    using StateCallback = std::function<void(bool connected)>;

    static Result<std::unique_ptr<NatsClient>> connect(const std::string& url, int timeoutMs,
                                                       StateCallback onState = {});
    ~NatsClient();
    NatsClient(const NatsClient&) = delete;
    NatsClient& operator=(const NatsClient&) = delete;

    bool connected() const { return m_shared->connected.load(); }
    const std::string& url() const { return m_url; }
    natsConnection* connection() const { return m_conn; }
    jsCtx* jetStream() const { return m_js; }

    // An existing stream or bucket is never recreated: settings that differ
    // from the spec (replicas, TTL) are reported as a warning and kept.
    Status ensureStream(const StreamSpec& spec);
    Result<std::unique_ptr<KvStore>> openBucket(const BucketSpec& spec);
    Result<uint64_t> publish(const std::string& subject, const std::string& data);
    // Publishes without waiting for the ack: for records whose loss in a
    // fault is tolerable (a timeline event). Order on this connection is
    // kept: a later publish of any kind is stored after it. A refused or
    // unacknowledged message is counted (asyncFailures()) and logged from
    // nats.c's thread. At most kMaxAsyncPending wait for their ack; past that
    // the call waits (bounded by kCallTimeoutMs) and then fails.
    Status publishAsync(const std::string& subject, const std::string& data);
    uint64_t asyncFailures() const { return m_shared->asyncFailures.load(); }
    static constexpr int kMaxAsyncPending = 4096;
    // The first message on `subject` with sequence >= fromSeq; NotFound
    // "no_message" when there is none. A direct get (the stream needs
    // allowDirect) unless setLeaderReads(true): then a message get answered
    // by the stream's leader, so it sees every acknowledged write (a direct
    // get may be answered by a replica that lags).
    Result<StreamMessage> nextMessage(const std::string& stream, const std::string& subject, uint64_t fromSeq);
    // nextMessage(stream, subject, 1), for a queue's head. nats-server
    // 2.9.10 can lose a message from its per-subject index after a crash
    // (kill -9, then recovery of its file store): reads by subject skip it
    // although it is stored. So when this finds nothing while the stream
    // still counts messages on the subject, it reads once more (an append
    // may have raced the first read), then finds the first of them by a
    // scan of the stream in sequence order, and logs it. Only then does a
    // read cost more than one round trip: two when the subject is empty.
    // (natsclientreads.cpp)
    Result<StreamMessage> headMessage(const std::string& stream, const std::string& subject);
    // A JetStream API request ($JS.API...), answered by the stream's leader:
    // its JSON reply; NotFound for a 404, Unavailable for another error.
    Result<nlohmann::json> apiRequest(const std::string& api, const nlohmann::json& request);
    // The stream's count of messages on `subject`, and its first and last
    // sequence (STREAM.INFO with a subjects filter).
    struct SubjectState {
        uint64_t messages = 0, firstSeq = 0, lastSeq = 0;
    };
    Result<SubjectState> subjectState(const std::string& stream, const std::string& subject);
    // The first message on `subject` in [fromSeq, toSeq], by a walk over
    // every subject's messages (the server's scan needs no index).
    Result<StreamMessage> scanForSubject(const std::string& stream, const std::string& subject, uint64_t fromSeq,
                                         uint64_t toSeq);
    // Replicated streams (PAAS_NATS_REPLICAS > 1): reads go to the leader.
    void setLeaderReads(bool on) { m_leaderReads = on; }
    // Deletes one message; a message already gone is not an error.
    Status deleteMessage(const std::string& stream, uint64_t seq);
    // Removes every message on `subject`.
    Status purgeSubject(const std::string& stream, const std::string& subject);

    // Drains subscriptions and closes the connection (bounded).
    void drainAndClose(int timeoutMs);

    // Every JetStream call (KV get/put/CAS, publish with ack) gives up after
    // this long with "backend_unavailable": a hung server never holds a
    // caller longer than that.
    static constexpr int kCallTimeoutMs = 2000;
    // The liveness probe: a PING/PONG round trip every 500 ms, bounded by
    // 1 s. responsive() is false while the server does not answer (stopped,
    // hung, or disconnected), so writers can fail fast instead of waiting.
    void startProbe();
    bool responsive() const { return m_shared->connected.load() && m_responsive.load(); }

    // The settings of existing streams and buckets that differ from what
    // this instance asked for (ensureStream/openBucket), one line each.
    std::vector<std::string> settingWarnings() const;

private:
    void reportSettings(const std::string& stream, const std::string& what, int replicas, int64_t maxAgeNanos);
    // Turns off direct gets on a replicated stream; true if it changed.
    bool disableDirectGets(const std::string& stream);
    Result<StreamMessage> nextMessageFromLeader(const std::string& stream, const std::string& subject,
                                                uint64_t fromSeq);
    bool m_leaderReads = false;
    // What nats.c's callbacks reach, through a registry keyed by m_id.
    struct Shared {
        std::atomic<bool> connected{false};
        std::atomic<uint64_t> asyncFailures{0};
        std::mutex mutex;
        StateCallback onState;  // guarded by mutex
    };
    NatsClient();
    static void onDisconnected(natsConnection*, void* id);
    static void onReconnected(natsConnection*, void* id);
    static void onAsyncPublishError(jsCtx*, jsPubAckErr* err, void* id);
    static std::shared_ptr<Shared> sharedOf(void* id);
    void settleAsyncPublishes();  // waits (bounded) for the acks still due
    static void setConnected(void* id, bool up);
    void unregister();

    natsConnection* m_conn = nullptr;
    jsCtx* m_js = nullptr;
    std::string m_url;
    uintptr_t m_id = 0;
    std::shared_ptr<Shared> m_shared = std::make_shared<Shared>();
    std::atomic<bool> m_responsive{true};
    std::mutex m_probeMutex;
    std::condition_variable m_probeWake;
    bool m_probeStop = false;
    std::thread m_probe;
    void stopProbe();
    mutable std::mutex m_warningsMutex;
    std::vector<std::string> m_settingWarnings;
};

}  // namespace paas
