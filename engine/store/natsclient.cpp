#include "engine/store/natsclient.h"

#include "engine/store/kvstore.h"

#include <nlohmann/json.hpp>

#include <QByteArray>
#include <QDebug>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>

namespace paas {

Status natsError(natsStatus s, const std::string& what, jsErrCode jerr)
{
    const char* last = nats_GetLastError(nullptr);
    std::string text = what + ": " + natsStatus_GetText(s);
    if (last && *last)
        text += std::string(" (") + last + ")";
    if (jerr != 0)
        text += " [jetstream error " + std::to_string(static_cast<int>(jerr)) + "]";
    if (s == NATS_NOT_FOUND)
        return Status::notFound("not_found", text);
    // First by status: the thread's last error text may be an older one (a
    // "wrong last sequence" of a previous CAS) when the server did not answer.
    // A socket error (the server died mid-send) is the same fault: retryable.
    if (s == NATS_TIMEOUT || s == NATS_CONNECTION_CLOSED || s == NATS_NO_SERVER || s == NATS_CONNECTION_DISCONNECTED ||
        s == NATS_NO_RESPONDERS || s == NATS_IO_ERROR || s == NATS_STALE_CONNECTION)
        return Status::unavailable("backend_unavailable", text);
    if (jerr == JSStreamWrongLastSequenceErr || (last && std::strstr(last, "wrong last sequence")))
        return Status::conflict("revision_conflict", text);
    return Status::internal("backend_error", text);
}

namespace {
// The live clients' callback state by id. nats.c may call back after a
// client is gone (its disconnected event is posted by the close in the
// destructor): such a call finds no entry and does nothing.
std::mutex g_registryMutex;
std::map<uintptr_t, std::weak_ptr<void>> g_registry;
uintptr_t g_nextId = 1;
}  // namespace

NatsClient::NatsClient()
{
    std::lock_guard lock(g_registryMutex);
    m_id = g_nextId++;
    g_registry[m_id] = m_shared;
}

void NatsClient::unregister()
{
    std::lock_guard lock(g_registryMutex);
    g_registry.erase(m_id);
}

std::shared_ptr<NatsClient::Shared> NatsClient::sharedOf(void* id)
{
    std::lock_guard lock(g_registryMutex);
    auto it = g_registry.find(reinterpret_cast<uintptr_t>(id));
    return it == g_registry.end() ? nullptr : std::static_pointer_cast<Shared>(it->second.lock());
}

void NatsClient::setConnected(void* id, bool up)
{
    std::shared_ptr<Shared> shared = sharedOf(id);
    if (!shared)
        return;
    shared->connected = up;
    std::lock_guard lock(shared->mutex);
    if (shared->onState)
        shared->onState(up);
}

void NatsClient::onDisconnected(natsConnection*, void* id)
{
    setConnected(id, false);
}

void NatsClient::onReconnected(natsConnection*, void* id)
{
    setConnected(id, true);
}

void NatsClient::onAsyncPublishError(jsCtx*, jsPubAckErr* err, void* id)
{
    if (std::shared_ptr<Shared> shared = sharedOf(id))
        ++shared->asyncFailures;
    const char* subject = err && err->Msg ? natsMsg_GetSubject(err->Msg) : "?";
    qWarning().noquote() << "NATS: an unacknowledged publish on" << subject << "was lost:"
                         << (err && err->ErrText ? err->ErrText : natsStatus_GetText(err ? err->Err : NATS_ERR));
}

Result<std::unique_ptr<NatsClient>> NatsClient::connect(const std::string& url, int timeoutMs, StateCallback onState)
{
    std::unique_ptr<NatsClient> client(new NatsClient);
    client->m_url = url;
    client->m_shared->onState = std::move(onState);
    natsOptions* opts = nullptr;
    natsOptions_Create(&opts);
    // PAAS_NATS_URL may list a cluster's servers: nats://a:4222,nats://b:4222.
    std::vector<std::string> servers;
    for (size_t from = 0; from <= url.size();) {
        const size_t comma = std::min(url.find(',', from), url.size());
        if (comma > from)
            servers.push_back(url.substr(from, comma - from));
        from = comma + 1;
    }
    std::vector<const char*> serverPtrs;
    serverPtrs.reserve(servers.size());
    for (const std::string& server : servers)
        serverPtrs.push_back(server.c_str());
    if (serverPtrs.size() > 1)
        natsOptions_SetServers(opts, serverPtrs.data(), static_cast<int>(serverPtrs.size()));
    else
        natsOptions_SetURL(opts, url.c_str());
    natsOptions_SetName(opts, "paas");
    natsOptions_SetMaxReconnect(opts, -1);
    natsOptions_SetReconnectWait(opts, 250);
    natsOptions_SetReconnectBufSize(opts, 32 * 1024 * 1024);
    natsOptions_SetTimeout(opts, 2000);
    void* id = reinterpret_cast<void*>(client->m_id);  // NOLINT(performance-no-int-to-ptr): an opaque closure id
    natsOptions_SetDisconnectedCB(opts, &NatsClient::onDisconnected, id);
    natsOptions_SetReconnectedCB(opts, &NatsClient::onReconnected, id);
    natsStatus s = NATS_NO_SERVER;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    while (true) {
        s = natsConnection_Connect(&client->m_conn, opts);
        if (s == NATS_OK || std::chrono::steady_clock::now() > deadline)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    natsOptions_Destroy(opts);
    if (s != NATS_OK)
        return natsError(s, "connect to NATS at " + url);
    jsOptions jsOpts;
    jsOptions_Init(&jsOpts);
    jsOpts.Wait = kCallTimeoutMs;
    jsOpts.PublishAsync.MaxPending = kMaxAsyncPending;
    jsOpts.PublishAsync.StallWait = kCallTimeoutMs;
    jsOpts.PublishAsync.ErrHandler = &NatsClient::onAsyncPublishError;
    jsOpts.PublishAsync.ErrHandlerClosure = id;
    s = natsConnection_JetStream(&client->m_js, client->m_conn, &jsOpts);
    if (s != NATS_OK)
        return natsError(s, "open JetStream context");
    client->m_shared->connected = true;
    return client;
}

void NatsClient::startProbe()
{
    if (m_probe.joinable())
        return;
    m_probe = std::thread([this] {
        std::unique_lock lock(m_probeMutex);
        while (!m_probeStop) {
            lock.unlock();
            m_responsive = natsConnection_FlushTimeout(m_conn, 1000) == NATS_OK;
            lock.lock();
            m_probeWake.wait_for(lock, std::chrono::milliseconds(500), [this] { return m_probeStop; });
        }
    });
}

void NatsClient::stopProbe()
{
    {
        std::lock_guard lock(m_probeMutex);
        m_probeStop = true;
    }
    m_probeWake.notify_all();
    if (m_probe.joinable())
        m_probe.join();
}

NatsClient::~NatsClient()
{
    stopProbe();
    unregister();
    {
        std::lock_guard lock(m_shared->mutex);  // waits for a callback running now
        m_shared->onState = nullptr;
    }
    if (m_js) {
        settleAsyncPublishes();
        jsCtx_Destroy(m_js);
    }
    if (m_conn) {
        natsConnection_Close(m_conn);
        natsConnection_Destroy(m_conn);
    }
}

void NatsClient::settleAsyncPublishes()
{
    if (!m_js || !m_shared->connected.load())
        return;
    jsPubOptions wait;
    jsPubOptions_Init(&wait);
    wait.MaxWait = kCallTimeoutMs;
    js_PublishAsyncComplete(m_js, &wait);
}

void NatsClient::drainAndClose(int timeoutMs)
{
    stopProbe();
    if (!m_conn)
        return;
    {
        std::lock_guard lock(m_shared->mutex);
        m_shared->onState = nullptr;
    }
    settleAsyncPublishes();
    natsConnection_DrainTimeout(m_conn, timeoutMs);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    while (!natsConnection_IsClosed(m_conn) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    natsConnection_Close(m_conn);
}

Status NatsClient::ensureStream(const StreamSpec& spec)
{
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = spec.name.c_str();
    std::vector<const char*> subjects;
    for (const auto& subject : spec.subjects)
        subjects.push_back(subject.c_str());
    cfg.Subjects = subjects.data();
    cfg.SubjectsLen = static_cast<int>(subjects.size());
    cfg.Retention = spec.workQueue ? js_WorkQueuePolicy : js_LimitsPolicy;
    cfg.MaxMsgs = spec.maxMsgs;
    cfg.MaxAge = spec.maxAgeNanos;
    cfg.MaxBytes = spec.maxBytes;
    cfg.Storage = js_FileStorage;
    cfg.AllowDirect = spec.allowDirect;
    cfg.Replicas = spec.replicas;
    jsStreamInfo* info = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_AddStream(&info, m_js, &cfg, nullptr, &jerr);
    if (info)
        jsStreamInfo_Destroy(info);
    if (s == NATS_OK)
        return Status::ok();
    if (jerr == JSStreamNameExistErr) {
        reportSettings(spec.name, "stream " + spec.name, spec.replicas, spec.maxAgeNanos);
        return Status::ok();
    }
    return natsError(s, "create stream " + spec.name, jerr);
}

Result<std::unique_ptr<KvStore>> NatsClient::openBucket(const BucketSpec& spec)
{
    kvStore* kv = nullptr;
    const int64_t ttlNanos = spec.ttlMs * 1000000;
    natsStatus s = js_KeyValue(&kv, m_js, spec.name.c_str());
    if (s == NATS_NOT_FOUND) {
        kvConfig cfg;
        kvConfig_Init(&cfg);
        cfg.Bucket = spec.name.c_str();
        cfg.History = static_cast<uint8_t>(spec.history);
        cfg.StorageType = js_FileStorage;
        cfg.Replicas = spec.replicas;
        cfg.TTL = ttlNanos;
        s = js_CreateKeyValue(&kv, m_js, &cfg);
        if (s != NATS_OK)  // another instance may have created it meanwhile
            s = js_KeyValue(&kv, m_js, spec.name.c_str());
    } else if (s == NATS_OK) {
        reportSettings("KV_" + spec.name, "KV bucket " + spec.name, spec.replicas, ttlNanos);
    }
    if (s != NATS_OK)
        return natsError(s, "open KV bucket " + spec.name);
    if (spec.replicas > 1 && disableDirectGets("KV_" + spec.name)) {
        kvStore_Destroy(kv);  // opened again: nats.c decides direct or leader gets when it opens one
        kv = nullptr;
        if (s = js_KeyValue(&kv, m_js, spec.name.c_str()); s != NATS_OK)
            return natsError(s, "open KV bucket " + spec.name);
    }
    return std::unique_ptr<KvStore>(new KvStore(spec.name, kv));
}

bool NatsClient::disableDirectGets(const std::string& stream)
{
    // A direct get is answered by any replica, also by one that has not yet
    // applied the last acknowledged write: on a replicated bucket, a read
    // after a write (a step's fence after its claim) could see the past.
    // Without direct gets, nats.c reads the last value from the leader.
    jsStreamInfo* info = nullptr;
    if (js_GetStreamInfo(&info, m_js, stream.c_str(), nullptr, nullptr) != NATS_OK || !info)
        return false;
    bool changed = false;
    if (info->Config->AllowDirect) {
        info->Config->AllowDirect = false;
        jsStreamInfo* updated = nullptr;
        jsErrCode jerr = static_cast<jsErrCode>(0);
        changed = js_UpdateStream(&updated, m_js, info->Config, nullptr, &jerr) == NATS_OK;
        if (updated)
            jsStreamInfo_Destroy(updated);
        if (!changed)
            qWarning().noquote() << "NATS: cannot turn off direct gets on" << QString::fromStdString(stream)
                                 << "[jetstream error" << static_cast<int>(jerr) << "]: reads may lag writes";
    }
    jsStreamInfo_Destroy(info);
    return changed;
}

void NatsClient::reportSettings(const std::string& stream, const std::string& what, int replicas, int64_t maxAgeNanos)
{
    jsStreamInfo* info = nullptr;
    if (js_GetStreamInfo(&info, m_js, stream.c_str(), nullptr, nullptr) != NATS_OK || !info)
        return;
    std::string differs;
    if (info->Config->Replicas != replicas)
        differs += " replicas " + std::to_string(info->Config->Replicas) + " (asked " + std::to_string(replicas) + ")";
    if (info->Config->MaxAge != maxAgeNanos)
        differs += " max age " + std::to_string(info->Config->MaxAge / 1000000) + " ms (asked " +
                   std::to_string(maxAgeNanos / 1000000) + " ms)";
    jsStreamInfo_Destroy(info);
    if (differs.empty())
        return;
    const std::string line = what + " exists with other settings:" + differs +
                             "; it is used as it is (change it with the nats CLI, or remove it, to apply them)";
    qWarning().noquote() << "NATS:" << QString::fromStdString(line);
    std::lock_guard lock(m_warningsMutex);
    m_settingWarnings.push_back(line);
}

std::vector<std::string> NatsClient::settingWarnings() const
{
    std::lock_guard lock(m_warningsMutex);
    return m_settingWarnings;
}

Result<uint64_t> NatsClient::publish(const std::string& subject, const std::string& data)
{
    jsPubAck* ack = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_Publish(&ack, m_js, subject.c_str(), data.data(), static_cast<int>(data.size()), nullptr, &jerr);
    if (s != NATS_OK)
        return natsError(s, "publish " + subject, jerr);
    const uint64_t seq = ack->Sequence;
    jsPubAck_Destroy(ack);
    return seq;
}

Status NatsClient::publishAsync(const std::string& subject, const std::string& data)
{
    natsStatus s = js_PublishAsync(m_js, subject.c_str(), data.data(), static_cast<int>(data.size()), nullptr);
    return s == NATS_OK ? Status::ok() : natsError(s, "publish " + subject);
}

Result<StreamMessage> NatsClient::nextMessage(const std::string& stream, const std::string& subject, uint64_t fromSeq)
{
    if (m_leaderReads)
        return nextMessageFromLeader(stream, subject, fromSeq);
    jsDirectGetMsgOptions get;
    jsDirectGetMsgOptions_Init(&get);
    get.Sequence = std::max<uint64_t>(1, fromSeq);
    get.NextBySubject = subject.c_str();
    natsMsg* msg = nullptr;
    natsStatus s = js_DirectGetMsg(&msg, m_js, stream.c_str(), nullptr, &get);
    if (s == NATS_NOT_FOUND)
        return Status::notFound("no_message", "no message on " + subject);
    if (s != NATS_OK)
        return natsError(s, "direct get on " + subject);
    StreamMessage out;
    out.data.assign(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
    const char* seq = nullptr;
    if (natsMsgHeader_Get(msg, "Nats-Sequence", &seq) == NATS_OK && seq)
        out.seq = std::strtoull(seq, nullptr, 10);
    natsMsg_Destroy(msg);
    if (out.seq == 0)
        return Status::internal("bad_direct_get", "direct get on " + subject + " answered without a sequence");
    return out;
}

Status NatsClient::deleteMessage(const std::string& stream, uint64_t seq)
{
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_DeleteMsg(m_js, stream.c_str(), seq, nullptr, &jerr);
    if (s == NATS_OK || s == NATS_NOT_FOUND || jerr == JSSequenceNotFoundErr || jerr == JSNoMessageFoundErr)
        return Status::ok();
    if (jerr != 0) {
        // A message deleted meanwhile (by another deleter) fails with the
        // generic "message delete failed" (10057): it is gone, as asked.
        jsDirectGetMsgOptions get;
        jsDirectGetMsgOptions_Init(&get);
        get.Sequence = seq;
        natsMsg* msg = nullptr;
        const natsStatus g = js_DirectGetMsg(&msg, m_js, stream.c_str(), nullptr, &get);
        natsMsg_Destroy(msg);
        if (g == NATS_NOT_FOUND)
            return Status::ok();
    }
    return natsError(s, "delete message " + std::to_string(seq) + " of " + stream, jerr);
}

Status NatsClient::purgeSubject(const std::string& stream, const std::string& subject)
{
    jsOptions opts;
    jsOptions_Init(&opts);
    opts.Wait = kCallTimeoutMs;
    opts.Stream.Purge.Subject = subject.c_str();
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_PurgeStream(m_js, stream.c_str(), &opts, &jerr);
    if (s != NATS_OK)
        return natsError(s, "purge " + subject, jerr);
    return Status::ok();
}

}  // namespace paas
