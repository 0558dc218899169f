#include "engine/store/eventlog.h"

#include "engine/store/natsclient.h"

#include <algorithm>
#include <vector>

namespace paas {

namespace {
constexpr const char* kPrefix = "paas.events.";

struct MsgGuard {
    natsMsg* msg = nullptr;
    jsMsgMetaData* meta = nullptr;
    ~MsgGuard()
    {
        if (meta)
            jsMsgMetaData_Destroy(meta);
        if (msg)
            natsMsg_Destroy(msg);
    }
};

// Fills `out` from a message; `seq` is the stream sequence.
void fillEvent(natsMsg* msg, uint64_t seq, StoredEvent& out)
{
    out.seq = seq;
    out.subject = natsMsg_GetSubject(msg) ? natsMsg_GetSubject(msg) : "";
    const char* data = natsMsg_GetData(msg);
    out.data.assign(data ? data : "", static_cast<size_t>(natsMsg_GetDataLength(msg)));
    eventsubjects::parse(out.subject, out.projectId, out.opId);
}

struct SubGuard {
    natsSubscription* sub = nullptr;
    ~SubGuard()
    {
        if (sub) {
            natsSubscription_Unsubscribe(sub);  // deletes the ephemeral consumer
            natsSubscription_Destroy(sub);
        }
    }
};
}  // namespace

namespace eventsubjects {
std::string all()
{
    return std::string(kPrefix) + ">";
}
std::string ofProject(const std::string& projectId)
{
    return kPrefix + projectId + ".*";
}
std::string ofOp(const std::string& opId)
{
    return std::string(kPrefix) + "*." + opId;
}
std::string exact(const std::string& projectId, const std::string& opId)
{
    return kPrefix + projectId + "." + opId;
}

bool parse(const std::string& subject, std::string& projectId, std::string& opId)
{
    const std::string prefix(kPrefix);
    if (subject.compare(0, prefix.size(), prefix) != 0)
        return false;
    const size_t dot = subject.find('.', prefix.size());
    if (dot == std::string::npos || subject.find('.', dot + 1) != std::string::npos)
        return false;
    projectId = subject.substr(prefix.size(), dot - prefix.size());
    opId = subject.substr(dot + 1);
    return !projectId.empty() && !opId.empty();
}
}  // namespace eventsubjects

namespace {

// Which events an events-subject filter (eventsubjects::*) takes, matched in
// this process: an empty part is the `*` of that token.
struct SubjectMatch {
    std::string projectId;
    std::string opId;
    bool operator()(const StoredEvent& ev) const
    {
        return (projectId.empty() || ev.projectId == projectId) && (opId.empty() || ev.opId == opId);
    }
    // False for a filter this cannot express (then it gets its own consumer).
    static bool parse(const std::string& filter, SubjectMatch& out)
    {
        if (filter == eventsubjects::all())
            return true;
        if (!eventsubjects::parse(filter, out.projectId, out.opId) || out.projectId == ">" || out.opId == ">")
            return false;
        if (out.projectId == "*")
            out.projectId.clear();
        if (out.opId == "*")
            out.opId.clear();
        return out.projectId.find_first_of("*>") == std::string::npos &&
               out.opId.find_first_of("*>") == std::string::npos;
    }
};

}  // namespace

struct EventLog::Feed {
    std::string filter;
    natsSubscription* sub = nullptr;
    std::mutex mutex;  // held while listeners run
    std::map<uint64_t, Listener> listeners;
    std::atomic<uint64_t>* liveEvents = nullptr;
};

EventLog::EventLog(NatsClient& client, std::string stream) : m_client(client), m_stream(std::move(stream)) {}

EventLog::~EventLog()
{
    std::map<std::string, std::shared_ptr<Feed>> feeds;
    {
        std::lock_guard lock(m_mutex);
        feeds.swap(m_feeds);
    }
    for (auto& [filter, feed] : feeds) {
        {
            std::lock_guard lock(feed->mutex);
            feed->listeners.clear();
        }
        natsSubscription_Unsubscribe(feed->sub);
        natsSubscription_Destroy(feed->sub);
    }
}

Result<StreamBounds> EventLog::bounds() const
{
    jsStreamInfo* info = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&info, m_client.jetStream(), m_stream.c_str(), nullptr, &jerr);
    if (s != NATS_OK)
        return natsError(s, "stream info " + m_stream, jerr);
    StreamBounds b{info->State.FirstSeq, info->State.LastSeq, info->State.Msgs};
    jsStreamInfo_Destroy(info);
    if (b.messages == 0)
        b.firstSeq = b.lastSeq + 1;
    return b;
}

