#include "engine/api/ssehub.h"

#include "engine/api/router.h"
#include "engine/api/sseconnection.h"
#include "engine/api/ssestate.h"
#include "engine/core/fixedpool.h"
#include "engine/core/tsan.h"

#include <QDateTime>
#include <QDebug>

#include <optional>

namespace paas::api {

struct SseHub::ReplayResult {
    Status status;
    bool gap = false;              // Last-Event-ID older than retention / unknown
    std::vector<EventPtr> events;  // the last chunk
    std::optional<EventPtr> last;  // newest event of the op (op streams)
};

struct SseHub::ReplayJob {
    quint64 id = 0;
    std::string filter;
    uint64_t afterSeq = 0;
    std::string lastSubject;  // op streams: the op's exact subject
    CancelFlag cancelled;
    int64_t notBeforeMs = 0;  // op streams: the op's creation
};

namespace {

constexpr size_t kReplayChunk = 256;
constexpr size_t kMaxPending = 100000;
constexpr int kHousekeepingMs = 1000;

}  // namespace

SseHub::SseHub(NatsClient& client, SnapshotFn snapshot, SseHubOptions options, QObject* parent)
    : QObject(parent), m_log(client), m_snapshot(std::move(snapshot)), m_options(options)
{
    startFixedPool(m_pool, QStringLiteral("paas-sse-replay"), std::max(1, m_options.replayThreads));
    startFixedPool(m_reaper, QStringLiteral("paas-sse-reaper"), 1);
    m_heartbeat.setInterval(std::max(10, m_options.heartbeatMs));
    connect(&m_heartbeat, &QTimer::timeout, this, &SseHub::heartbeat);
    m_heartbeat.start();
    m_housekeeping.setInterval(kHousekeepingMs);
    connect(&m_housekeeping, &QTimer::timeout, this, &SseHub::housekeeping);
    m_housekeeping.start();
    registerHub(this);
}

SseHub::~SseHub()
{
    unregisterHub(this);
    m_stopping = true;
    m_heartbeat.stop();
    m_housekeeping.stop();
    m_pool.waitForDone();
    m_reaper.waitForDone();
    for (auto& [id, client] : m_clients)
        if (client->conn)
            client->conn->abort();
    m_channels.clear();  // detaches every tap before m_log goes
    m_clients.clear();
}

void SseHub::addRoutes(Router& router)
{
    using M = QHttpServerRequest::Method;
    router.add(M::Get, QStringLiteral("/api/ops/([^/]+)/events"), [this](HttpExchange& ex) {
        openOpStream(ex, ex.args.value(0).toStdString(),
                     lastEventId(ex.request.value("Last-Event-ID"), ex.request.url()));
    });
    router.add(M::Get, QStringLiteral("/api/events"), [this](HttpExchange& ex) {
        openFeed(ex, feedFilter(ex.request.url()), lastEventId(ex.request.value("Last-Event-ID"), ex.request.url()));
    });
}

bool SseHub::admit(HttpExchange& ex)
{
    if (static_cast<int>(m_clients.size()) < m_options.maxClients)
        return true;
    ++m_rejectedBusy;
    sendError(ex,
              Status::unavailable("too_many_streams", "the server already serves " + std::to_string(m_clients.size()) +
                                                          " event streams (PAAS_SSE_MAX_CLIENTS); retry later"),
              {{"Retry-After", QByteArray::number(m_options.retryAfterS)}});
    return false;
}

SseClient* SseHub::addClient(bool feed)
{
    auto client = std::make_unique<SseClient>();
    client->id = m_nextId++;
    client->feed = feed;
    SseClient* raw = client.get();
    m_clients.emplace(raw->id, std::move(client));
    ++(feed ? m_feedClients : m_opClients);
    return raw;
}

// Joins the channel, then takes over the responder and writes the head. On
// failure the client is answered (503) or already gone, and removed.
bool SseHub::attach(SseClient& c, HttpExchange& ex, const std::string& key, const std::string& filter)
{
    if (Status s = join(c, key, filter); !s) {
        sendError(ex, Status::unavailable("events_unavailable", s.message()));
        removeClient(c.id);
        return false;
    }
    c.conn = new SseConnection(std::move(ex.responder), this);
    const quint64 id = c.id;
    connect(
        c.conn, &SseConnection::gone, this, [this, id] { removeClient(id); }, Qt::QueuedConnection);
    if (!c.conn->open()) {
        markFinished(c);
        c.conn->abort();
        return false;
    }
    ++m_accepted;
    return true;
}

Status SseHub::join(SseClient& client, const std::string& key, const std::string& filter)
{
    Channel& channel = m_channels[key];
    if (!channel.tap) {
        Result<std::shared_ptr<EventLog::Tap>> tap = m_log.tap(filter, [this, key](const StoredEvent& stored) {
            EventPtr ev = makeEvent(stored);
            QMetaObject::invokeMethod(this, tsan::handOff([this, key, ev] { onLive(key, ev); }), Qt::QueuedConnection);
        });
        if (!tap) {
            m_channels.erase(key);
            return tap.status();
        }
        channel.tap = std::move(tap.value());
        ++m_channelCount;
    }
    channel.clients.insert(client.id);
    client.channel = key;
    return Status::ok();
}

void SseHub::openOpStream(HttpExchange& ex, const std::string& opId, uint64_t lastEventId)
{
    if (!admit(ex))
        return;
    Result<nlohmann::json> snapshot = m_snapshot(opId);
    if (!snapshot) {
        sendError(ex, snapshot.status());
        return;
    }
    const std::string projectId = snapshot->value("project_id", std::string());
    const std::string subject = projectId.empty() ? eventsubjects::ofOp(opId) : eventsubjects::exact(projectId, opId);
    SseClient* c = addClient(false);
    c->opId = opId;
    c->projectId = projectId;
    c->snapshot = std::move(snapshot.value());
    c->lastSent = lastEventId;
    if (!attach(*c, ex, "op:" + opId, subject))
        return;
    const nlohmann::json boot{{"type", "op.bootstrap"},
                              {"op_id", opId},
                              {"project_id", projectId},
                              {"at", nowIso()},
                              {"status", c->snapshot.value("status", "")},
                              {"op", c->snapshot}};
    c->conn->send(formatSseFrame({0, "op.bootstrap", QByteArray::fromStdString(boot.dump()), m_options.retryMs}));
    ++m_framesSent;
    const QDateTime created =
        QDateTime::fromString(QString::fromStdString(c->snapshot.value("created_at", "")), Qt::ISODateWithMs);
    startReplay(*c, subject, lastEventId, projectId.empty() ? std::string() : subject,
                created.isValid() ? created.toMSecsSinceEpoch() : 0);
}

void SseHub::openFeed(HttpExchange& ex, const FeedFilter& filter, uint64_t lastEventId)
{
    if (!admit(ex))
        return;
    SseClient* c = addClient(true);
    c->filter = filter;
    c->lastSent = lastEventId;
    if (!attach(*c, ex, "feed", eventsubjects::all()))
        return;
    c->conn->send(formatSseFrame({0, {}, QByteArray(), m_options.retryMs}));
    if (lastEventId == 0) {  // no history for a fresh feed: live only
        c->replaying = false;
        return;
    }
    const std::string subject =
        filter.projectId.empty() ? eventsubjects::all() : eventsubjects::ofProject(filter.projectId);
    startReplay(*c, subject, lastEventId, {});
}

void SseHub::startReplay(SseClient& client, const std::string& filter, uint64_t afterSeq,
                         const std::string& lastSubject, int64_t notBeforeMs)
{
    ReplayJob job{client.id, filter, afterSeq, lastSubject, client.cancelled, notBeforeMs};
    m_pool.start(tsan::task([this, job = std::move(job)] {
        if (job.cancelled->load() || m_stopping.load()) {
            ++m_replaysCancelled;  // the client left while this waited in the queue
            return;
        }
        auto result = std::make_shared<ReplayResult>();
        fillReplay(*result, job);
        if (job.cancelled->load()) {
            ++m_replaysCancelled;
            return;
        }
        QMetaObject::invokeMethod(this, tsan::handOff([this, id = job.id, result] { onReplayDone(id, result); }),
                                  Qt::QueuedConnection);
    }));
}

// On a pool thread: the stream bounds (gap?), the op's newest event (is there
// anything after afterSeq at all?), then the replay itself in chunks. Every
// step first checks that the client still wants it.
void SseHub::fillReplay(ReplayResult& result, const ReplayJob& job)
{
    auto abandoned = [this, &job] { return job.cancelled->load() || m_stopping.load(); };
    Result<StreamBounds> b = m_log.bounds();
    if (!b) {
        result.status = b.status();
        return;
    }
    result.gap = job.afterSeq > 0 && (job.afterSeq + 1 < b->firstSeq || job.afterSeq > b->lastSeq);
    bool replay = true;
    if (!job.lastSubject.empty() && !abandoned()) {
        Result<StoredEvent> last = m_log.lastOnSubject(job.lastSubject);
        if (last)
            result.last = makeEvent(*last);
        else if (last.status().code() != Status::Code::NotFound)
            result.status = last.status();
        if (!result.last || (*result.last)->seq <= job.afterSeq)
            replay = false;  // nothing after afterSeq: no consumer needed
    }
    if (!replay || result.gap || !result.status.isOk() || abandoned())
        return;
    std::vector<EventPtr> chunk;
    EventLog::ReplayOptions options{job.filter, job.afterSeq, m_options.maxReplay};
    options.cancelled = abandoned;
    options.notBeforeMs = job.notBeforeMs;
    Result<uint64_t> n = m_log.replay(options, [&](const StoredEvent& e) {
        chunk.push_back(makeEvent(e));
        if (chunk.size() >= kReplayChunk) {
            QMetaObject::invokeMethod(this, tsan::handOff([this, id = job.id, chunk] { onReplayChunk(id, chunk); }),
                                      Qt::QueuedConnection);
            chunk.clear();
        }
        return !abandoned();
    });
    if (!n)
        result.status = n.status();
    result.events = std::move(chunk);
}

SseClient* SseHub::find(quint64 id)
{
    auto it = m_clients.find(id);
    return it == m_clients.end() ? nullptr : it->second.get();
}

void SseHub::onLive(const std::string& key, const EventPtr& ev)
{
    auto it = m_channels.find(key);
    if (it == m_channels.end())
        return;
    const std::vector<quint64> ids(it->second.clients.begin(), it->second.clients.end());
    for (quint64 id : ids)
        if (SseClient* c = find(id))
            deliver(*c, ev);
}

void SseHub::onReplayChunk(quint64 id, const std::vector<EventPtr>& events)
{
    SseClient* c = find(id);
    if (!c)
        return;
    for (const EventPtr& ev : events) {
        if (c->finished)
            return;
        if (ev->seq > c->lastSent && accepts(*c, *ev))
            send(*c, ev);
    }
}

void SseHub::onReplayDone(quint64 id, const std::shared_ptr<ReplayResult>& result)
{
    SseClient* c = find(id);
    if (!c || c->finished)
        return;
    if (!result->status.isOk()) {
        // The client reconnects with its Last-Event-ID and gets a fresh replay.
        qWarning().noquote() << "SSE replay failed:" << QString::fromStdString(result->status.toString());
        finish(*c);
        return;
    }
    if (result->gap)
        c->lastSent = 0;  // ids from before retention (or another stream): bootstrap + live
    onReplayChunk(id, result->events);
    c->replaying = false;
    std::vector<EventPtr> pending;
    pending.swap(c->pending);
    for (const EventPtr& ev : pending)
        deliver(*c, ev);
    if (!c->finished && !c->feed)
        settleTerminal(*c, result);
}

// An op that has ended: its stream ends with the terminal event.
void SseHub::settleTerminal(SseClient& c, const std::shared_ptr<ReplayResult>& result)
{
    const std::string status = c.snapshot.value("status", "");
    if (status != "completed" && status != "failed" && status != "cancelled")
        return;  // queued or running: the terminal event will come live
    if (result->last && (*result->last)->terminal) {
        if ((*result->last)->seq > c.lastSent)
            send(c, *result->last);
        else
            finish(c);  // the client has it already
        return;
    }
    const quint64 id = c.id;
    QTimer::singleShot(m_options.terminalGraceMs, this, [this, id, status] {
        SseClient* cl = find(id);
        if (!cl || cl->finished)
            return;
        // Not in the log (retention, or a publish that failed): end with the snapshot's outcome.
        const std::string type = "op." + status;  // op.completed, op.failed or op.cancelled
        nlohmann::json data{{"type", type},
                            {"op_id", cl->opId},
                            {"project_id", cl->projectId},
                            {"kind", cl->snapshot.value("kind", "")},
                            {"status", status},
                            {"at", nowIso()},
                            {"from_snapshot", true}};
        if (cl->snapshot.contains("finished_at") && cl->snapshot["finished_at"].is_string())
            data["at"] = cl->snapshot["finished_at"];
        if (cl->snapshot.contains("error"))
            data["error"] = cl->snapshot["error"];
        cl->conn->send(
            formatSseFrame({0, QByteArray::fromStdString(type), QByteArray::fromStdString(data.dump()), -1}));
        finish(*cl);
    });
}

void SseHub::deliver(SseClient& c, const EventPtr& ev)
{
    if (c.finished || !accepts(c, *ev) || ev->seq <= c.lastSent)
        return;
    if (!c.replaying) {
        send(c, ev);
        return;
    }
    if (c.pending.size() >= kMaxPending) {
        qWarning() << "SSE client dropped: too many live events during its replay";
        finish(c);
        return;
    }
    c.pending.push_back(ev);
}

void SseHub::send(SseClient& c, const EventPtr& ev)
{
    if (!c.conn->send(ev->frame)) {
        finish(c);
        return;
    }
    c.lastSent = ev->seq;
    ++m_framesSent;
    if (!c.feed && ev->terminal)
        finish(c);
}

void SseHub::finish(SseClient& c)
{
    if (c.finished)
        return;
    markFinished(c);
    c.pending.clear();
    c.conn->close();  // emits gone(): removeClient() follows (queued)
}

void SseHub::markFinished(SseClient& c)
{
    if (c.finished)
        return;
    c.finished = true;
    c.cancelled->store(true);
    --(c.feed ? m_feedClients : m_opClients);
}

void SseHub::removeClient(quint64 id)
{
    auto it = m_clients.find(id);
    if (it == m_clients.end())
        return;
    SseClient& c = *it->second;
    c.cancelled->store(true);
    if (auto ch = m_channels.find(c.channel); ch != m_channels.end()) {
        ch->second.clients.erase(id);
        if (ch->second.clients.empty()) {
            // The last client: the tap (and its consumer) goes, off this thread.
            std::shared_ptr<EventLog::Tap> tap = std::move(ch->second.tap);
            m_channels.erase(ch);
            --m_channelCount;
            m_reaper.start(tsan::task([tap = std::move(tap)]() mutable { tap.reset(); }));
        }
    }
    if (c.conn) {
        c.conn->abort();
        c.conn->deleteLater();
    }
    if (!c.finished)
        --(c.feed ? m_feedClients : m_opClients);
    ++m_closed;
    m_clients.erase(it);
}
}  // namespace paas::api
