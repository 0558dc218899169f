// P5: SSE publish -> receive latency at N concurrent op stream clients (500
// and 1,000 by default): 100 events, 10 ms apart, published on the app's NATS
// by a thread of this process with their send time; each client notes the
// arrival before parsing the payload. Clients and app share the machine.
// Also the app's resident memory per idle SSE client (info).
#include "bench/benchmarks.h"
#include "tests/integration/sse/ssetestclient.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>

#include <algorithm>
#include <chrono>
#include <thread>

namespace paas::bench {

namespace {

using Clients = std::vector<std::unique_ptr<test::SseTestClient>>;
constexpr int kEvents = 100;

template <typename Pred>
bool pump(Pred done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 20);
    return done();
}

// N clients on one op stream, each past its op.bootstrap frame.
bool openClients(BenchContext& ctx, const std::string& opId, int n, Clients& out)
{
    const QByteArray path = QByteArray("/api/ops/") + opId.c_str() + "/events";
    for (int i = 0; i < n; ++i) {
        out.push_back(std::make_unique<test::SseTestClient>(ctx.port(), path));
        out.back()->start();
        if (i % 50 == 49)
            pump([&] { return out.back()->status() != 0; }, 10000);
    }
    return pump([&] { return std::all_of(out.begin(), out.end(), [](const auto& c) { return !c->frames().empty(); }); },
                60000);
}

void closeClients(Clients& clients)
{
    for (auto& c : clients)
        c->abort();
    clients.clear();
    pump([] { return false; }, 500);  // let the server see the disconnects
}

nlohmann::json event(const std::string& project, const std::string& opId, const std::string& line)
{
    return {{"type", "step.log"}, {"op_id", opId}, {"project_id", project},
            {"kind", "create"},   {"at", "bench"}, {"line", line}};
}

struct SseFigures {
    double p50 = NAN, p99 = NAN, received = 0;  // received: frames / expected
};

void publishTimed(BenchContext& ctx, const std::string& project, const std::string& opId)
{
    for (int i = 0; i < kEvents; ++i) {
        nlohmann::json data = event(project, opId, "bench line " + std::to_string(i));
        data["bench_t_ns"] = steadyNs();
        ctx.nats().publish("paas.events." + project + "." + opId, data.dump());
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

SseFigures latencyAt(BenchContext& ctx, int n)
{
    const std::string project = "bench", opId = "bench-latency-" + std::to_string(n);
    Clients clients;
    if (!ctx.putRunningOp(opId, project) || !openClients(ctx, opId, n, clients)) {
        BenchContext::note(QStringLiteral("  %1 SSE clients did not all connect").arg(n));
        closeClients(clients);
        return {};
    }
    // A first event every client must receive: all replays done, all live.
    ctx.nats().publish("paas.events." + project + "." + opId, event(project, opId, "warm-up").dump());
    if (!pump(
            [&] {
                return std::all_of(clients.begin(), clients.end(), [](const auto& c) { return !c->ids().empty(); });
            },
            60000))
        BenchContext::note("  not every client got the warm-up event");
    std::vector<double> latencyMs;
    latencyMs.reserve(static_cast<size_t>(n) * kEvents);
    for (auto& c : clients)
        c->onFrame = [&latencyMs](const test::SseTestFrame& f) {
            const int64_t now = steadyNs();  // before any parsing on this side
            const size_t at = f.id ? f.data.find("\"bench_t_ns\":") : std::string::npos;
            if (at != std::string::npos)
                latencyMs.push_back(double(now - std::stoll(f.data.substr(at + 13))) / 1e6);
        };
    std::thread publisher([&] { publishTimed(ctx, project, opId); });
    const size_t expected = static_cast<size_t>(n) * kEvents;
    pump([&] { return latencyMs.size() >= expected; }, 120000);
    publisher.join();
    pump([&] { return latencyMs.size() >= expected; }, 5000);
    closeClients(clients);
    if (latencyMs.empty())
        return {};
    return {percentile(latencyMs, 50), percentile(latencyMs, 99), double(latencyMs.size()) / double(expected)};
}

void idleRss(BenchRun& run)
{
    const int n = run.knobs.sseClients.front();
    if (!run.ctx.putRunningOp("bench-idle", "bench"))
        return;
    pump([] { return false; }, 1000);
    const qint64 before = run.ctx.appRssKiB();
    Clients clients;
    const bool ok = openClients(run.ctx, "bench-idle", n, clients);
    pump([] { return false; }, 1500);
    const qint64 after = run.ctx.appRssKiB();
    closeClients(clients);
    BenchRow row{"I-sse", "paas RSS per idle SSE client (" + std::to_string(n) + " clients)",
                 ok ? double(after - before) / n : NAN, "KiB"};
    run.table.add(row);
}

}  // namespace

void sseLatency(BenchRun& run)
{
    const double goals[] = {50, 100};
    for (size_t i = 0; i < run.knobs.sseClients.size() && i < 2; ++i) {
        const int n = run.knobs.sseClients[i];
        const SseFigures f = latencyAt(run.ctx, n);
        BenchContext::figure(QStringLiteral("SSE latency p50, %1 clients").arg(n), f.p50, "ms");
        BenchContext::figure(QStringLiteral("SSE latency p99, %1 clients").arg(n), f.p99, "ms");
        BenchContext::figure(QStringLiteral("frames received / expected, %1 clients").arg(n), f.received, "");
        BenchRow row{i == 0 ? "P5a" : "P5b", "SSE publish -> receive p99, " + std::to_string(n) + " clients", f.p99,
                     "ms"};
        row.rule = BenchRow::Rule::Below;
        row.target = goals[i];
        row.goal = "< " + std::to_string(int(goals[i])) + " ms";
        row.note = std::to_string(kEvents) + " events 10 ms apart; p50 " + fixed(f.p50, 2) + " ms; received " +
                   fixed(100 * f.received, 2) + "% of the frames";
        row.broken = !std::isnan(f.p99) && f.received < 1;
        run.table.add(row);
    }
    idleRss(run);
}

}  // namespace paas::bench
