// SoakRun, after the load: the drain, the end-of-run checks and the pass rules.
#include "tests/soak/soakrun.h"

#include "tests/soak/soakload.h"
#include "tests/soak/soakverify.h"
#include "tests/support/paasprocess.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>

namespace paas::soak {

namespace {

bool terminal(const std::string& status)
{
    return status == "completed" || status == "failed" || status == "cancelled";
}

void sleepPumping(int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
}

}  // namespace

// Every op answered 202 must end completed or failed within the drain period.
int SoakRun::drainOps()
{
    std::map<std::string, std::string>& ops = m_load->api->ops();
    QElapsedTimer t;
    t.start();
    int open = 0;
    do {
        open = 0;
        for (auto& [id, status] : ops) {
            if (terminal(status))
                continue;
            const nlohmann::json op = m_app->get("/api/ops/" + QString::fromStdString(id)).json();
            if (op.is_object())
                status = op.value("status", status);
            open += terminal(status) ? 0 : 1;
        }
        if (open)
            sleepPumping(1000);
    } while (open && t.elapsed() < m_opt.drainS * 1000LL);
    int completed = 0, failed = 0;
    for (const auto& [id, status] : ops) {
        completed += status == "completed";
        failed += status == "failed";
        if (!terminal(status))
            std::printf("  lost op: %s still %s\n", id.c_str(), status.c_str());
    }
    std::printf("ops answered 202: %zu (completed %d, failed %d), lost %d, drained in %.1f s\n", ops.size(), completed,
                failed, open, double(t.elapsed()) / 1000.0);
    return open;
}

// Every soak commit must have exactly one ci op (from its hook or a webhook), ended.
int SoakRun::checkCommits()
{
    const auto made = m_load->commits->commitsMade();
    QElapsedTimer t;
    t.start();
    int lost = 0, duplicated = 0, failed = 0;
    size_t total = 0;
    do {
        lost = duplicated = failed = 0;
        total = 0;
        for (const auto& [project, shas] : made) {
            std::map<std::string, std::vector<std::string>> byCommit;  // commit -> statuses of its ci ops
            for (int offset = 0;; offset += 500) {
                const nlohmann::json page = m_app
                                                ->get(QStringLiteral("/api/projects/%1/ops?limit=500&offset=%2")
                                                          .arg(QString::fromStdString(project))
                                                          .arg(offset))
                                                .json();
                if (!page.is_object() || !page["ops"].is_array() || page["ops"].empty())
                    break;
                for (const nlohmann::json& op : page["ops"])
                    if (op.value("kind", "") == "ci" && op["trigger"].is_object())
                        byCommit[op["trigger"].value("commit", "")].push_back(op.value("status", ""));
            }
            for (const std::string& sha : shas) {
                ++total;
                const auto it = byCommit.find(sha);
                if (it == byCommit.end() || !terminal(it->second.front()))
                    ++lost;
                else if (it->second.size() > 1)
                    ++duplicated;
                else if (it->second.front() == "failed")
                    ++failed;
            }
        }
        if (lost)
            sleepPumping(2000);
    } while (lost && t.elapsed() < m_opt.drainS * 1000LL);
    std::printf("soak commits: %zu; without a finished ci op %d, with more than one %d, ci failed %d\n", total, lost,
                duplicated, failed);
    return lost + duplicated;
}

bool SoakRun::verifySse()
{
    Load& l = *m_load;
    bool done = false;
    for (int i = 0; i < 600 && !done; ++i) {
        done = true;
        l.eachFleet([&done](SseFleet& f) { done = done && f.allSessionsDone(); });
        if (!done)
            sleepPumping(100);
    }
    const nlohmann::json system = m_app->get("/api/system").json();
    const uint64_t published = system.is_object() ? system["counters"].value("events_published", uint64_t(0)) : 0;
    const EventLogMap log = readEventLog(quint16(QUrl(m_app->url()).port()), 1, published);
    std::printf("event log read back: %zu events (ids 2..%llu; events_published %llu)\n", log.size(),
                log.empty() ? 0ULL : (unsigned long long)log.rbegin()->first, (unsigned long long)published);
    SseCheck check;
    for (int attempt = 0; attempt < 4; ++attempt) {
        sleepPumping(2000);  // live fan-out to every feed client
        std::vector<FleetReport> reports;
        for (SseFleet* f : l.fleets) {
            FleetReport r;
            QMetaObject::invokeMethod(
                f, [f] { return f->report(); }, Qt::BlockingQueuedConnection, &r);
            reports.push_back(std::move(r));
        }
        check = checkSse(log, reports);
        if (check.ok())
            break;
    }
    std::printf(
        "SSE feed clients: %d, events seen %llu, reconnects %d (+%d ended by the server), missed %llu, "
        "unexpected %llu, duplicate/backwards %llu\n",
        check.feedClients, (unsigned long long)check.feedEventsSeen, check.feedReconnects, check.feedServerCloses,
        (unsigned long long)check.feedMissed, (unsigned long long)check.feedUnexpected,
        (unsigned long long)check.feedDisorder);
    std::printf(
        "SSE op streams: %d sessions (%d resumed with Last-Event-ID), unfinished %d, ended from snapshot %d, "
        "missed %llu, unexpected %llu, duplicate/backwards %llu, bad status %llu\n",
        check.sessions, check.sessionsResumed, check.sessionsUnfinished, check.sessionsSnapshotEnd,
        (unsigned long long)check.sessionMissed, (unsigned long long)check.sessionUnexpected,
        (unsigned long long)check.sessionDisorder, (unsigned long long)check.sessionBadStatus);
    std::printf("SSE clients that missed an event: %d\n", check.clientsWithMissedEvents());
    for (const std::string& s : check.samples)
        std::printf("  %s\n", s.c_str());
    return check.ok() && !log.empty();
}

}  // namespace paas::soak

