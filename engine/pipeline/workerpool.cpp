#include "engine/pipeline/workerpool.h"

#include "engine/core/fixedpool.h"
#include "engine/core/threadpriority.h"
#include "engine/core/tsan.h"
#include "engine/pipeline/orchestrator.h"
#include "engine/store/backend.h"
#include "engine/store/natsclient.h"

#include <QDebug>

#include <algorithm>
#include <chrono>

namespace paas {

namespace {
constexpr int kMaxDeliver = 20;
}  // namespace

WorkerPool::WorkerPool(NatsClient& client, Orchestrator& orchestrator, int threads, int ackWaitMs)
    : m_client(client), m_orchestrator(orchestrator), m_ackWaitMs(ackWaitMs)
{
    m_pool.setMaxThreadCount(threads);
    m_pool.setExpiryTimeout(-1);
}

WorkerPool::~WorkerPool()
{
    stop();
}

Status WorkerPool::start(const std::vector<std::string>& steps)
{
    startFixedPool(m_pool, QStringLiteral("paas-steps"), m_pool.maxThreadCount());
    m_running = true;
    for (const std::string& step : steps) {
        const std::string subject = std::string(names::kWorkSubjectPrefix) + step;
        const std::string durable = "worker_" + step;
        jsSubOptions so;
        jsSubOptions_Init(&so);
        so.Stream = names::kWorkStream;
        so.Config.AckPolicy = js_AckExplicit;
        so.Config.AckWait = int64_t(m_ackWaitMs) * 1000000;
        so.Config.MaxDeliver = kMaxDeliver;
        so.Config.FilterSubject = subject.c_str();
        updateAckWait(durable, subject);
        natsSubscription* sub = nullptr;
        jsErrCode jerr = static_cast<jsErrCode>(0);
        natsStatus s =
            js_PullSubscribe(&sub, m_client.jetStream(), subject.c_str(), durable.c_str(), nullptr, &so, &jerr);
        if (s != NATS_OK)
            return natsError(s, "create worker consumer " + durable, jerr);
        m_subs.push_back(sub);
        m_fetchers.emplace_back([this, sub] { fetchLoop(sub); });
    }
    m_keepAlive = std::thread([this] { keepAliveLoop(); });
    return Status::ok();
}

void WorkerPool::fetchLoop(natsSubscription* sub)
{
    while (m_running) {
        if (m_busy.load() >= m_pool.maxThreadCount() * 2) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            continue;
        }
        natsMsgList list{};
        natsStatus s = natsSubscription_Fetch(&list, sub, 1, 500, nullptr);
        if (s == NATS_TIMEOUT)
            continue;
        if (s != NATS_OK) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            continue;
        }
        for (int i = 0; i < list.Count; ++i) {
            natsMsg* msg = list.Msgs[i];
            list.Msgs[i] = nullptr;  // ownership moves to the task
            ++m_busy;
            {
                std::lock_guard lock(m_inflightMutex);
                m_inflight.insert(msg);
            }
            m_pool.start(tsan::task([this, msg] { process(msg); }));
        }
        natsMsgList_Destroy(&list);
    }
}

void WorkerPool::process(natsMsg* msg)
{
    runInBackground();  // steps yield the cores to the API and the accept path
    WorkItem item;
    const std::string text(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
    int delivered = 1;
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
        delivered = static_cast<int>(meta->NumDelivered);
        jsMsgMetaData_Destroy(meta);
    }
    Status handled;
    if (WorkItem::fromJson(text, item)) {
        handled = m_orchestrator.handle(item, delivered, [msg] { natsMsg_InProgress(msg, nullptr); });
    } else {
        qWarning().noquote() << "worker: dropping malformed work item" << QString::fromStdString(text);
    }
    {
        std::lock_guard lock(m_inflightMutex);
        m_inflight.erase(msg);
    }
    if (handled) {
        natsMsg_Ack(msg, nullptr);
    } else {
        // The backend did not record a transition: redeliver, backing off.
        qWarning().noquote() << "worker: retrying" << QString::fromStdString(item.step) << "of"
                             << QString::fromStdString(item.opId) << "(" << QString::fromStdString(handled.message())
                             << ")";
        natsMsg_NakWithDelay(msg, int64_t(std::min(delivered, 10)) * 1000, nullptr);
    }
    natsMsg_Destroy(msg);
    ++m_handled;
    --m_busy;
}

void WorkerPool::updateAckWait(const std::string& durable, const std::string& subject)
{
    // A durable consumer keeps the ack wait it was created with: an existing
    // one (an older version's 60 s, or another PAAS_WORK_ACK_WAIT_MS) is
    // updated, so every instance's items are redelivered after the same wait.
    jsConsumerInfo* info = nullptr;
    if (js_GetConsumerInfo(&info, m_client.jetStream(), names::kWorkStream, durable.c_str(), nullptr, nullptr) !=
        NATS_OK)
        return;
    const bool same = info->Config->AckWait == int64_t(m_ackWaitMs) * 1000000;
    jsConsumerInfo_Destroy(info);
    if (same)
        return;
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = durable.c_str();
    cc.AckPolicy = js_AckExplicit;
    cc.AckWait = int64_t(m_ackWaitMs) * 1000000;
    cc.MaxDeliver = kMaxDeliver;
    cc.FilterSubject = subject.c_str();
    jsConsumerInfo* updated = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    if (js_UpdateConsumer(&updated, m_client.jetStream(), names::kWorkStream, &cc, nullptr, &jerr) == NATS_OK)
        jsConsumerInfo_Destroy(updated);
    else
        qWarning().noquote() << "worker: cannot set the ack wait of" << QString::fromStdString(durable)
                             << "[jetstream error" << static_cast<int>(jerr) << "]";
}

void WorkerPool::keepAliveLoop()
{
    const int every = std::max(1, m_ackWaitMs / 3 / 100);  // in 100 ms ticks
    int ticks = 0;
    while (m_running) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (++ticks % every != 0)
            continue;
        std::lock_guard lock(m_inflightMutex);
        for (natsMsg* msg : m_inflight)
            natsMsg_InProgress(msg, nullptr);
    }
}

void WorkerPool::stop()
{
    if (!m_running.exchange(false))
        return;
    for (std::thread& t : m_fetchers)
        t.join();
    m_fetchers.clear();
    if (m_keepAlive.joinable())
        m_keepAlive.join();
    m_pool.waitForDone(3000);
    for (natsSubscription* sub : m_subs) {  // the durable consumers stay on the server
        natsSubscription_Destroy(sub);
    }
    m_subs.clear();
}

}  // namespace paas
