#pragma once
// ProcSampler: resident memory, open file descriptors and threads of a
// process from /proc (Linux), and how many of its fds are TCP connections
// clients hold open to it (established, local port = its listening port),
// plus the statistics the soak's pass rules use:
// a least-squares slope per minute and nearest-rank percentiles.
// Thread affinity: any (plain functions over /proc).
#include <QtGlobal>

#include <vector>

namespace paas::soak {

struct ProcSample {
    double rssMiB = -1;  // -1: the process is gone
    int fds = -1;
    int threads = -1;
    int clients = 0;  // established connections to clientPort (0: not counted)
    // The fds a leak grows: open connections are the load's, not a leak
    // (one a server failed to close shows as CLOSE_WAIT, and stays counted).
    int fdsNetOfClients() const { return fds - clients; }
};

ProcSample sampleProcess(qint64 pid, quint16 clientPort = 0);

// Least-squares slope of ys over xs (0 with fewer than 2 points).
double slope(const std::vector<double>& xs, const std::vector<double>& ys);
// p in [0, 100], nearest rank; 0 for no samples.
double percentile(std::vector<double> samples, double p);

}  // namespace paas::soak
