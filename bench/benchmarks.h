#pragma once
// The phases of paas_bench, in the order main.cpp runs them, and the
// measurements a later phase repeats (P9 repeats P1-P3 at scale). A phase
// measures on the running instance and adds its rows to the run's table;
// figures only, nothing is asserted (a missed goal is a row, not a failure).
// Thread affinity: the bench's main thread.
#include "bench/benchrun.h"

#include <functional>
#include <string>
#include <vector>

namespace paas::bench {

struct Benchmark {
    const char* name;
    const char* description;
    void (*run)(BenchRun& run);
};

// startbench.cpp
void idleAndColdStart(BenchRun& run);  // P7
void loadGenerator(BenchRun& run);     // L1, the GET /healthz floors
// createbench.cpp
void createLatency(BenchRun& run);  // P1 and its floor
// webhookbench.cpp
void webhookAccept(BenchRun& run);  // P2
void webhookCi(BenchRun& run);      // P3
void webhookBurst(BenchRun& run);   // P4
// backlogbench.cpp
void acceptBehindBacklog(BenchRun& run);  // P9g
// ssebench.cpp
void sseLatency(BenchRun& run);  // P5
// readbench.cpp
void pagedReads(BenchRun& run);  // P6 (seeds projects and ops first)
// scalebench.cpp
void scale(BenchRun& run);  // P9 (beside a reference instance)
// buildkitbench.cpp
void buildKitRows(BenchRun& run);  // P8, B1, B2 (issue 12 §5; a Docker engine of its own)
// runbench.cpp
void commitToUrl(BenchRun& run);  // P10 (issue 16; a Docker engine of its own)
// clusterbench.cpp
void clusterThroughput(BenchRun& run);  // S1 (issue 15; a nats-server cluster of its own)
// memorybench.cpp
void spreadOpsMemory(BenchRun& run);  // M-spread: RSS at BENCH_SPREAD_OPS ops over BENCH_SPREAD_PROJECTS projects
void memoryRows(BenchRun& run);       // RSS at N projects / N ops (after the phases)

// Sequential creates, accepted -> op.completed, ms (completed ones only),
// each preceded by one CreateFloor sample (untimed there; floorMs).
struct CreateSamples {
    std::vector<double> ms, floorMs;
    std::vector<double> floorFiles, floorGit, floorJetStream;  // the floor's parts
};
CreateSamples createSamples(BenchRun& run, int count);
// Sequential webhooks with new commits -> 202, ms; waits for their ci ops.
std::vector<double> hookAcceptSamples(BenchRun& run, const std::string& projectId, int count);
// One ci op at a time: webhook sent -> op.completed, ms; acceptMs (if
// given) gets each webhook -> 202, sent with no other op running; phases (if
// given) gets each completed op's record.
class OpPhases;
std::vector<double> hookCiSamples(BenchRun& run, const std::string& projectId, int count,
                                  std::vector<double>* acceptMs = nullptr, OpPhases* phases = nullptr);

// Creates projects through the API until the instance holds `total`
// (several connections, a bounded window of ops in flight); adds the
// seeding rate as an info row `rowId`. `checkpoint(projects)` runs after
// each window. Returns how many it created.
int seedProjects(BenchRun& run, int total, const std::string& rowId,
                 const std::function<void(int projects)>& checkpoint = {});
// `count` ci ops on one project through webhooks with new commits, in
// windows; adds the rate as info row `rowId`. `checkpoint(ops)` after each
// window. Returns how many ops completed.
int seedOps(BenchRun& run, const std::string& projectId, int count, const std::string& rowId,
            const std::function<void(int ops)>& checkpoint = {});

// The project holding knobs.ops ops (run.opsProject): created and seeded on
// first use, recording run.rssByOps as it grows. False if it could not be.
bool ensureOpsProject(BenchRun& run);

}  // namespace paas::bench
