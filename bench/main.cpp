// paas_bench: starts the paas binary next to it and prints performance
// figures (`make bench`). Usage: paas_bench [--list] [benchmark ...]
#include "bench/benchmarks.h"

#include <QCoreApplication>
#include <QFile>
#include <QThread>

#include <cstdio>

using namespace paas::bench;

namespace {

// Add a row to add figures (e.g. webhook throughput).
const Benchmark kBenchmarks[] = {
    {"sse_latency", "SSE event latency, publish -> receipt, at 1/100/500 clients", &sseLatency},
    {"sse_idle_rss", "app memory per idle SSE client", &sseIdleRss},
    {"webhook_202", "source webhook -> 202 latency p50/p99 (sequential, unique commits)", &webhookAcceptLatency},
    {"webhook_ci", "source webhook -> ci op completed latency (artifact mode)", &webhookCiLatency},
    {"webhook_burst", "1000 webhooks, 50% duplicates, 50 connections: throughput, ops created", &webhookBurst},
};

}  // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QStringList wanted = app.arguments().mid(1);
    if (wanted.contains(QStringLiteral("--list"))) {
        for (const Benchmark& b : kBenchmarks)
            std::printf("%-16s %s\n", b.name, b.description);
        return 0;
    }
    BenchContext context;
    QString error;
    if (!context.start(&error)) {
        std::fprintf(stderr, "paas_bench: %s\n", qPrintable(error));
        return 1;
    }
    QFile load(QStringLiteral("/proc/loadavg"));
    const QByteArray loadavg = load.open(QIODevice::ReadOnly) ? load.readAll().trimmed() : QByteArray("?");
    std::printf("paas_bench: paas at %s (pid %lld); load average %s, %d cores\n", qPrintable(context.url()),
                static_cast<long long>(context.appPid()), loadavg.constData(), QThread::idealThreadCount());
    for (const Benchmark& b : kBenchmarks) {
        if (!wanted.isEmpty() && !wanted.contains(QString::fromLatin1(b.name)))
            continue;
        std::printf("\n== %s: %s\n", b.name, b.description);
        std::fflush(stdout);
        b.run(context);
    }
    context.stop();
    return 0;
}
