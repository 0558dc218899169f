// Source webhook rows (artifact mode, loopback only, bounded waits):
//  P2  webhook -> 202, one request at a time, new commits, p99;
//  P3  webhook -> ci op completed, one op at a time, p50;
//  P4  1,000 webhooks (500 unique commits, each twice, shuffled) over 50
//      keep-alive connections: answers per second, and the ci ops the
//      projects list next to the unique commits;
// and op seeding on one project (P6, P9). Commits are made with libgit2
// (CommitMaker), which runs no hooks: the only triggers are these webhooks.
#include "bench/benchapi.h"
#include "bench/benchmarks.h"
#include "bench/commitmaker.h"
#include "bench/opphases.h"

#include <QCoreApplication>

#include <algorithm>
#include <random>

namespace paas::bench {

std::vector<double> hookAcceptSamples(BenchRun& run, const std::string& projectId, int count)
{
    CommitMaker commits(run.ctx, projectId);
    HttpLoad api(run.ctx.port(), 1);
    std::vector<double> ms;
    std::vector<std::string> ops;
    int other = 0;
    for (const std::string& sha : commits.make(count)) {
        const HttpResult r = api.send(hookRequest(projectId, sha));
        if (const Accepted a = acceptedOf(r); !a.opId.empty()) {
            ms.push_back(r.ms);
            ops.push_back(a.opId);
        } else {
            ++other;
        }
    }
    const int64_t start = steadyNs();
    const size_t notCompleted = run.watcher.waitAll(ops, 600000);
    if (const double drained = double(steadyNs() - start) / 1e9; drained > 1)
        BenchContext::figure("  their ci ops drained in", drained, "s");
    if (other || notCompleted)
        BenchContext::note(
            QStringLiteral("  %1 webhooks not answered 202, %2 ci ops not completed").arg(other).arg(notCompleted));
    return ms;
}

std::vector<double> hookCiSamples(BenchRun& run, const std::string& projectId, int count, std::vector<double>* acceptMs,
                                  OpPhases* phases)
{
    CommitMaker commits(run.ctx, projectId);
    HttpLoad api(run.ctx.port(), 1);
    std::vector<double> ms;
    std::vector<std::string> completed;
    int failed = 0;
    for (const std::string& sha : commits.make(count)) {
        const int64_t start = steadyNs();
        const HttpResult r = api.send(hookRequest(projectId, sha));
        const Accepted a = acceptedOf(r);
        if (acceptMs && !a.opId.empty())
            acceptMs->push_back(r.ms);
        const OpWatcher::End end = a.opId.empty() ? OpWatcher::End{} : run.watcher.waitFor(a.opId, 60000);
        if (end.status == "completed") {
            ms.push_back(double(end.atNs - start) / 1e6);
            completed.push_back(a.opId);
        } else {
            ++failed;
        }
    }
    for (const std::string& opId : phases ? completed : std::vector<std::string>{})
        if (const HttpResult r = api.send({"GET", "/api/ops/" + opId, {}}); r.status == 200)
            phases->add(nlohmann::json::parse(r.body, nullptr, false));
    if (failed)
        BenchContext::note(QStringLiteral("  %1 ci ops failed or timed out").arg(failed));
    return ms;
}

void webhookAccept(BenchRun& run)
{
    const std::string id = createProject(run, run.uniqueName("bench-hook"));
    BenchContext::settleDisk();
    const std::vector<double> ms =
        id.empty() ? std::vector<double>{} : hookAcceptSamples(run, id, run.knobs.hookSamples);
    run.baseline.hookP99 = ms.empty() ? NAN : percentile(ms, 99);
    BenchContext::figure("webhook -> 202 p50", percentile(ms, 50), "ms");
    BenchContext::figure("webhook -> 202 p99", run.baseline.hookP99, "ms");
    BenchRow row{"P2", "webhook -> 202, sequential, new commits, p99", run.baseline.hookP99, "ms", run.healthzSeqP99};
    row.rule = BenchRow::Rule::Below;
    row.target = 5;
    row.goal = "< 5 ms";
    row.note = "floor = sequential GET /healthz p99; " + std::to_string(ms.size()) + " webhooks, p50 " +
               fixed(percentile(ms, 50), 2) + " ms, max " + fixed(percentile(ms, 100), 2) + " ms";
    run.table.add(row);
}

void webhookCi(BenchRun& run)
{
    const std::string id = createProject(run, run.uniqueName("bench-ci"));
    BenchContext::settleDisk();
    std::vector<double> acceptMs;
    OpPhases phases;
    const std::vector<double> ms =
        id.empty() ? std::vector<double>{} : hookCiSamples(run, id, run.knobs.ciSamples, &acceptMs, &phases);
    run.baseline.ciP50 = ms.empty() ? NAN : percentile(ms, 50);
    BenchContext::figure("webhook -> ci completed p50", run.baseline.ciP50, "ms");
    BenchContext::figure("webhook -> ci completed p99", percentile(ms, 99), "ms");
    BenchRow row{"P3", "webhook -> ci completed, artifact mode, p50", run.baseline.ciP50, "ms"};
    row.rule = BenchRow::Rule::Below;
    row.target = 30;
    row.goal = "< 30 ms";
    row.note = std::to_string(ms.size()) + " ci ops one at a time, p99 " + fixed(percentile(ms, 99), 1) + " ms; " +
               phases.summary();
    run.table.add(row);
    BenchRow idle{"I-P2", "webhook -> 202 p99 with no ci op running (P3's webhooks)",
                  acceptMs.empty() ? NAN : percentile(acceptMs, 99), "ms"};
    idle.note = std::to_string(acceptMs.size()) + " webhooks, p50 " + fixed(percentile(acceptMs, 50), 2) + " ms";
    run.table.add(idle);
}

namespace {

struct Burst {
    std::vector<std::string> projects;
    std::vector<HttpRequest> requests;
    int unique = 0;
};

// CPU seconds used so far by paas, its nats-server and this process.
struct CpuUse {
    double app = 0, nats = 0, bench = 0;
    CpuUse operator-(const CpuUse& o) const { return {app - o.app, nats - o.nats, bench - o.bench}; }
};

CpuUse cpuUse(BenchContext& ctx)
{
    return {BenchContext::cpuSeconds(ctx.appPid()), BenchContext::cpuSeconds(ctx.natsPid()),
            BenchContext::cpuSeconds(QCoreApplication::applicationPid())};
}

Burst prepareBurst(BenchRun& run)
{
    Burst burst;
    const int perProject = run.knobs.burstCommits / std::max(1, run.knobs.burstProjects);
    for (int p = 0; p < run.knobs.burstProjects; ++p) {
        const std::string id = createProject(run, run.uniqueName("bench-burst"));
        if (id.empty())
            continue;
        burst.projects.push_back(id);
        CommitMaker commits(run.ctx, id);
        for (const std::string& sha : commits.make(perProject)) {
            ++burst.unique;
            burst.requests.push_back(hookRequest(id, sha));
            burst.requests.push_back(hookRequest(id, sha));
        }
    }
    std::shuffle(burst.requests.begin(), burst.requests.end(), std::mt19937(20261128));
    return burst;
}

}  // namespace

void webhookBurst(BenchRun& run)
{
    const Burst burst = prepareBurst(run);
    BenchContext::settleDisk();
    HttpLoad api(run.ctx.port(), run.knobs.burstConnections);
    const CpuUse before = cpuUse(run.ctx);
    const int64_t start = steadyNs();
    const std::vector<HttpResult> results = api.run(burst.requests, 300000);
    const double seconds = double(steadyNs() - start) / 1e9;
    const CpuUse used = cpuUse(run.ctx) - before;
    int accepted = 0, duplicates = 0, other = 0;
    std::vector<std::string> ops;
    for (const HttpResult& r : results) {
        if (const Accepted a = acceptedOf(r); !a.opId.empty()) {
            ++accepted;
            ops.push_back(a.opId);
        } else {
            isDuplicate(r) ? ++duplicates : ++other;
        }
    }
    const double rate = seconds > 0 ? double(accepted + duplicates) / seconds : 0;
    BenchContext::figure("burst: webhooks answered per second", rate, "req/s");
    BenchContext::note(QStringLiteral("  burst: %1 accepted (202), %2 duplicates (200), %3 other")
                           .arg(accepted)
                           .arg(duplicates)
                           .arg(other));
    const int64_t drain = steadyNs();
    const size_t notCompleted = run.watcher.waitAll(ops, 600000);
    BenchContext::figure("burst: ci ops drained in", double(steadyNs() - drain) / 1e9, "s");
    int listed = 0;
    for (const std::string& id : burst.projects)
        listed += std::max(0, countOps(run.ctx, id, "ci"));
    BenchRow a{"P4a",
               std::to_string(burst.requests.size()) + " webhooks, 50% duplicates, " +
                   std::to_string(run.knobs.burstConnections) + " conns: answered/s",
               rate, "req/s", run.healthzRate};
    a.rule = BenchRow::Rule::AtLeast;
    a.target = 1000;
    a.goal = ">= 1,000/s";
    a.note = std::to_string(burst.requests.size()) + " sent: " + std::to_string(accepted) + " 202, " +
             std::to_string(duplicates) + " 200 duplicate, " + std::to_string(other) + " other, in " +
             fixed(seconds, 2) + " s; CPU used meanwhile: paas " + fixed(used.app, 2) + " s, nats-server " +
             fixed(used.nats, 2) + " s, bench " + fixed(used.bench, 2) + " s (2 cores = " + fixed(2 * seconds, 2) +
             " s); floor = GET /healthz req/s at " + std::to_string(run.knobs.rateConnections) + " conns";
    a.broken = other > 0;
    run.table.add(a);
    BenchRow b{"P4b", "burst: ci ops created (listed) vs unique commits", double(listed), "ops", double(burst.unique)};
    b.rule = BenchRow::Rule::EqualsFloor;
    b.goal = "= unique commits";
    b.note = std::to_string(notCompleted) + " of the accepted ci ops did not complete";
    run.table.add(b);
}

int seedOps(BenchRun& run, const std::string& projectId, int count, const std::string& rowId,
            const std::function<void(int ops)>& checkpoint)
{
    constexpr int kWindow = 100, kConnections = 4;
    CommitMaker commits(run.ctx, projectId);
    HttpLoad api(run.ctx.port(), kConnections);
    int sent = 0, completed = 0, lost = 0, shown = 0;
    const int64_t start = steadyNs();
    std::vector<std::string> next = commits.make(std::min(kWindow, count));
    while (!next.empty()) {
        std::vector<HttpRequest> requests;
        for (const std::string& sha : next)
            requests.push_back(hookRequest(projectId, sha));
        std::vector<std::string> ops;
        for (const HttpResult& r : api.run(requests))
            if (const Accepted a = acceptedOf(r); !a.opId.empty())
                ops.push_back(a.opId);
        sent += static_cast<int>(next.size());
        lost += static_cast<int>(next.size() - ops.size());
        next = commits.make(std::min(kWindow, count - sent));  // while this window runs
        const size_t notCompleted = run.watcher.waitAll(ops, 600000);
        completed += static_cast<int>(ops.size() - notCompleted);
        lost += static_cast<int>(notCompleted);
        if (checkpoint)
            checkpoint(completed);
        if (completed - shown >= std::max(500, count / 10)) {
            shown = completed;
            BenchContext::note(QStringLiteral("  seeded %1 of %2 ops").arg(completed).arg(count));
        }
    }
    const double seconds = double(steadyNs() - start) / 1e9;
    const double rate = seconds > 0 && completed > 0 ? completed / seconds : NAN;
    BenchContext::figure(QStringLiteral("seeding: ci ops completed per second on one project"), rate, "/s");
    BenchRow row{rowId, "seeding rate: ci ops via webhooks on one project (" + std::to_string(completed) + ")", rate,
                 "ops/s"};
    if (lost)
        row.note = std::to_string(lost) + " webhooks not accepted or ops not completed";
    run.table.add(row);
    return completed;
}

}  // namespace paas::bench
