// P1: create -> completed (artifact mode), p50, against its floor measured in
// the same run (CreateFloor), the samples interleaved so that both see the
// same machine; and project seeding through the API (P6, P9).
#include "bench/benchapi.h"
#include "bench/benchmarks.h"
#include "bench/createfloor.h"

#include <QDir>

#include <algorithm>

namespace paas::bench {

namespace {

// Sequential creates; `between` runs before each one, untimed.
std::vector<double> timedCreates(BenchRun& run, int count, const std::function<void()>& between)
{
    HttpLoad api(run.ctx.port(), 1);
    std::vector<double> ms;
    int failed = 0;
    for (int i = 0; i < count; ++i) {
        between();
        const int64_t start = steadyNs();
        const Accepted a = acceptedOf(api.send(createRequest(run.uniqueName("bench-create"))));
        const OpWatcher::End end = a.opId.empty() ? OpWatcher::End{} : run.watcher.waitFor(a.opId, 120000);
        if (end.status == "completed")
            ms.push_back(double(end.atNs - start) / 1e6);
        else
            ++failed;
    }
    if (failed)
        BenchContext::note(QStringLiteral("  %1 of %2 creates did not complete").arg(failed).arg(count));
    return ms;
}

}  // namespace

CreateSamples createSamples(BenchRun& run, int count)
{
    CreateSamples out;
    CreateFloor floor(run.ctx.nats(), QDir::tempPath());
    const bool floorReady = floor.prepare();
    for (int i = 0; i < 2 && floorReady; ++i)
        floor.sampleMs();  // warm-up
    out.ms = timedCreates(run, count, [&] {
        const double one = floorReady ? floor.sampleMs() : NAN;
        if (std::isnan(one))
            return;
        out.floorMs.push_back(one);
        out.floorFiles.push_back(floor.lastParts().files);
        out.floorGit.push_back(floor.lastParts().git);
        out.floorJetStream.push_back(floor.lastParts().jetStream);
    });
    if (out.floorMs.size() < size_t(count))
        BenchContext::note(QString::fromStdString("  floor samples failed: " + floor.lastError()));
    return out;
}

void createLatency(BenchRun& run)
{
    // Warm-up: the first creates pay for cold caches on both sides; the
    // baseline is taken at ~10 projects.
    const int existing = std::max(0, projectCount(run.ctx));
    for (int i = existing; i < 10; ++i)
        createProject(run, run.uniqueName("bench-warm"));
    BenchContext::settleDisk();
    const CreateSamples samples = createSamples(run, run.knobs.createSamples);
    const std::vector<double>& ms = samples.ms;
    run.baseline.createP50 = ms.empty() ? NAN : percentile(ms, 50);
    run.baseline.floorP50 = samples.floorMs.empty() ? NAN : percentile(samples.floorMs, 50);
    BenchContext::figure("create -> completed p50", run.baseline.createP50, "ms");
    BenchContext::figure("create -> completed p99", percentile(ms, 99), "ms");
    BenchContext::figure("floor (same git + file + JetStream work) p50", run.baseline.floorP50, "ms");
    const std::string parts = "files " + fixed(percentile(samples.floorFiles, 50), 1) + ", git " +
                              fixed(percentile(samples.floorGit, 50), 1) + ", JetStream " +
                              fixed(percentile(samples.floorJetStream, 50), 1) + " ms";
    BenchContext::note(QString::fromStdString("  floor parts p50: " + parts));
    BenchRow row{"P1", "create -> completed, artifact mode, p50 (~10 projects)", run.baseline.createP50, "ms",
                 run.baseline.floorP50};
    row.rule = BenchRow::Rule::RatioAtMost;
    row.target = 3;
    row.goal = "<= 3x floor";
    row.note = "floor = in-process git/file/JetStream work of one create (CreateFloor); " + std::to_string(ms.size()) +
               " creates, " + std::to_string(samples.floorMs.size()) + " floor samples, interleaved; create p99 " +
               fixed(percentile(ms, 99), 1) + " ms, floor p99 " + fixed(percentile(samples.floorMs, 99), 1) +
               " ms; floor parts p50: " + parts;
    run.table.add(row);
}

int seedProjects(BenchRun& run, int total, const std::string& rowId,
                 const std::function<void(int projects)>& checkpoint)
{
    constexpr int kConnections = 8, kWindow = 64;
    const int start = std::max(0, projectCount(run.ctx));
    const int wanted = std::max(0, total - start);
    HttpLoad api(run.ctx.port(), kConnections);
    int created = 0, refused = 0, failed = 0, lastShown = 0;
    const int64_t t0 = steadyNs();
    while (created + refused + failed < wanted) {
        std::vector<HttpRequest> requests;
        for (int i = 0; i < std::min(kWindow, wanted - created - refused - failed); ++i)
            requests.push_back(createRequest(run.uniqueName("seed")));
        std::vector<std::string> ops;
        for (const HttpResult& r : api.run(requests))
            if (const Accepted a = acceptedOf(r); !a.opId.empty())
                ops.push_back(a.opId);
        refused += static_cast<int>(requests.size() - ops.size());
        const size_t notCompleted = run.watcher.waitAll(ops, 600000);
        failed += static_cast<int>(notCompleted);
        created += static_cast<int>(ops.size() - notCompleted);
        if (checkpoint)
            checkpoint(start + created);
        if (created - lastShown >= std::max(100, wanted / 10)) {
            lastShown = created;
            BenchContext::note(QStringLiteral("  seeded %1 of %2 projects").arg(start + created).arg(total));
        }
    }
    const double seconds = double(steadyNs() - t0) / 1e9;
    const double rate = seconds > 0 && created > 0 ? created / seconds : NAN;
    BenchContext::figure(
        QStringLiteral("seeding: creates completed per second (%1 -> %2)").arg(start).arg(start + created), rate, "/s");
    BenchRow row{rowId,
                 "seeding rate: project creates via API, 8 conns (" + std::to_string(start) + " -> " +
                     std::to_string(start + created) + ")",
                 wanted == 0 ? NAN : rate, "creates/s"};
    if (refused || failed)
        row.note = std::to_string(refused) + " creates refused, " + std::to_string(failed) + " did not complete";
    run.table.add(row);
    return created;
}

}  // namespace paas::bench