Result<StoredEvent> EventLog::lastOnSubject(const std::string& subject) const
{
    MsgGuard g;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_GetLastMsg(&g.msg, m_client.jetStream(), m_stream.c_str(), subject.c_str(), nullptr, &jerr);
    if (s != NATS_OK)
        return natsError(s, "last event on " + subject, jerr);
    StoredEvent ev;
    fillEvent(g.msg, natsMsg_GetSequence(g.msg), ev);
    return ev;
}

namespace {
// Messages already delivered to this process but not yet taken by NextMsg.
int locallyQueued(natsSubscription* sub)
{
    int msgs = 0, bytes = 0;
    return natsSubscription_GetPending(sub, &msgs, &bytes) == NATS_OK ? msgs : 0;
}

constexpr int kCancelPollMs = 100;

// NextMsg in slices, so a cancelled replay lets go of its thread at once.
// NATS_TIMEOUT after stallMs; NATS_ILLEGAL_STATE when cancelled.
natsStatus nextMsg(natsMsg** msg, natsSubscription* sub, int stallMs, const std::function<bool()>& cancelled)
{
    if (!cancelled)
        return natsSubscription_NextMsg(msg, sub, stallMs);
    for (int waited = 0;; waited += kCancelPollMs) {
        if (cancelled())
            return NATS_ILLEGAL_STATE;
        const int slice = std::min(kCancelPollMs, stallMs - waited);
        const natsStatus s = natsSubscription_NextMsg(msg, sub, std::max(1, slice));
        if (s != NATS_TIMEOUT || waited + slice >= stallMs)
            return s;
    }
}

}  // namespace

Result<uint64_t> EventLog::replay(const ReplayOptions& options, const Sink& sink) const
{
    ++m_replays;
    Result<StreamBounds> b = bounds();
    if (!b)
        return b.status();
    if (options.maxEvents == 0 || options.afterSeq >= b->lastSeq)
        return uint64_t(0);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = m_stream.c_str();
    so.Ordered = true;
    constexpr int64_t kClockSkewMs = 60000;
    if (options.afterSeq == 0 && options.notBeforeMs > kClockSkewMs) {
        so.Config.DeliverPolicy = js_DeliverByStartTime;
        so.Config.OptStartTime = (options.notBeforeMs - kClockSkewMs) * int64_t(1000000);
    } else {
        so.Config.DeliverPolicy = js_DeliverByStartSequence;
        so.Config.OptStartSeq = std::max(options.afterSeq + 1, b->firstSeq);
    }
    SubGuard g;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_SubscribeSync(&g.sub, m_client.jetStream(), options.filter.c_str(), nullptr, &so, &jerr);
    if (s != NATS_OK)
        return natsError(s, "replay " + options.filter, jerr);
    jsConsumerInfo* ci = nullptr;
    s = natsSubscription_GetConsumerInfo(&ci, g.sub, nullptr, &jerr);
    if (s != NATS_OK)
        return natsError(s, "replay consumer info", jerr);
    const bool empty = ci->NumPending == 0 && ci->Delivered.Consumer == 0;
    jsConsumerInfo_Destroy(ci);
    uint64_t count = 0;
    while (!empty && count < options.maxEvents) {
        MsgGuard m;
        s = nextMsg(&m.msg, g.sub, options.stallTimeoutMs, options.cancelled);
        if (s == NATS_ILLEGAL_STATE && options.cancelled && options.cancelled())
            break;
        if (s != NATS_OK)
            return natsError(s, "replay " + options.filter + " stalled");
        if (natsMsg_GetMetaData(&m.meta, m.msg) != NATS_OK)
            continue;
        StoredEvent ev;
        fillEvent(m.msg, m.meta->Sequence.Stream, ev);
        ++count;
        ++m_replayed;
        if (!sink(ev) || ev.seq >= b->lastSeq)
            break;
        // NumPending counts only what the server has not sent yet; messages
        // already queued in this process must be read before ending.
        if (m.meta->NumPending == 0 && locallyQueued(g.sub) == 0)
            break;
    }
    return count;
}

