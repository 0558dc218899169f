#include "tests/soak/soakrun.h"

#include "tests/soak/soakload.h"
#include "tests/soak/soakverify.h"
#include "tests/support/paasprocess.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <cstdlib>

namespace paas::soak {

namespace {

constexpr int kFleets = 2;

template <typename Pred>
bool pump(Pred done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
    return done();
}

double envNumber(const char* name, double fallback)
{
    bool ok = false;
    const double v = qEnvironmentVariable(name).toDouble(&ok);
    return ok && v > 0 ? v : fallback;
}

}  // namespace

SoakOptions SoakOptions::fromEnvironment()
{
    SoakOptions o;
    o.minutes = envNumber("SOAK_MINUTES", o.minutes);
    o.apiRate = int(envNumber("SOAK_API_RATE", o.apiRate));
    o.commitsPerS = int(envNumber("SOAK_COMMITS_PER_S", o.commitsPerS));
    o.sseClients = int(envNumber("SOAK_SSE_CLIENTS", o.sseClients));
    o.hookProjects = int(envNumber("SOAK_HOOK_PROJECTS", o.hookProjects));
    o.churnSlots = int(envNumber("SOAK_CHURN_SLOTS", o.churnSlots));
    o.drainS = int(envNumber("SOAK_DRAIN_S", o.drainS));
    o.sampleMs = int(envNumber("SOAK_SAMPLE_MS", o.sampleMs));
    return o;
}

SoakRun::SoakRun(SoakOptions options) : m_opt(options) {}

SoakRun::~SoakRun()
{
    if (m_load) {
        for (QThread* t : m_load->threads) {
            t->quit();
            t->wait();
            delete t;
        }
    }
}

int SoakRun::run()
{
    std::printf("soak: %.1f min, %d API requests/s, %d hook commits/s, %d SSE clients, %d hook projects\n",
                m_opt.minutes, m_opt.apiRate, m_opt.commitsPerS, m_opt.sseClients, m_opt.hookProjects);
    if (!startApp() || !createHookProjects())
        return 2;
    m_idleBefore = sampleApp();
    startLoad();
    hold();
    stopLoad();
    const int lostOps = drainOps();
    const int lostCommits = checkCommits();
    const bool sseOk = verifySse();
    sampleIdleAfter();
    const bool pass = judge(lostOps, lostCommits, sseOk);
    const bool clean = m_app->stop(30000);
    std::printf("paas stopped on SIGTERM: %s\n", clean ? "exit 0" : "NOT cleanly");
    std::printf("\nsoak %s\n", pass && clean ? "PASSED" : "FAILED");
    return pass && clean ? 0 : 1;
}

bool SoakRun::startApp()
{
    if (qEnvironmentVariableIsEmpty("PAAS_BIN"))
        qputenv("PAAS_BIN", (QCoreApplication::applicationDirPath() + "/paas").toUtf8());
    m_app = std::make_unique<test::PaasProcess>();
    m_app->env().remove("PAAS_NATS_URL");
    m_app->env().remove("PAAS_API_TOKEN");
    if (!m_app->start()) {
        std::printf("paas did not start (%s):\n%s\n", qPrintable(test::paasBinary()), m_app->output().constData());
        return false;
    }
    m_natsPid = m_app->natsPid();
    const std::string limit =
        m_app->get("/api/system").json().value("nats", nlohmann::json::object()).value("memory_limit", "");
    if (limit.size() > 3 && limit.compare(limit.size() - 3, 3, "MiB") == 0)
        m_natsLimitMiB = std::atof(limit.c_str());
    std::printf("nats-server memory limit: %s\n", limit.empty() ? "none" : limit.c_str());
    std::printf("paas pid %lld at %s, nats-server pid %lld, root %s\n", m_app->pid(), qPrintable(m_app->url()),
                m_natsPid, qPrintable(m_app->root()));
    return m_natsPid > 0;
}

bool SoakRun::createHookProjects()
{
    std::vector<std::string> ops;
    for (int i = 0; i < m_opt.hookProjects; ++i) {
        const std::string name = "soak-hook-" + std::to_string(i);
        const test::HttpResult r =
            m_app->post("/api/events/registration", {{"action", "create"}, {"spec", soakSpec(name, "info")}});
        if (r.status != 202) {
            std::printf("create %s: %d %s\n", name.c_str(), r.status, r.body.constData());
            return false;
        }
        ops.push_back(r.json()["op"].value("id", ""));
        m_hookProjects.push_back(name);
    }
    for (const std::string& id : ops)
        if (m_app->waitForOp(id).value("status", "") != "completed") {
            std::printf("hook project op %s did not complete\n", id.c_str());
            return false;
        }
    return true;
}

void SoakRun::startLoad()
{
    m_load = std::make_unique<Load>();
    Load& l = *m_load;
    const quint16 port = quint16(QUrl(m_app->url()).port());
    l.api = std::make_unique<ApiLoad>(m_app->url(), m_hookProjects, m_opt.apiRate, m_opt.churnSlots, 1);
    std::map<std::string, QString> repos;
    for (const std::string& id : m_hookProjects)
        repos[id] = m_app->artifactsRoot() + "/" + QString::fromStdString(id) + "/repos/source";
    l.commits = std::make_unique<HookCommitter>(repos, l.home.path(), m_opt.commitsPerS);
    const int feedsPerFleet = m_opt.sseClients * 6 / 10 / kFleets;
    const int opPerFleet = m_opt.sseClients / kFleets - feedsPerFleet;
    for (int k = 0; k < kFleets; ++k) {
        std::vector<SseFleet::FeedSpec> feeds;
        for (int i = 0; i < feedsPerFleet; ++i) {
            const std::string project = m_hookProjects[size_t(i) % m_hookProjects.size()];
            // all/lifecycle, all/reconnecting, project/reconnecting, project+logs/reconnecting, all+logs, project
            const int kind = i % 6;
            feeds.push_back({kind == 2 || kind == 3 || kind == 5 ? project : std::string(), kind == 3 || kind == 4,
                             kind >= 1 && kind <= 3});
        }
        auto* thread = new QThread;
        thread->setObjectName(QStringLiteral("sse-fleet-%1").arg(k));
        auto* fleet = new SseFleet(port, feeds, opPerFleet, l.stats, quint32(100 + k));
        fleet->moveToThread(thread);
        QObject::connect(thread, &QThread::finished, fleet, &QObject::deleteLater);
        thread->start();
        l.threads.push_back(thread);
        l.fleets.push_back(fleet);
    }
    l.eachFleet([](SseFleet& f) { f.start(); });
    l.clock.start();
    QObject::connect(&l.sampler, &QTimer::timeout, [this] { m_samples.push_back(sample()); });
    m_samples.push_back(sample());
    l.sampler.start(m_opt.sampleMs);
    l.api->start();
    l.commits->start();
    std::printf("load started: %d feed + %d op-stream SSE clients on %d threads\n\n", feedsPerFleet * kFleets,
                opPerFleet * kFleets, kFleets);
    std::printf("%-4s | %-22s | %-22s | %-32s | %-13s | %-20s | %s\n", "min", "paas RSS MiB/fds/thr",
                "nats RSS MiB/fds/thr", "API req/s p50 p99 ms (bad,skip)", "commits/s", "SSE frames/s conn/re",
                "open chan subs");
    std::fflush(stdout);
}

void SoakRun::hold()
{
    const qint64 total = qint64(m_opt.minutes * 60000);
    int minute = 0;
    while (m_load->clock.elapsed() < total) {
        pump([] { return false; }, 100);
        if (m_load->clock.elapsed() >= (minute + 1) * 60000LL)
            takeMinute(++minute);
    }
    if (total % 60000 != 0)
        takeMinute(minute + 1);
}

void SoakRun::takeMinute(int minute)
{
    Load& l = *m_load;
    MinuteRow r;
    r.minute = minute;
    r.app = sampleApp();
    r.nats = sampleProcess(m_natsPid);
    const double span = std::max(1.0, std::min(60.0, double(l.clock.elapsed()) / 1000.0 - (minute - 1) * 60.0));
    const ApiMinute api = l.api->takeMinute();
    r.requestsPerS = double(api.requests) / span;
    r.p50 = percentile(api.latencyMs, 50);
    r.p99 = percentile(api.latencyMs, 99);
    r.unexpected = api.unexpected;
    r.skipped = api.skipped;
    r.accepted = api.accepted;
    const CommitMinute c = l.commits->takeMinute();
    r.commitsPerS = double(c.commits) / span;
    r.commitFailures = c.failures;
    r.commitSkipped = c.skipped;
    const uint64_t frames = l.stats.frames, connects = l.stats.connects, reconnects = l.stats.reconnects;
    r.framesPerS = double(frames - l.frames) / span;
    r.connects = connects - l.connects;
    r.reconnects = reconnects - l.reconnects;
    l.frames = frames;
    l.connects = connects;
    l.reconnects = reconnects;
    const nlohmann::json counters = m_app->get("/api/system").json().value("counters", nlohmann::json::object());
    r.sseOpen = counters.value("sse_clients", -1);
    r.sseChannels = counters.value("sse_channels", -1);
    r.natsSubs = counters.value("event_log", nlohmann::json::object()).value("nats_subscriptions", -1);
    m_rows.push_back(r);
    std::printf(
        "%-4d | %7.1f %5d %4d      | %7.1f %5d %4d      | %5.1f %7.1f %8.1f (%llu,%llu)    | %5.2f (%llu,%llu) | %7.0f "
        "%5llu/%-5llu | %4d %4d %4d\n",
        r.minute, r.app.rssMiB, r.app.fds, r.app.threads, r.nats.rssMiB, r.nats.fds, r.nats.threads, r.requestsPerS,
        r.p50, r.p99, (unsigned long long)r.unexpected, (unsigned long long)r.skipped, r.commitsPerS,
        (unsigned long long)r.commitFailures, (unsigned long long)r.commitSkipped, r.framesPerS,
        (unsigned long long)r.connects, (unsigned long long)r.reconnects, r.sseOpen, r.sseChannels, r.natsSubs);
    std::fflush(stdout);
}

TimedSample SoakRun::sample() const
{
    return TimedSample{double(m_load->clock.elapsed()) / 60000.0, sampleApp(), sampleProcess(m_natsPid)};
}

ProcSample SoakRun::sampleApp() const
{
    return sampleProcess(m_app->pid(), quint16(QUrl(m_app->url()).port()));
}

void SoakRun::sampleIdleAfter()
{
    // The feed clients stay connected (counted as clients); closed sockets
    // and the last steps take a moment to go.
    pump(
        [this] {
            m_idleAfter = sampleApp();
            return m_idleAfter.fdsNetOfClients() <= m_idleBefore.fdsNetOfClients() + kIdleFdGrowth &&
                   m_idleAfter.threads <= m_idleBefore.threads + kIdleThreadGrowth;
        },
        kIdleSettleMs);
    std::printf(
        "paas idle, before the load and after it: %d -> %d fds net of client connections (%d -> %d open), "
        "%d -> %d threads\n",
        m_idleBefore.fdsNetOfClients(), m_idleAfter.fdsNetOfClients(), m_idleBefore.clients, m_idleAfter.clients,
        m_idleBefore.threads, m_idleAfter.threads);
}

void SoakRun::stopLoad()
{
    Load& l = *m_load;
    l.sampler.stop();
    l.api->stop();
    l.commits->stop();
    l.eachFleet([](SseFleet& f) { f.stopNewSessions(); });
    pump([&l] { return l.api->inFlight() == 0 && l.commits->idle(); }, 60000);
    std::printf("\nload stopped: %llu soak commits made\n", (unsigned long long)l.commits->totalCommits());
    for (const std::string& s : l.commits->failureSamples())
        std::printf("  commit failure: %s\n", s.c_str());
}

}  // namespace paas::soak
