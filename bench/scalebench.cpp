// P9: P1-P3 again, each against the baseline of this run (~10 projects):
//  (d-f) after BENCH_OPS ops on one project, P2/P3 sent to that project;
//  (a-c) at BENCH_PROJECTS projects, P2/P3 on a project created there.
// And the memory at scale: RSS of paas and nats-server at the largest
// project count and op count reached, with linear extrapolations to 5,000
// projects / 100,000 ops when the run was smaller, labelled as such.
#include "bench/benchapi.h"
#include "bench/benchmarks.h"

namespace paas::bench {

namespace {

PipelineFigures measurePipeline(BenchRun& run, const std::string& projectId, const QString& where)
{
    PipelineFigures f;
    BenchContext::settleDisk();
    const CreateSamples creates = createSamples(run, run.knobs.createSamples);
    const std::vector<double> hooks = hookAcceptSamples(run, projectId, run.knobs.hookSamples);
    const std::vector<double> ci = hookCiSamples(run, projectId, run.knobs.ciSamples);
    f.createP50 = creates.ms.empty() ? NAN : percentile(creates.ms, 50);
    f.floorP50 = creates.floorMs.empty() ? NAN : percentile(creates.floorMs, 50);
    f.hookP99 = hooks.empty() ? NAN : percentile(hooks, 99);
    f.ciP50 = ci.empty() ? NAN : percentile(ci, 50);
    BenchContext::figure("create -> completed p50, " + where, f.createP50, "ms");
    BenchContext::figure("webhook -> 202 p99, " + where, f.hookP99, "ms");
    BenchContext::figure("webhook -> ci completed p50, " + where, f.ciP50, "ms");
    return f;
}

void addScaleRows(BenchRun& run, char firstLetter, const std::string& where, const PipelineFigures& at)
{
    const struct {
        const char* what;
        double figure, base;
    } rows[] = {{"P1 create -> completed p50", at.createP50, run.baseline.createP50},
                {"P2 webhook -> 202 p99", at.hookP99, run.baseline.hookP99},
                {"P3 webhook -> ci completed p50", at.ciP50, run.baseline.ciP50}};
    char letter = firstLetter;
    for (const auto& r : rows) {
        BenchRow row{std::string("P9") + letter++, std::string(r.what) + ", " + where, r.figure, "ms", r.base};
        row.rule = BenchRow::Rule::RatioAtMost;
        row.target = 1.5;
        row.goal = "<= 1.5x baseline";
        row.note = "floor = the same figure at ~10 projects (rows P1-P3)";
        run.table.add(row);
    }
    // The creates' own floor moves with the disk (fsync): the P1 ratio with
    // each side divided by its floor of the moment, for the reader.
    const double normalised = (at.createP50 / at.floorP50) / (run.baseline.createP50 / run.baseline.floorP50);
    if (!std::isnan(normalised))
        run.table.add({std::string("I-P9") + firstLetter, "P1 ratio, each side divided by its CreateFloor p50 (" +
                       fixed(at.floorP50, 1) + " ms here)", normalised, "x"});
}

double megabytes(double kib)
{
    return kib * 1024.0 / 1e6;
}

qint64 total(const RssPoint& p)
{
    return p.appKiB + p.natsKiB;
}

// Least-squares slope of paas + nats-server RSS, KiB per unit of count,
// over the points of the upper half of the range (start-up growth, caches
// filling, is not growth per item); `used` gets how many points it took.
double slopeKiB(const std::vector<RssPoint>& curve, int& used)
{
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    const int from = curve.empty() ? 0 : curve.back().count / 2;
    for (const RssPoint& p : curve) {
        if (p.appKiB < 0 || p.natsKiB < 0 || p.count < from)
            continue;
        const double x = p.count, y = double(total(p));
        n += 1, sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    const double d = n * sxx - sx * sx;
    used = int(n);
    return n >= 2 && d > 0 ? (n * sxy - sx * sy) / d : NAN;
}

void addMemoryRows(BenchRun& run, const std::vector<RssPoint>& curve, const std::string& id,
                   const std::string& what, const std::string& unit, int goalCount)
{
    if (curve.empty() || curve.back().appKiB < 0 || curve.back().natsKiB < 0)
        return;
    const RssPoint& last = curve.back();
    int used = 0;
    const double slope = slopeKiB(curve, used);
    BenchRow row{id, "RSS paas + nats-server at " + std::to_string(last.count) + what, megabytes(double(total(last))),
                 "MB"};
    row.note = "paas " + fixed(megabytes(double(last.appKiB))) + " MB + nats-server " +
               fixed(megabytes(double(last.natsKiB))) + " MB; growth " + fixed(slope * 1024.0 / 1000.0, 2) +
               " KB per " + unit + " (least squares over the " + std::to_string(used) +
               " points from " + std::to_string(last.count / 2) + " on)";
    run.table.add(row);
    BenchContext::figure(QString::fromStdString("RSS at " + std::to_string(last.count) + what), row.figure, "MB");
    if (last.count >= goalCount || std::isnan(slope))
        return;
    BenchRow guess{id + "x", "RSS at " + std::to_string(goalCount) + what + ": EXTRAPOLATED",
                   megabytes(double(total(last)) + slope * (goalCount - last.count)), "MB"};
    guess.note = "not measured: linear from the measured " + std::to_string(last.count) + " (raise " +
                 (unit == "op" ? "BENCH_OPS" : "BENCH_PROJECTS") + " to measure it)";
    run.table.add(guess);
}

}  // namespace

void scale(BenchRun& run)
{
    if (!ensureOpsProject(run))
        return;
    const std::string afterOps = "after " + std::to_string(run.knobs.ops) + " ops on one project (" +
                                 std::to_string(projectCount(run.ctx)) + " projects)";
    addScaleRows(run, 'd', afterOps, measurePipeline(run, run.opsProject, QString::fromStdString(afterOps)));
    seedProjects(run, run.knobs.projects, "I-seed2", [&](int projects) { run.recordRss(run.rssByProjects, projects); });
    const std::string fresh = createProject(run, run.uniqueName("bench-scale"));
    const std::string atScale = "at " + std::to_string(projectCount(run.ctx)) + " projects";
    const PipelineFigures figures =
        fresh.empty() ? PipelineFigures{} : measurePipeline(run, fresh, QString::fromStdString(atScale));
    addScaleRows(run, 'a', atScale, figures);
}

void memoryRows(BenchRun& run)
{
    if (run.rssByProjects.empty() && run.rssByOps.empty())
        return;
    run.recordRss(run.rssByProjects, std::max(0, projectCount(run.ctx)));
    addMemoryRows(run, run.rssByProjects, "M-proj", " projects", "project", 5000);
    addMemoryRows(run, run.rssByOps, "M-ops", " ops on one project", "op", 100000);
}

}  // namespace paas::bench
