// Memory at scale: RSS of paas and its nats-server child at the largest
// project count and op count this run reached (recorded while seeding), the
// growth per project / per op (least squares over the upper half of the
// points), and linear extrapolations to 5,000 projects / 100,000 ops when
// the run was smaller, labelled EXTRAPOLATED.
#include "bench/benchapi.h"
#include "bench/benchmarks.h"

namespace paas::bench {

namespace {

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

void addMemoryRows(BenchRun& run, const std::vector<RssPoint>& curve, const std::string& id, const std::string& what,
                   const std::string& unit, int goalCount, const std::string& knob)
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
               " KB per " + unit + " (least squares over the " + std::to_string(used) + " points from " +
               std::to_string(last.count / 2) + " on)";
    run.table.add(row);
    BenchContext::figure(QString::fromStdString("RSS at " + std::to_string(last.count) + what), row.figure, "MB");
    if (last.count >= goalCount || std::isnan(slope))
        return;
    BenchRow guess{id + "x", "RSS at " + std::to_string(goalCount) + what + ": EXTRAPOLATED",
                   megabytes(double(total(last)) + slope * (goalCount - last.count)), "MB"};
    guess.note =
        "not measured: linear from the measured " + std::to_string(last.count) + " (raise " + knob + " to measure it)";
    run.table.add(guess);
}

}  // namespace

void memoryRows(BenchRun& run)
{
    if (run.rssByProjects.empty() && run.rssByOps.empty() && run.rssBySpread.empty())
        return;
    if (!run.rssByProjects.empty())
        run.recordRss(run.rssByProjects, std::max(0, projectCount(run.ctx)));
    addMemoryRows(run, run.rssByProjects, "M-proj", " projects", "project", 5000, "BENCH_PROJECTS");
    addMemoryRows(run, run.rssByOps, "M-ops", " ops on one project", "op", 100000, "BENCH_OPS");
    addMemoryRows(run, run.rssBySpread, "M-spread",
                  " ops over " + std::to_string(run.knobs.spreadProjects) + " projects", "op", 100000,
                  "BENCH_SPREAD_OPS");
}

}  // namespace paas::bench
