#include "bench/benchrun.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace paas::bench {

namespace {

int envInt(const char* name, int fallback)
{
    const char* value = std::getenv(name);
    if (!value || !*value)
        return fallback;
    char* end = nullptr;
    const long n = std::strtol(value, &end, 10);
    return end && *end == '\0' && n >= 0 ? static_cast<int>(std::min<long>(n, 1000000)) : fallback;
}

}  // namespace

BenchKnobs BenchKnobs::fromEnvironment()
{
    BenchKnobs k;
    k.quick = envInt("BENCH_QUICK", 0) == 1;
    if (k.quick) {
        k.projects = 250;
        k.ops = 400;
        k.createSamples = 8;
        k.hookSamples = 100;
        k.ciSamples = 8;
        k.sseClients = {100, 200};
        k.burstCommits = 100;
        k.backlogOps = 200;
        k.rateSeconds = 1;
        k.contextMB = 20;
        k.contextFiles = 500;
        k.ignoredMB = 10;
        k.buildSamples = 3;
    }
    k.contextMB = std::max(1, envInt("BENCH_CONTEXT_MB", k.contextMB));
    k.contextFiles = std::max(3, envInt("BENCH_CONTEXT_FILES", k.contextFiles));
    k.ignoredMB = std::max(1, envInt("BENCH_IGNORED_MB", k.ignoredMB));
    k.buildSamples = std::max(1, envInt("BENCH_BUILD_SAMPLES", k.buildSamples));
    k.projects = envInt("BENCH_PROJECTS", k.projects);
    k.ops = envInt("BENCH_OPS", k.ops);
    k.spreadOps = std::max(1, envInt("BENCH_SPREAD_OPS", k.quick ? 10000 : k.spreadOps));
    k.spreadProjects = std::max(1, envInt("BENCH_SPREAD_PROJECTS", k.spreadProjects));
    k.readProjects = std::min(k.quick ? 100 : 1000, k.projects);
    return k;
}

nlohmann::json BenchKnobs::toJson() const
{
    return {{"quick", quick},
            {"projects", projects},
            {"read_projects", readProjects},
            {"ops", ops},
            {"spread_ops", spreadOps},
            {"spread_projects", spreadProjects},
            {"create_samples", createSamples},
            {"hook_samples", hookSamples},
            {"ci_samples", ciSamples},
            {"sse_clients", sseClients},
            {"burst_commits", burstCommits},
            {"burst_projects", burstProjects},
            {"burst_connections", burstConnections},
            {"backlog_ops", backlogOps},
            {"rate_connections", rateConnections},
            {"rate_seconds", rateSeconds},
            {"context_mb", contextMB},
            {"context_files", contextFiles},
            {"ignored_mb", ignoredMB},
            {"build_samples", buildSamples}};
}

}  // namespace paas::bench
