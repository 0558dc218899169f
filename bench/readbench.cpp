// P6: reads at 1,000 projects and one project with BENCH_OPS (10,000) ops,
// both seeded through the API first: the throughput of the paged reads
// GET /api/projects?limit=50 and GET /api/projects/{id}/ops?limit=50 next to
// GET /healthz measured right before them (same generator, same connections),
// and the latency of the full, unpaginated GET /api/projects.
// The paged routes are asked with ?limit=50 whether or not this build pages
// them: a build that ignores the parameter answers the whole list, and the
// row says how many items one answer held.
#include "bench/benchapi.h"
#include "bench/benchmarks.h"

namespace paas::bench {

namespace {

// Items in one answer of a list route (an array, or the array under `key`).
size_t itemsIn(const HttpResult& r, const char* key)
{
    const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    if (body.is_array())
        return body.size();
    return body.is_object() && body.contains(key) && body[key].is_array() ? body[key].size() : 0;
}

// One answer of a route asked alone, 20 times in a row on one connection.
struct Probe {
    size_t items = 0, bytes = 0;
    double p50 = NAN;
};

Probe probe(BenchContext& ctx, const HttpRequest& request, const char* key)
{
    HttpLoad one(ctx.port(), 1);
    Probe out;
    std::vector<double> ms;
    for (int i = 0; i < 20; ++i) {
        const HttpResult r = one.send(request);
        ms.push_back(r.ms);
        out.items = itemsIn(r, key);
        out.bytes = r.body.size();
    }
    out.p50 = percentile(ms, 50);
    return out;
}

void addPagedRow(BenchRun& run, const char* id, const std::string& measure, const HttpRate& rate, double floor,
                 const Probe& alone)
{
    BenchRow row{id, measure, rate.failed ? NAN : rate.perSecond, "req/s", floor};
    row.rule = BenchRow::Rule::RatioAtLeast;
    row.target = 0.25;
    row.goal = ">= 0.25x floor";
    row.note = "floor = GET /healthz req/s just before, " + std::to_string(run.knobs.rateConnections) + " conns; p99 " +
               fixed(percentile(rate.ms, 99), 2) + " ms; one answer: " + std::to_string(alone.items) + " items, " +
               std::to_string(alone.bytes) + " bytes, " + fixed(alone.p50, 2) + " ms p50 when asked alone";
    if (rate.failed)
        row.note += "; " + std::to_string(rate.failed) + " requests failed";
    run.table.add(row);
}

}  // namespace

bool ensureOpsProject(BenchRun& run)
{
    if (!run.opsProject.empty())
        return true;
    run.opsProject = createProject(run, run.uniqueName("bench-ops"));
    if (run.opsProject.empty())
        return false;
    run.recordRss(run.rssByOps, 0);
    const int step = std::max(100, run.knobs.ops / 8);
    int next = step;
    seedOps(run, run.opsProject, run.knobs.ops, "I-seedops", [&](int ops) {
        if (ops >= next || ops >= run.knobs.ops) {
            run.recordRss(run.rssByOps, ops);
            next = ops + step;
        }
    });
    return true;
}

void pagedReads(BenchRun& run)
{
    if (!ensureOpsProject(run))
        return;
    seedProjects(run, run.knobs.readProjects, "I-seed1",
                 [&](int projects) { run.recordRss(run.rssByProjects, projects); });
    const int projects = projectCount(run.ctx);
    BenchContext::settleDisk();
    const HttpRequest healthz{"GET", "/healthz", {}};
    const HttpRequest pagedProjects{"GET", "/api/projects?limit=50", {}};
    const HttpRequest pagedOps{"GET", "/api/projects/" + run.opsProject + "/ops?limit=50", {}};
    HttpLoad load(run.ctx.port(), run.knobs.rateConnections);
    const HttpRate hz = load.repeat(healthz, run.knobs.rateSeconds);
    const double floor = hz.failed ? NAN : hz.perSecond;
    const HttpRate a = load.repeat(pagedProjects, run.knobs.rateSeconds);
    const HttpRate b = load.repeat(pagedOps, run.knobs.rateSeconds);
    const Probe projectPage = probe(run.ctx, pagedProjects, "projects");
    const Probe opPage = probe(run.ctx, pagedOps, "ops");
    HttpLoad one(run.ctx.port(), 1);
    std::vector<double> full;
    size_t fullItems = 0;
    for (int i = 0; i < 30; ++i) {
        const HttpResult r = one.send({"GET", "/api/projects", {}});
        full.push_back(r.ms);
        fullItems = itemsIn(r, "projects");
    }
    BenchContext::figure("GET /healthz", floor, "req/s");
    BenchContext::figure("GET /api/projects?limit=50", a.perSecond, "req/s");
    BenchContext::figure("GET /api/projects/{id}/ops?limit=50", b.perSecond, "req/s");
    BenchContext::figure("GET /api/projects (full) p50", percentile(full, 50), "ms");
    const std::string at = " (" + std::to_string(projects) + " projects)";
    addPagedRow(run, "P6a", "GET /api/projects?limit=50 throughput" + at, a, floor, projectPage);
    addPagedRow(run, "P6b", "GET /api/projects/{id}/ops?limit=50, " + std::to_string(run.knobs.ops) + " ops", b, floor,
                opPage);
    BenchRow c{"P6c", "full GET /api/projects, sequential, p50" + at, percentile(full, 50), "ms"};
    c.rule = BenchRow::Rule::Below;
    c.target = 20;
    c.goal = "< 20 ms";
    c.note = std::to_string(full.size()) + " requests, " + std::to_string(fullItems) + " projects per answer, p99 " +
             fixed(percentile(full, 99), 1) + " ms";
    c.broken = fullItems < size_t(std::min(projects, run.knobs.readProjects));
    run.table.add(c);
}

}  // namespace paas::bench
