// P9: P1-P3 at scale against P1-P3 at ~10 projects, both measured at the
// same time. A second, reference paas instance (fresh store, 10 projects)
// runs beside the scaled one and the samples alternate between the two in
// chunks, so both see the same machine: on this VM the latency of the git
// and file work drifts 2-4x over minutes (docs/PERFORMANCE.md), which made
// a comparison with the P1-P3 rows of the start of the run meaningless.
//  (d-f) after BENCH_OPS ops on one project: P2/P3 sent to that project
//        (on the reference: to a fresh project);
//  (a-c) at BENCH_PROJECTS projects: P2/P3 on a project created there.
#include "bench/benchapi.h"
#include "bench/benchmarks.h"

#include <memory>

namespace paas::bench {

namespace {

constexpr int kChunks = 4;

// The reference instance, and a BenchRun that measures on it.
struct Reference {
    BenchContext ctx;
    std::unique_ptr<OpWatcher> watcher;
    BenchTable scratch;  // rows its helpers add are not the run's
    std::unique_ptr<BenchRun> run;

    bool start(const BenchKnobs& knobs)
    {
        QString error;
        if (!ctx.start(&error)) {
            BenchContext::note("  the reference instance did not start: " + error);
            return false;
        }
        watcher = std::make_unique<OpWatcher>(ctx.nats());
        if (!watcher->start())
            return false;
        run = std::make_unique<BenchRun>(BenchRun{ctx, *watcher, scratch, knobs});
        for (int i = 0; i < 10; ++i)
            createProject(*run, run->uniqueName("ref"));
        return projectCount(ctx) >= 10;
    }
};

struct Samples {
    std::vector<double> creates, floors, hooks, ci;

    PipelineFigures figures() const
    {
        const auto p = [](const std::vector<double>& v, double q) { return v.empty() ? NAN : percentile(v, q); };
        return {p(creates, 50), p(floors, 50), p(hooks, 99), p(ci, 50)};
    }
};

void append(std::vector<double>& to, const std::vector<double>& from)
{
    to.insert(to.end(), from.begin(), from.end());
}

// P1-P3 on both instances, alternating chunk by chunk: {scaled, reference}.
std::pair<PipelineFigures, PipelineFigures> measurePair(BenchRun& scaled, const std::string& scaledProject,
                                                        BenchRun& reference, const std::string& referenceProject)
{
    BenchContext::settleDisk();
    Samples s[2];
    BenchRun* runs[2] = {&reference, &scaled};
    const std::string* projects[2] = {&referenceProject, &scaledProject};
    const BenchKnobs& k = scaled.knobs;
    const auto chunk = [](int total) { return std::max(1, total / kChunks); };
    for (int c = 0; c < kChunks; ++c)
        for (int side = 0; side < 2; ++side) {
            const CreateSamples created = createSamples(*runs[side], chunk(k.createSamples));
            append(s[side].creates, created.ms);
            append(s[side].floors, created.floorMs);
        }
    for (int c = 0; c < kChunks; ++c)
        for (int side = 0; side < 2; ++side)
            append(s[side].hooks, hookAcceptSamples(*runs[side], *projects[side], chunk(k.hookSamples)));
    for (int c = 0; c < kChunks; ++c)
        for (int side = 0; side < 2; ++side)
            append(s[side].ci, hookCiSamples(*runs[side], *projects[side], chunk(k.ciSamples)));
    return {s[1].figures(), s[0].figures()};
}

void addScaleRows(BenchRun& run, char firstLetter, const std::string& where, int referenceProjects,
                  const std::pair<PipelineFigures, PipelineFigures>& measured)
{
    const PipelineFigures& at = measured.first;
    const PipelineFigures& ref = measured.second;
    const struct {
        const char* what;
        double figure, base;
    } rows[] = {{"P1 create -> completed p50", at.createP50, ref.createP50},
                {"P2 webhook -> 202 p99", at.hookP99, ref.hookP99},
                {"P3 webhook -> ci completed p50", at.ciP50, ref.ciP50}};
    char letter = firstLetter;
    for (const auto& r : rows) {
        BenchRow row{std::string("P9") + letter, std::string(r.what) + ", " + where, r.figure, "ms", r.base};
        row.rule = BenchRow::Rule::RatioAtMost;
        row.target = 1.5;
        row.goal = "<= 1.5x reference";
        row.note = "floor = the same figure on a reference instance (10 projects, " +
                   std::to_string(referenceProjects) + " after its samples), interleaved in " +
                   std::to_string(kChunks) + " chunks";
        if (letter++ == firstLetter)
            row.note += "; CreateFloor p50 " + fixed(at.floorP50, 1) + " ms here, " + fixed(ref.floorP50, 1) +
                        " ms beside the reference";
        BenchContext::figure(QString::fromStdString(std::string(r.what) + ", " + where), r.figure, "ms");
        BenchContext::figure(QString::fromStdString(std::string(r.what) + ", reference"), r.base, "ms");
        run.table.add(row);
    }
}

}  // namespace

void scale(BenchRun& run)
{
    if (!ensureOpsProject(run))
        return;
    Reference reference;
    if (!reference.start(run.knobs))
        return;
    const std::string referenceOps = createProject(*reference.run, reference.run->uniqueName("ref-ops"));
    const std::string afterOps = "after " + std::to_string(run.knobs.ops) + " ops on one project (" +
                                 std::to_string(projectCount(run.ctx)) + " projects)";
    const auto afterOpsFigures = measurePair(run, run.opsProject, *reference.run, referenceOps);
    addScaleRows(run, 'd', afterOps, projectCount(reference.ctx), afterOpsFigures);
    seedProjects(run, run.knobs.projects, "I-seed2", [&](int projects) { run.recordRss(run.rssByProjects, projects); });
    const std::string fresh = createProject(run, run.uniqueName("bench-scale"));
    const std::string referenceFresh = createProject(*reference.run, reference.run->uniqueName("ref-scale"));
    const std::string atScale = "at " + std::to_string(projectCount(run.ctx)) + " projects";
    if (fresh.empty() || referenceFresh.empty())
        return;
    const auto atScaleFigures = measurePair(run, fresh, *reference.run, referenceFresh);
    addScaleRows(run, 'a', atScale, projectCount(reference.ctx), atScaleFigures);
}

}  // namespace paas::bench
