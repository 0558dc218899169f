#include "engine/store/kvstore.h"

#include "engine/store/natsclient.h"

namespace paas {

namespace {

KvEntry toEntry(kvEntry* e)
{
    KvEntry out;
    out.key = kvEntry_Key(e);
    const auto* data = static_cast<const char*>(kvEntry_Value(e));
    out.value.assign(data ? data : "", static_cast<size_t>(kvEntry_ValueLen(e)));
    out.revision = kvEntry_Revision(e);
    out.deleted = kvEntry_Operation(e) != kvOp_Put;
    return out;
}

}  // namespace

KvWatch::~KvWatch()
{
    m_stop = true;
    if (m_watcher)
        kvWatcher_Stop(m_watcher);
    if (m_thread.joinable())
        m_thread.join();
    if (m_watcher)
        kvWatcher_Destroy(m_watcher);
}

KvStore::~KvStore()
{
    if (m_kv)
        kvStore_Destroy(m_kv);
}

Result<KvEntry> KvStore::get(const std::string& key) const
{
    kvEntry* e = nullptr;
    natsStatus s = kvStore_Get(&e, m_kv, key.c_str());
    if (s != NATS_OK)
        return natsError(s, m_bucket + " get " + key);
    KvEntry out = toEntry(e);
    kvEntry_Destroy(e);
    if (out.deleted)
        return Status::notFound("not_found", m_bucket + ": no key " + key);
    return out;
}

Result<uint64_t> KvStore::put(const std::string& key, const std::string& value)
{
    uint64_t rev = 0;
    natsStatus s = kvStore_Put(&rev, m_kv, key.c_str(), value.data(), static_cast<int>(value.size()));
    if (s != NATS_OK)
        return natsError(s, m_bucket + " put " + key);
    return rev;
}

Result<uint64_t> KvStore::create(const std::string& key, const std::string& value)
{
    uint64_t rev = 0;
    // Create-if-absent is an update expecting no revision. Only when the key
    // has history is nats.c's kvStore_Create asked (it re-creates over a
    // delete marker): its extra read would double the wait on a hung server.
    natsStatus s = kvStore_Update(&rev, m_kv, key.c_str(), value.data(), static_cast<int>(value.size()), 0);
    if (s != NATS_OK && natsError(s, "").code() == Status::Code::Conflict)
        s = kvStore_Create(&rev, m_kv, key.c_str(), value.data(), static_cast<int>(value.size()));
    if (s != NATS_OK) {
        Status st = natsError(s, m_bucket + " create " + key);
        if (st.code() == Status::Code::Conflict)
            return Status::conflict("key_exists", m_bucket + ": key " + key + " exists");
        return st;
    }
    return rev;
}

Result<uint64_t> KvStore::update(const std::string& key, const std::string& value, uint64_t expectedRevision)
{
    uint64_t rev = 0;
    natsStatus s =
        kvStore_Update(&rev, m_kv, key.c_str(), value.data(), static_cast<int>(value.size()), expectedRevision);
    if (s != NATS_OK)
        return natsError(s, m_bucket + " update " + key);
    return rev;
}

Status KvStore::remove(const std::string& key)
{
    natsStatus s = kvStore_Delete(m_kv, key.c_str());
    return s == NATS_OK ? Status::ok() : natsError(s, m_bucket + " delete " + key);
}

Result<std::vector<std::string>> KvStore::keys() const
{
    kvKeysList list;
    natsStatus s = kvStore_Keys(&list, m_kv, nullptr);
    if (s == NATS_NOT_FOUND)
        return std::vector<std::string>{};
    if (s != NATS_OK)
        return natsError(s, m_bucket + " keys");
    std::vector<std::string> out;
    out.reserve(static_cast<size_t>(list.Count));
    for (int i = 0; i < list.Count; ++i)
        out.emplace_back(list.Keys[i]);
    kvKeysList_Destroy(&list);
    return out;
}

Result<KvEntry> KvStore::updateWith(const std::string& key, const Mutator& mutate, int maxAttempts)
{
    for (int attempt = 0; attempt < maxAttempts; ++attempt) {
        Result<KvEntry> current = get(key);
        if (!current && current.status().code() != Status::Code::NotFound)
            return current.status();
        Result<std::string> next = mutate(current ? &current.value() : nullptr);
        if (!next)
            return next.status();
        Result<uint64_t> rev = current ? update(key, *next, current->revision) : create(key, *next);
        if (rev)
            return KvEntry{key, *next, *rev, false};
        if (rev.status().code() != Status::Code::Conflict)
            return rev.status();
    }
    return Status::conflict("revision_conflict", m_bucket + ": too many concurrent writers on " + key);
}

Result<std::unique_ptr<KvWatch>> KvStore::watch(const std::string& keys, WatchCallback callback,
                                                std::function<void()> caughtUp) const
{
    auto handle = std::make_unique<KvWatch>();
    natsStatus s = kvStore_Watch(&handle->m_watcher, m_kv, keys.c_str(), nullptr);
    if (s != NATS_OK)
        return natsError(s, m_bucket + " watch " + keys);
    KvWatch* raw = handle.get();
    raw->m_thread = std::thread([raw, cb = std::move(callback), done = std::move(caughtUp)] {
        while (!raw->m_stop) {
            kvEntry* e = nullptr;
            natsStatus ws = kvWatcher_Next(&e, raw->m_watcher, 250);
            if (ws == NATS_TIMEOUT)
                continue;
            if (ws != NATS_OK)
                break;
            if (!e) {  // NULL marks "initial values done"
                if (done)
                    done();
                continue;
            }
            cb(toEntry(e));
            kvEntry_Destroy(e);
        }
    });
    return handle;
}

}  // namespace paas
