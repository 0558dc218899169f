#pragma once
// ProcSampler: resident memory, open file descriptors and threads of a
// process from /proc (Linux), plus the statistics the soak's pass rules use:
// a least-squares slope per minute and nearest-rank percentiles.
// Thread affinity: any (plain functions over /proc).
#include <QtGlobal>

#include <vector>

namespace paas::soak {

struct ProcSample {
    double rssMiB = -1;  // -1: the process is gone
    int fds = -1;
    int threads = -1;
};

ProcSample sampleProcess(qint64 pid);

// Least-squares slope of ys over xs (0 with fewer than 2 points).
double slope(const std::vector<double>& xs, const std::vector<double>& ys);
// p in [0, 100], nearest rank; 0 for no samples.
double percentile(std::vector<double> samples, double p);

}  // namespace paas::soak
