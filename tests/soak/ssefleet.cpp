#include "tests/soak/ssefleet.h"

#include <nlohmann/json.hpp>

#include <QTimer>

namespace paas::soak {

namespace {

constexpr size_t kRecentOps = 32;
constexpr int kMaxConnectionsPerSession = 50;

void record(std::vector<uint64_t>& ids, uint64_t& bad, uint64_t id)
{
    if (!ids.empty() && id <= ids.back())
        ++bad;  // a duplicate or an id going backwards breaks the contract
    ids.push_back(id);
}

}  // namespace

struct SseFleet::Feed {
    FeedRecord rec;
    std::unique_ptr<SoakSseClient> client;
    QTimer drop;
    bool harvester = false;  // learns the ids of queued ops for the op clients
};

struct SseFleet::OpClient {
    std::unique_ptr<SoakSseClient> client;
    QTimer next;
    OpSession session;
    bool active = false;
    size_t breakAfter = 0;  // 0: follow to the end in one connection
};

SseFleet::SseFleet(quint16 port, std::vector<FeedSpec> feeds, int opClients, FleetStats& stats, quint32 seed)
    : m_port(port), m_stats(stats), m_rng(seed), m_specs(std::move(feeds)), m_opClientCount(opClients)
{
}

SseFleet::~SseFleet() = default;

void SseFleet::start()
{
    // Built here, on the fleet's thread, so the timers and sockets live on it.
    for (const FeedSpec& spec : m_specs) {
        auto f = std::make_unique<Feed>();
        f->rec.projectId = spec.projectId;
        f->rec.logs = spec.logs;
        f->rec.reconnecting = spec.reconnecting;
        f->harvester = m_feeds.empty();
        m_feeds.push_back(std::move(f));
    }
    for (int i = 0; i < m_opClientCount; ++i)
        m_opClients.push_back(std::make_unique<OpClient>());
    for (auto& fp : m_feeds) {
        Feed& f = *fp;
        f.client = std::make_unique<SoakSseClient>(m_port, this);
        f.client->onFrame = [this, &f](const SoakSseFrame& frame) { onFeedFrame(f, frame); };
        f.client->onClosed = [this, &f](int status) {
            ++f.rec.serverCloses;
            if (status != 200) {
                ++f.rec.badStatus;
                ++m_stats.badStatus;
            }
            QTimer::singleShot(1000, this, [this, &f] { openFeed(f, true); });
        };
        f.drop.setSingleShot(true);
        connect(&f.drop, &QTimer::timeout, this, [this, &f] {
            if (m_stopping)
                return;
            f.client->abort();
            openFeed(f, true);
        });
        openFeed(f, false);
    }
    for (auto& cp : m_opClients) {
        OpClient& c = *cp;
        c.client = std::make_unique<SoakSseClient>(m_port, this);
        c.client->onFrame = [this, &c](const SoakSseFrame& frame) { onSessionFrame(c, frame); };
        c.client->onClosed = [this, &c](int status) { onSessionClosed(c, status); };
        c.next.setSingleShot(true);
        connect(&c.next, &QTimer::timeout, this, [this, &c] { startSession(c); });
        scheduleSession(c, 500, 8000);
    }
}

void SseFleet::openFeed(Feed& f, bool reconnect)
{
    QByteArray path = "/api/events";
    QByteArray query;
    if (!f.rec.projectId.empty())
        query += "project_id=" + QByteArray::fromStdString(f.rec.projectId);
    if (f.rec.logs)
        query += QByteArray(query.isEmpty() ? "" : "&") + "logs=1";
    if (!query.isEmpty())
        path += "?" + query;
    const uint64_t last = f.rec.ids.empty() ? 0 : f.rec.ids.back();
    // Alternate the two ways of passing the id (header, query parameter).
    f.client->open(path, last, f.rec.connections % 2 == 1);
    ++f.rec.connections;
    ++(reconnect ? m_stats.reconnects : m_stats.connects);
    scheduleDrop(f);
}

void SseFleet::scheduleDrop(Feed& f)
{
    if (f.rec.reconnecting && !m_stopping)
        f.drop.start(between(20000, 60000));
}

void SseFleet::onFeedFrame(Feed& f, const SoakSseFrame& frame)
{
    ++m_stats.frames;
    if (!frame.id)
        return;
    record(f.rec.ids, f.rec.duplicatesOrBackwards, frame.id);
    if (!f.harvester || frame.event != "op.status")
        return;
    const nlohmann::json data = nlohmann::json::parse(frame.data.constData(), nullptr, false);
    if (data.is_object() && data.value("status", "") == "queued") {
        m_recentOps.push_back(data.value("op_id", ""));
        if (m_recentOps.size() > kRecentOps)
            m_recentOps.pop_front();
    }
}

void SseFleet::scheduleSession(OpClient& c, int minMs, int maxMs)
{
    if (!m_stopping)
        c.next.start(between(minMs, maxMs));
}

void SseFleet::startSession(OpClient& c)
{
    if (m_stopping)
        return;
    if (m_recentOps.empty()) {
        scheduleSession(c, 500, 1500);
        return;
    }
    // Mostly the newest ops (still running), sometimes an older, finished one.
    const size_t n = m_recentOps.size();
    const size_t pick =
        m_rng.bounded(4) == 0 ? m_rng.bounded(quint32(n)) : n - 1 - m_rng.bounded(quint32(std::min<size_t>(n, 4)));
    c.session = OpSession{};
    c.session.opId = m_recentOps[pick];
    c.active = true;
    c.breakAfter = m_rng.bounded(3) == 0 ? 2 : 0;
    ++m_stats.sessions;
    openSession(c);
}

void SseFleet::openSession(OpClient& c)
{
    const QByteArray path = "/api/ops/" + QByteArray::fromStdString(c.session.opId) + "/events";
    const uint64_t last = c.session.ids.empty() ? 0 : c.session.ids.back();
    c.client->open(path, last, c.session.connections % 2 == 0);
    ++(c.session.connections > 0 ? m_stats.reconnects : m_stats.connects);
    ++c.session.connections;
}

void SseFleet::onSessionFrame(OpClient& c, const SoakSseFrame& frame)
{
    ++m_stats.frames;
    const bool terminal = frame.event == "op.completed" || frame.event == "op.failed";
    if (!frame.id) {
        c.session.terminalFromSnapshot |= terminal;
        return;
    }
    record(c.session.ids, c.session.duplicatesOrBackwards, frame.id);
    c.session.terminalWithId |= terminal;
    if (c.breakAfter && c.session.ids.size() == c.breakAfter && c.session.connections == 1 && !terminal) {
        // Break off mid-stream and resume with Last-Event-ID, like a browser after a network blip.
        c.client->abort();
        QTimer::singleShot(between(50, 500), this, [this, &c] { openSession(c); });
    }
}

void SseFleet::onSessionClosed(OpClient& c, int status)
{
    if (!c.active)
        return;
    if (status != 200) {
        ++c.session.badStatus;
        ++m_stats.badStatus;
    }
    const bool ended = c.session.terminalWithId || c.session.terminalFromSnapshot;
    if (!ended && status == 200 && c.session.connections < kMaxConnectionsPerSession) {
        QTimer::singleShot(between(200, 1000), this, [this, &c] { openSession(c); });
        return;
    }
    c.session.done = ended;
    c.active = false;
    m_done.push_back(std::move(c.session));
    scheduleSession(c, 1000, 4000);
}

void SseFleet::stopNewSessions()
{
    m_stopping = true;
    for (auto& f : m_feeds)
        f->drop.stop();
    for (auto& c : m_opClients)
        c->next.stop();
}

bool SseFleet::allSessionsDone() const
{
    for (const auto& c : m_opClients)
        if (c->active)
            return false;
    return true;
}

FleetReport SseFleet::report() const
{
    FleetReport r;
    for (const auto& f : m_feeds)
        r.feeds.push_back(f->rec);
    r.sessions = m_done;
    for (const auto& c : m_opClients)
        if (c->active)
            r.sessions.push_back(c->session);
    return r;
}

}  // namespace paas::soak
