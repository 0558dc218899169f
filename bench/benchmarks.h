#pragma once
// The benchmark table of paas_bench: each row is a named function that
// measures something on the running instance and prints figures through
// BenchContext::figure(). Figures only; nothing is asserted.
// Thread affinity: the bench's main thread.
#include "bench/benchcontext.h"

namespace paas::bench {

struct Benchmark {
    const char* name;
    const char* description;
    void (*run)(BenchContext& context);
};

// ssebench.cpp
void sseLatency(BenchContext& context);
void sseIdleRss(BenchContext& context);

// webhookbench.cpp
void webhookAcceptLatency(BenchContext& context);
void webhookCiLatency(BenchContext& context);
void webhookBurst(BenchContext& context);

}  // namespace paas::bench
