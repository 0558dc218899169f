#pragma once
// BenchRun: what the phases of one paas_bench run share: the instance, the op
// watcher, the result table, the knobs (environment), and the figures a later
// phase uses from an earlier one (the GET /healthz floors, the ops project).
// P9 builds a second BenchRun on its reference instance.
//
// Knobs (environment; see docs/PERFORMANCE.md):
//   BENCH_QUICK=1      a smoke run: small sizes everywhere (minutes, not the
//                      issue's sizes; the table says so)
//   BENCH_PROJECTS=N   projects for P9 and the RSS-at-N-projects figure
//                      (default 5000; P6 runs at min(1000, N))
//   BENCH_OPS=N        ops on one project for P6, P9 and the RSS-per-op
//                      figure (default 10000; M-ops is extrapolated to 100,000)
//   BENCH_SPREAD_OPS=N, BENCH_SPREAD_PROJECTS=N
//                      the spread phase's ops and projects (default 100000
//                      over 20; 10000 with BENCH_QUICK): M-spread, measured
//   BENCH_CONTEXT_MB=N, BENCH_CONTEXT_FILES=N
//                      the large build context of the buildkit phase
//                      (default 200 MB in 5000 files, a quarter of it one file)
//   BENCH_IGNORED_MB=N the folder .dockerignore excludes (default 100 MB)
//   BENCH_BUILD_SAMPLES=N  P8's builds per side (default 5)
//   BENCH_RESULTS=path where results.json goes (default: <build>/bench/)
// Thread affinity: the bench's main thread.
#include "bench/benchcontext.h"
#include "bench/benchtable.h"
#include "bench/opwatcher.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace paas::bench {

struct BenchKnobs {
    bool quick = false;
    int projects = 5000;
    int readProjects = 1000;
    int ops = 10000;
    int spreadOps = 100000;  // M-spread: ops over spreadProjects projects (copies of a real ci op's record)
    int spreadProjects = 20;
    int createSamples = 20;  // P1 (and P9's P1), sequential creates
    int hookSamples = 300;   // P2, sequential webhooks
    int ciSamples = 20;      // P3, one ci op at a time
    std::vector<int> sseClients{500, 1000};
    int burstProjects = 4;
    int burstCommits = 500;  // P4: unique commits, each sent twice
    int burstConnections = 50;
    int backlogOps = 1000;    // P9g: ops queued on one project before the timed webhooks
    int rateConnections = 8;  // throughput figures (L1, P6)
    double rateSeconds = 3;
    int contextMB = 200;  // buildkit phase: the large context
    int contextFiles = 5000;
    int ignoredMB = 100;   // the folder .dockerignore excludes
    int buildSamples = 5;  // P8, per side

    static BenchKnobs fromEnvironment();
    nlohmann::json toJson() const;
};

// P1-P3 at one point of the run, ms; NAN = not measured.
struct PipelineFigures {
    double createP50 = NAN;
    double floorP50 = NAN;  // CreateFloor at the same point
    double hookP99 = NAN;
    double ciP50 = NAN;
};

// Resident memory of paas and nats-server when the instance held `count`
// projects (or `count` ops on one project).
struct RssPoint {
    int count = 0;
    qint64 appKiB = -1;
    qint64 natsKiB = -1;
};

struct BenchRun {
    BenchContext& ctx;
    OpWatcher& watcher;
    BenchTable& table;
    BenchKnobs knobs;
    PipelineFigures baseline;    // rows P1-P3 (early in the run, ~10 projects)
    double healthzSeqP99 = NAN;  // sequential GET /healthz: P2's floor
    double healthzRate = NAN;    // GET /healthz req/s at rateConnections
    std::string opsProject;      // the project holding knobs.ops ops (P6, P9)
    std::vector<RssPoint> rssByProjects, rssByOps, rssBySpread;
    int names = 0;

    void recordRss(std::vector<RssPoint>& curve, int count)
    {
        curve.push_back({count, ctx.appRssKiB(), ctx.natsRssKiB()});
    }
    // A project name no other call returned ("<prefix>-<n>").
    std::string uniqueName(const std::string& prefix) { return prefix + "-" + std::to_string(++names); }
};

}  // namespace paas::bench
