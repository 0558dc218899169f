// P7: cold start to "API listening" (the run's own instance plus two more,
// each on a fresh store) and the idle resident memory of paas + its
// nats-server child, headless. L1: what the load generator drives against a
// no-op loopback server, next to what it gets from GET /healthz (the floors
// of P2, P4 and P6 come from here).
#include "bench/benchmarks.h"
#include "bench/httpload.h"
#include "bench/noopserver.h"

#include <QCoreApplication>
#include <QElapsedTimer>

namespace paas::bench {

namespace {

// Lets the event loop run (the app's output is drained there).
void settle(int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
}

double megabytes(qint64 kib)
{
    return double(kib) * 1024.0 / 1e6;
}

}  // namespace

void idleAndColdStart(BenchRun& run)
{
    settle(2000);
    const qint64 app = run.ctx.appRssKiB(), nats = run.ctx.natsRssKiB();
    BenchContext::figure("idle RSS paas", megabytes(app), "MB");
    BenchContext::figure("idle RSS nats-server", megabytes(nats), "MB");
    BenchRow rss{"P7b", "idle RSS, paas + nats-server, headless, empty store",
                 app > 0 && nats > 0 ? megabytes(app + nats) : NAN, "MB"};
    rss.rule = BenchRow::Rule::Below;
    rss.target = 80;
    rss.goal = "< 80 MB";
    rss.note = "paas " + fixed(megabytes(app)) + " MB + nats-server " + fixed(megabytes(nats)) +
               " MB (VmRSS, 1 MB = 10^6 bytes), 2 s after start";
    run.table.add(rss);

    std::vector<double> ms{run.ctx.coldStartMs()};
    for (int i = 0; i < 2; ++i) {
        BenchContext other;
        QString error;
        if (other.start(&error))
            ms.push_back(other.coldStartMs());
        else
            BenchContext::note("  a cold start failed: " + error);
        other.stop();
    }
    std::string all;
    for (double one : ms)
        all += (all.empty() ? "" : ", ") + fixed(one, 0);
    BenchContext::figure("cold start to API listening, median", percentile(ms, 50), "ms");
    BenchRow start{"P7a", "cold start to \"API listening\", headless, median of 3", percentile(ms, 50), "ms"};
    start.rule = BenchRow::Rule::Below;
    start.target = 1000;
    start.goal = "< 1 s";
    start.note = "process start -> line printed, fresh store each: " + all + " ms";
    run.table.add(start);
}

void loadGenerator(BenchRun& run)
{
    const HttpRequest healthz{"GET", "/healthz", {}};
    const int conns = run.knobs.rateConnections;
    NoopServer noop;
    const quint16 noopPort = noop.start();
    HttpRate noopRate, noopBurst;
    if (noopPort) {
        noopRate = HttpLoad(noopPort, conns).repeat(healthz, run.knobs.rateSeconds);
        noopBurst = HttpLoad(noopPort, run.knobs.burstConnections).repeat(healthz, run.knobs.rateSeconds);
    }
    noop.stop();
    const HttpRate server = HttpLoad(run.ctx.port(), conns).repeat(healthz, run.knobs.rateSeconds);
    run.healthzRate = server.failed ? NAN : server.perSecond;
    HttpLoad one(run.ctx.port(), 1);
    std::vector<double> sequential;
    for (int i = 0; i < 500; ++i)
        sequential.push_back(one.send(healthz).ms);
    run.healthzSeqP99 = percentile(sequential, 99);
    BenchContext::figure("generator vs no-op server", noopRate.perSecond, "req/s");
    BenchContext::figure("generator vs GET /healthz", run.healthzRate, "req/s");
    BenchContext::figure("GET /healthz sequential p99", run.healthzSeqP99, "ms");
    BenchRow l1{"L1", "load generator vs no-op loopback server, " + std::to_string(conns) + " conns",
                noopPort ? noopRate.perSecond : NAN, "req/s", run.healthzRate};
    l1.rule = BenchRow::Rule::RatioAbove;
    l1.target = 1;
    l1.goal = "> 1x floor (outruns paas)";
    l1.note = "floor = GET /healthz req/s on paas, same generator and conns; at " +
              std::to_string(run.knobs.burstConnections) + " conns the generator drives " +
              fixed(noopBurst.perSecond, 0) + " req/s";
    run.table.add(l1);
    BenchRow hz{"I-hz", "GET /healthz, " + std::to_string(conns) + " conns (floor of P4, P6 at start)", run.healthzRate,
                "req/s"};
    run.table.add(hz);
    BenchRow seq{"I-hz1", "GET /healthz sequential p50 (floor of P2 is its p99)", percentile(sequential, 50), "ms"};
    run.table.add(seq);
}

}  // namespace paas::bench
