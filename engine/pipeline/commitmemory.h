#pragma once
// CommitMemory: the commits this process accepted a ci op for, newest
// kCapacity of them, so a duplicate webhook (the same commit sent again, as
// forges and hooks do) is answered from memory before any git or NATS work.
//
// Contract: it only ever says "this commit was accepted by op X". The caller
// trusts that only while op X is not failed or cancelled (a failed op
// releases its commit for a retry, possibly on another instance); anything
// else goes the full way (the create-only marker in JetStream stays the one
// decision). forget() is called when a marker is released here.
// Thread affinity: thread-safe (one mutex; every call is O(1)).
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace paas {

class CommitMemory {
public:
    static constexpr size_t kCapacity = 4096;

    void remember(const std::string& projectId, const std::string& commit, const std::string& opId);
    std::optional<std::string> recall(const std::string& projectId, const std::string& commit) const;
    void forget(const std::string& projectId, const std::string& commit);

    // A full lowercase hex object id, as the memory keys commits.
    static bool isFullId(const std::string& commit);

private:
    static std::string key(const std::string& projectId, const std::string& commit) { return projectId + "/" + commit; }

    mutable std::mutex m_mutex;
    std::unordered_map<std::string, std::string> m_ops;  // key -> op id
    std::deque<std::string> m_order;                     // keys, oldest first
};

}  // namespace paas
