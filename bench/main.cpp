// paas_bench (`make bench`): starts the paas binary next to it (headless,
// artifact mode, throwaway store), runs the phases of issue 11 against it
// (and the buildkit phase of issue 12 against a second one, in buildkit mode
// on a Docker engine), and prints ONE table on stdout (progress goes to stderr) and writes the
// same rows to results.json ($BENCH_RESULTS, default <build>/bench/).
// Usage: paas_bench [--list] [phase ...]   (no phase: all of them)
#include "bench/benchmarks.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QThread>

#include <cstdio>
#include <cstdlib>

using namespace paas::bench;

namespace {

const Benchmark kPhases[] = {
    {"start", "P7: idle RSS of paas + nats-server; cold start to API listening", &idleAndColdStart},
    {"loadgen", "L1: the load generator vs a no-op server; GET /healthz floors", &loadGenerator},
    {"create", "P1: create -> completed p50 vs its in-process floor", &createLatency},
    {"webhook_202", "P2: webhook -> 202 p99, sequential", &webhookAccept},
    {"webhook_ci", "P3: webhook -> ci completed p50", &webhookCi},
    {"webhook_burst", "P4: 1,000 webhooks, 50% duplicates, 50 connections", &webhookBurst},
    {"backlog", "P9g: webhook -> 202 p99 behind a backlog of queued ops on the project", &acceptBehindBacklog},
    {"sse", "P5: SSE publish -> receive p99 at 500 and 1,000 clients", &sseLatency},
    {"reads", "P6: paged reads at 1,000 projects and BENCH_OPS ops (seeds them)", &pagedReads},
    {"scale", "P9: P1-P3 after BENCH_OPS ops, and at BENCH_PROJECTS projects", &scale},
    {"buildkit", "P8, B1, B2: BuildKit builds through paas vs the engine's own (needs a Docker engine)", &buildKitRows},
    {"run", "P10: a commit on main (real hook) -> the dev URL serves it, run: docker (needs a Docker engine)",
     &commitToUrl},
    {"cluster", "S1: ci ops/s on a 3-node cluster with 1 worker vs 3 workers (issue 15)", &clusterThroughput},
    {"spread", "M-spread: RSS at BENCH_SPREAD_OPS (100,000) ops over BENCH_SPREAD_PROJECTS (20) projects",
     &spreadOpsMemory},
};

QByteArray loadAverage()
{
    QFile load(QStringLiteral("/proc/loadavg"));
    return load.open(QIODevice::ReadOnly) ? load.readAll().trimmed() : QByteArray("?");
}

std::string resultsPath()
{
    if (const char* path = std::getenv("BENCH_RESULTS"); path && *path)
        return path;
    return QDir::cleanPath(QCoreApplication::applicationDirPath() + "/../bench/results.json").toStdString();
}

nlohmann::json describeRun(const BenchRun& run, const QByteArray& loadBefore, double wallSeconds)
{
    const char* rev = std::getenv("BENCH_GIT_REV");
    return {{"date", QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString()},
            {"cores", QThread::idealThreadCount()},
            {"load_average_before", loadBefore.toStdString()},
            {"load_average_after", loadAverage().toStdString()},
            {"wall_seconds", wallSeconds},
            {"git_rev", rev ? rev : ""},
            {"knobs", run.knobs.toJson()}};
}

}  // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList wanted = app.arguments().mid(1);
    if (wanted.contains(QStringLiteral("--list"))) {
        for (const Benchmark& b : kPhases)
            std::printf("%-14s %s\n", b.name, b.description);
        return 0;
    }
    const int64_t start = steadyNs();
    const QByteArray loadBefore = loadAverage();
    BenchContext::settleDisk();
    BenchContext context;
    QString error;
    if (!context.start(&error)) {
        std::fprintf(stderr, "paas_bench: %s\n", qPrintable(error));
        return 1;
    }
    BenchTable table;
    {
        OpWatcher watcher(context.nats());
        if (!watcher.start()) {
            std::fprintf(stderr, "paas_bench: cannot subscribe to the app's events\n");
            return 1;
        }
        BenchRun run{context, watcher, table, BenchKnobs::fromEnvironment()};
        BenchContext::note(QStringLiteral("paas_bench: paas at %1 (pid %2); load average %3; %4 cores%5")
                               .arg(context.url())
                               .arg(context.appPid())
                               .arg(QString::fromLatin1(loadBefore))
                               .arg(QThread::idealThreadCount())
                               .arg(run.knobs.quick ? "; BENCH_QUICK=1" : ""));
        for (const Benchmark& b : kPhases) {
            if (!wanted.isEmpty() && !wanted.contains(QString::fromLatin1(b.name)))
                continue;
            BenchContext::note(QStringLiteral("== %1: %2").arg(b.name, b.description));
            b.run(run);
        }
        memoryRows(run);
        const double wall = double(steadyNs() - start) / 1e9;
        const std::string title = "paas_bench: " + std::to_string(QThread::idealThreadCount()) + " cores, load " +
                                  loadBefore.toStdString() + " before" +
                                  (run.knobs.quick ? ", BENCH_QUICK=1 (reduced sizes)" : "") + ", wall " +
                                  fixed(wall / 60, 1) + " min";
        table.print(stdout, title);
        const std::string path = resultsPath();
        if (table.writeJson(path, describeRun(run, loadBefore, wall)))
            std::printf("\nresults: %s\n", path.c_str());
        else
            std::fprintf(stderr, "paas_bench: cannot write %s\n", path.c_str());
        std::fflush(stdout);
    }
    const int64_t teardown = steadyNs();
    BenchContext::note("stopping paas and removing its throwaway store");
    context.stop();
    BenchContext::figure("teardown took", double(steadyNs() - teardown) / 1e9, "s");
    return 0;
}
