// SSE figures: publish -> receipt latency at 1, 100 and 500 concurrent op
// stream clients, and the app's resident memory per idle SSE client.
#include "bench/benchmarks.h"
#include "tests/integration/sse/ssetestclient.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace paas::bench {

namespace {

using Clients = std::vector<std::unique_ptr<test::SseTestClient>>;

int64_t steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now().time_since_epoch()).count();
}

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
    return pump([&] {
        return std::all_of(out.begin(), out.end(), [](const auto& c) { return !c->frames().empty(); });
    }, 60000);
}

void closeClients(Clients& clients)
{
    for (auto& c : clients)
        c->abort();
    clients.clear();
    pump([] { return false; }, 500);   // let the server see the disconnects
}

void latencyAt(BenchContext& ctx, int n, int events)
{
    const std::string project = "bench", opId = "bench-latency-" + std::to_string(n);
    if (!ctx.putRunningOp(opId, project)) {
        std::printf("  cannot write the bench op record\n");
        return;
    }
    Clients clients;
    if (!openClients(ctx, opId, n, clients)) {
        std::printf("  %d clients did not all connect\n", n);
        closeClients(clients);
        return;
    }
    // A first event that every client must receive: all replays are done, all live.
    ctx.nats().publish("paas.events." + project + "." + opId,
                       nlohmann::json{{"type", "step.log"}, {"op_id", opId}, {"project_id", project},
                                      {"kind", "create"}, {"at", "bench"}, {"line", "warm-up"}}.dump());
    if (!pump([&] { return std::all_of(clients.begin(), clients.end(), [](const auto& c) { return !c->ids().empty(); }); },
              60000))
        std::printf("  not every client got the warm-up event\n");
    std::vector<double> latencyMs;
    latencyMs.reserve(static_cast<size_t>(n) * events);
    for (auto& c : clients)
        c->onFrame = [&latencyMs](const test::SseTestFrame& f) {
            if (!f.id)
                return;
            const int64_t now = steadyNs();   // before any parsing on this side
            const size_t at = f.data.find("\"bench_t_ns\":");
            if (at != std::string::npos)
                latencyMs.push_back(double(now - std::stoll(f.data.substr(at + 13))) / 1e6);
        };
    std::thread publisher([&ctx, &project, &opId, events] {
        for (int i = 0; i < events; ++i) {
            const nlohmann::json data{{"type", "step.log"}, {"op_id", opId}, {"project_id", project},
                                      {"kind", "create"}, {"at", "bench"}, {"line", "bench line " + std::to_string(i)},
                                      {"bench_t_ns", steadyNs()}};
            ctx.nats().publish("paas.events." + project + "." + opId, data.dump());
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    });
    const size_t expected = static_cast<size_t>(n) * events;
    pump([&] { return latencyMs.size() >= expected; }, 120000);
    publisher.join();
    pump([&] { return latencyMs.size() >= expected; }, 5000);
    const QString at = QStringLiteral("%1 client%2").arg(n).arg(n == 1 ? "" : "s");
    BenchContext::figure("event latency p50, " + at, percentile(latencyMs, 50), "ms");
    BenchContext::figure("event latency p99, " + at, percentile(latencyMs, 99), "ms");
    BenchContext::figure("frames received / expected, " + at,
                         expected ? double(latencyMs.size()) / double(expected) : 0, "(ratio)");
    closeClients(clients);
}

}  // namespace

void sseLatency(BenchContext& ctx)
{
    std::printf("  (publish on the app's NATS -> frame parsed by a client in this process;\n"
                "   100 events 10 ms apart per run; clients and app share the machine)\n");
    for (int n : {1, 100, 500})
        latencyAt(ctx, n, 100);
}

void sseIdleRss(BenchContext& ctx)
{
    const int n = 500;
    const std::string opId = "bench-idle";
    if (!ctx.putRunningOp(opId, "bench"))
        return;
    pump([] { return false; }, 1000);
    const qint64 before = ctx.appRssKiB();
    Clients clients;
    const bool ok = openClients(ctx, opId, n, clients);
    pump([] { return false; }, 1500);
    const qint64 after = ctx.appRssKiB();
    if (!ok)
        std::printf("  not all %d clients connected\n", n);
    BenchContext::figure("app RSS before", double(before) / 1024.0, "MiB");
    BenchContext::figure(QStringLiteral("app RSS with %1 idle SSE clients").arg(n), double(after) / 1024.0, "MiB");
    BenchContext::figure("RSS per idle SSE client", double(after - before) / n, "KiB");
    closeClients(clients);
}

}  // namespace paas::bench