void EventLog::onMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure)
{
    auto* feed = static_cast<Feed*>(closure);
    MsgGuard g{msg, nullptr};
    if (natsMsg_GetMetaData(&g.meta, msg) != NATS_OK)
        return;
    StoredEvent ev;
    fillEvent(msg, g.meta->Sequence.Stream, ev);
    std::lock_guard lock(feed->mutex);
    if (!feed->listeners.empty() && feed->liveEvents)
        ++*feed->liveEvents;
    for (auto& [id, listener] : feed->listeners)
        listener(ev);
}

void EventLog::onComplete(void* closure)
{
    delete static_cast<std::shared_ptr<Feed>*>(closure);
}

Result<std::shared_ptr<EventLog::Tap>> EventLog::tap(const std::string& wanted, Listener listener)
{
    // Every events-subject filter rides on the one consumer of the whole
    // stream and is matched here: opening an op's stream costs the server
    // nothing (no consumer per followed op, no delivery thread per tap).
    SubjectMatch match;
    const bool shared = SubjectMatch::parse(wanted, match);
    const std::string filter = shared ? eventsubjects::all() : wanted;
    if (shared && !(match.projectId.empty() && match.opId.empty()))
        listener = [match, inner = std::move(listener)](const StoredEvent& ev) {
            if (match(ev))
                inner(ev);
        };
    std::lock_guard lock(m_mutex);
    std::shared_ptr<Feed>& feed = m_feeds[filter];
    if (!feed && !m_client.responsive()) {  // fail fast: never wait on a server known to hang
        m_feeds.erase(filter);
        return Status::unavailable("backend_unavailable", "the JetStream backend is not answering; retry shortly");
    }
    if (!feed) {
        auto fresh = std::make_shared<Feed>();
        fresh->filter = filter;
        fresh->liveEvents = &m_liveEvents;
        jsSubOptions so;
        jsSubOptions_Init(&so);
        so.Stream = m_stream.c_str();
        so.Ordered = true;
        so.Config.DeliverPolicy = js_DeliverNew;
        jsErrCode jerr = static_cast<jsErrCode>(0);
        natsStatus s = js_Subscribe(&fresh->sub, m_client.jetStream(), filter.c_str(), &EventLog::onMessage,
                                    fresh.get(), nullptr, &so, &jerr);
        if (s != NATS_OK) {
            m_feeds.erase(filter);
            return natsError(s, "live events " + filter, jerr);
        }
        natsSubscription_SetPendingLimits(fresh->sub, 1000000, 256 * 1024 * 1024);
        natsSubscription_SetOnCompleteCB(fresh->sub, &EventLog::onComplete, new std::shared_ptr<Feed>(fresh));
        feed = fresh;
    }
    const uint64_t id = m_nextTapId++;
    {
        std::lock_guard feedLock(feed->mutex);
        feed->listeners.emplace(id, std::move(listener));
    }
    ++m_taps;
    return std::shared_ptr<Tap>(new Tap(*this, filter, id));
}

void EventLog::detach(const std::string& filter, uint64_t tapId)
{
    natsSubscription* toClose = nullptr;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_feeds.find(filter);
        if (it == m_feeds.end())
            return;
        std::shared_ptr<Feed> feed = it->second;
        bool last = false;
        {
            std::lock_guard feedLock(feed->mutex);  // waits for a running listener
            feed->listeners.erase(tapId);
            last = feed->listeners.empty();
        }
        --m_taps;
        if (last) {
            toClose = feed->sub;
            m_feeds.erase(it);
        }
    }
    if (toClose) {
        natsSubscription_Unsubscribe(toClose);  // deletes the ordered consumer
        natsSubscription_Destroy(toClose);
    }
}

EventLog::Tap::~Tap()
{
    m_log.detach(m_filter, m_id);
}

int EventLog::subscriptionCount() const
{
    std::lock_guard lock(m_mutex);
    return static_cast<int>(m_feeds.size());
}

nlohmann::json EventLog::counters() const
{
    return {{"nats_subscriptions", subscriptionCount()},
            {"taps", m_taps.load()},
            {"live_events", m_liveEvents.load()},
            {"replays", m_replays.load()},
            {"replayed_events", m_replayed.load()}};
}

}  // namespace paas