namespace paas::soak {

namespace {

// A trend rule fails when the slope is over its limit AND the growth it fits
// over the window is over the band (so a short run's noise of a few fds or
// threads is not a trend); a count rule (band < 0) fails on any value over
// its limit.
struct Rule {
    std::string name;
    double value;
    double limit;
    std::string unit;
    double band = -1;
    double window = 0;
    bool ok() const { return value <= limit || (band >= 0 && value * window <= band); }
};

// Prints each rule with its verdict; true when all hold.
bool applyRules(const std::vector<Rule>& rules)
{
    bool pass = true;
    for (const Rule& r : rules) {
        if (r.band >= 0)
            std::printf("  %-50s %10.3f %-12s limit %7.2f (or fitted growth %7.2f <= %5.1f)  %s\n", r.name.c_str(),
                        r.value, r.unit.c_str(), r.limit, r.value * r.window, r.band, r.ok() ? "ok" : "FAIL");
        else
            std::printf("  %-50s %10.3f %-12s limit %7.2f  %s\n", r.name.c_str(), r.value, r.unit.c_str(), r.limit,
                        r.ok() ? "ok" : "FAIL");
        pass = pass && r.ok();
    }
    return pass;
}

// The rules on counts, each with a limit and no trend.
std::vector<Rule> countRules(const ProcSample& idleBefore, const ProcSample& idleAfter, int lostOps, int lostCommits,
                             bool sseOk, uint64_t unexpected, bool natsGone)
{
    return {
        {"paas fds idle after the load, over before it",
         double(idleAfter.fdsNetOfClients() - idleBefore.fdsNetOfClients()), kIdleFdGrowth, "fds"},
        {"paas threads idle after the load, over before it", double(idleAfter.threads - idleBefore.threads),
         kIdleThreadGrowth, "threads"},
        {"lost ops", double(lostOps), 0, ""},
        {"soak commits without exactly one finished ci op", double(lostCommits), 0, ""},
        {"SSE check failures (missed/duplicate/unfinished)", sseOk ? 0.0 : 1.0, 0, ""},
        {"unexpected API answers (not 2xx/304, or none)", double(unexpected), 0, ""},
        {"nats-server restarts/exits", natsGone ? 1.0 : 0.0, 0, ""},
    };
}

}  // namespace

double SoakRun::natsBoundMiB() const
{
    return m_natsLimitMiB > 0 ? m_natsLimitMiB + kNatsOverheadMiB : 0;
}

bool SoakRun::judge(int lostOps, int lostCommits, bool sseOk)
{
    std::vector<double> xs, appRss, appFds, appThr, natsXs, natsRss, natsFds, natsThr;
    const double bound = natsBoundMiB();
    bool natsFilled = bound <= 0;
    double natsMax = 0;
    for (const TimedSample& s : m_samples) {
        natsMax = std::max(natsMax, s.nats.rssMiB);
        if (s.minute < 1.0 - 1e-9)
            continue;
        xs.push_back(s.minute);
        appRss.push_back(s.app.rssMiB);
        appFds.push_back(s.app.fdsNetOfClients());  // a client's connection is the soak's load, not a leak
        appThr.push_back(s.app.threads);
        natsFds.push_back(s.nats.fds);
        natsThr.push_back(s.nats.threads);
        natsFilled = natsFilled || s.nats.rssMiB >= kNatsFilledShare * bound;
        if (natsFilled) {
            natsXs.push_back(s.minute);
            natsRss.push_back(s.nats.rssMiB);
        }
    }
    std::vector<double> minutes, p99s;
    uint64_t unexpected = m_load->api->totalUnexpected();
    for (const MinuteRow& r : m_rows)
        if (r.minute >= 2) {
            minutes.push_back(r.minute);
            p99s.push_back(r.p99);
        }
    std::printf("\nslopes per minute after the warm-up minute (%zu samples, least squares):\n", xs.size());
    if (bound > 0)
        std::printf(
            "nats-server: limit %.0f MiB, bound %.0f MiB, max RSS %.1f MiB; %zu samples once it reached %.0f MiB%s\n",
            m_natsLimitMiB, bound, natsMax, natsXs.size(), kNatsFilledShare * bound,
            natsXs.size() > 2 ? "" : " (too few for a slope: the bound is what this run judges)");
    const double w = xs.size() > 1 ? xs.back() - xs.front() : 0;
    const std::vector<Rule> rules = {
        {"paas RSS slope", slope(xs, appRss), kAppRssSlopeMiB, "MiB/min", kRssBandMiB, w},
        {"paas fds slope (net of client connections)", slope(xs, appFds), kFdSlope, "fds/min", kFdBand, w},
        {"paas threads slope", slope(xs, appThr), kThreadSlope, "threads/min", kThreadBand, w},
        {"nats-server RSS slope (once its heap filled)", natsXs.size() > 2 ? slope(natsXs, natsRss) : 0.0,
         kNatsRssSlopeMiB, "MiB/min", kRssBandMiB, natsXs.size() > 1 ? natsXs.back() - natsXs.front() : 0},
        {"nats-server RSS max over its bound (MiB)", bound > 0 ? std::max(0.0, natsMax - bound) : 0.0, 0, "MiB"},
        {"nats-server fds slope", slope(xs, natsFds), kFdSlope, "fds/min", kFdBand, w},
        {"nats-server threads slope", slope(xs, natsThr), kThreadSlope, "threads/min", kNatsThreadBand, w},
        {"API p99 latency slope", slope(minutes, p99s), kP99SlopeMs, "ms/min", kP99BandMs,
         minutes.size() > 1 ? minutes.back() - minutes.front() : 0},
    };
    const bool natsGone = m_samples.empty() || m_samples.back().nats.rssMiB < 0;
    const bool pass = applyRules(rules) & applyRules(countRules(m_idleBefore, m_idleAfter, lostOps, lostCommits, sseOk,
                                                                unexpected, natsGone));
    for (const std::string& s : m_load->api->unexpectedSamples())
        std::printf("  unexpected answer: %s\n", s.c_str());
    return pass;
}

}  // namespace paas::soak
