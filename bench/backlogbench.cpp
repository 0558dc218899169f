// P9g: accepting an op costs the same behind a deep backlog. A burst of
// knobs.backlogOps webhooks (new commits, 50 connections) queues ci ops on
// one project; while they are still queued, sequential webhooks with new
// commits are timed, against the same on an idle project in the same run.
// Since issue 11 the queue is in the PAAS_QUEUE stream, not in the project
// record, so nothing an accept writes grows with the backlog.
#include "bench/benchapi.h"
#include "bench/benchmarks.h"
#include "bench/commitmaker.h"

#include <algorithm>

namespace paas::bench {

namespace {

size_t queueLength(BenchContext& ctx, const std::string& projectId)
{
    const nlohmann::json p = ctx.get("/api/projects/" + projectId);
    return p.is_object() ? p.value("queue_length", size_t(0)) : 0;
}

}  // namespace

void acceptBehindBacklog(BenchRun& run)
{
    const int backlog = run.knobs.backlogOps, samples = std::min(run.knobs.hookSamples, 200);
    const std::string idle = createProject(run, run.uniqueName("bench-idle"));
    const std::string busy = createProject(run, run.uniqueName("bench-backlog"));
    if (idle.empty() || busy.empty())
        return;
    BenchContext::settleDisk();
    const std::vector<double> ref = hookAcceptSamples(run, idle, samples);

    CommitMaker commits(run.ctx, busy);
    const std::vector<std::string> shas = commits.make(backlog + samples);
    std::vector<HttpRequest> burst;
    for (int i = 0; i < backlog; ++i)
        burst.push_back(hookRequest(busy, shas[size_t(i)]));
    std::vector<std::string> ops;
    for (const HttpResult& r : HttpLoad(run.ctx.port(), run.knobs.burstConnections).run(burst, 300000))
        if (const Accepted a = acceptedOf(r); !a.opId.empty())
            ops.push_back(a.opId);
    const size_t queuedBefore = queueLength(run.ctx, busy);
    HttpLoad api(run.ctx.port(), 1);
    std::vector<double> ms;
    for (int i = backlog; i < backlog + samples; ++i) {
        const HttpResult r = api.send(hookRequest(busy, shas[size_t(i)]));
        if (const Accepted a = acceptedOf(r); !a.opId.empty()) {
            ms.push_back(r.ms);
            ops.push_back(a.opId);
        }
    }
    const size_t queuedAfter = queueLength(run.ctx, busy);
    const size_t notCompleted = run.watcher.waitAll(ops, 900000);

    const double p99 = ms.empty() ? NAN : percentile(ms, 99), refP99 = ref.empty() ? NAN : percentile(ref, 99);
    BenchContext::figure("webhook -> 202 p99 behind the backlog", p99, "ms");
    BenchContext::figure("webhook -> 202 p99 on an idle project", refP99, "ms");
    BenchRow row{"P9g",
                 "P2 webhook -> 202 p99, behind a backlog of " + std::to_string(backlog) + " queued ops on the project",
                 p99, "ms", refP99};
    row.rule = BenchRow::Rule::RatioAtMost;
    row.target = 1.5;
    row.goal = "<= 1.5x reference";
    row.note = "floor = the same on an idle project, same run; queue length " + std::to_string(queuedBefore) +
               " before and " + std::to_string(queuedAfter) + " after the " + std::to_string(ms.size()) +
               " timed webhooks; p50 " + fixed(percentile(ms, 50), 2) + " vs " + fixed(percentile(ref, 50), 2) +
               " ms; " + std::to_string(notCompleted) + " ci ops did not complete";
    row.broken = queuedBefore < size_t(backlog) / 2 || notCompleted > 0;
    run.table.add(row);
}

}  // namespace paas::bench
