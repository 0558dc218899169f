#include "tests/soak/procsampler.h"

#include <QDir>
#include <QFile>

#include <algorithm>
#include <cmath>

namespace paas::soak {

ProcSample sampleProcess(qint64 pid)
{
    ProcSample s;
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (pid <= 0 || !status.open(QIODevice::ReadOnly))
        return s;
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            s.rssMiB = line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
        else if (line.startsWith("Threads:"))
            s.threads = line.mid(8).trimmed().toInt();
    }
    s.fds = int(QDir(QStringLiteral("/proc/%1/fd").arg(pid))
                    .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System)
                    .size());
    return s;
}

double slope(const std::vector<double>& xs, const std::vector<double>& ys)
{
    const size_t n = std::min(xs.size(), ys.size());
    if (n < 2)
        return 0;
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; ++i) {
        mx += xs[i];
        my += ys[i];
    }
    mx /= double(n);
    my /= double(n);
    double num = 0, den = 0;
    for (size_t i = 0; i < n; ++i) {
        num += (xs[i] - mx) * (ys[i] - my);
        den += (xs[i] - mx) * (xs[i] - mx);
    }
    return den > 0 ? num / den : 0;
}

double percentile(std::vector<double> samples, double p)
{
    if (samples.empty())
        return 0;
    std::sort(samples.begin(), samples.end());
    const double rank = std::ceil(p / 100.0 * double(samples.size()));
    const size_t index = size_t(std::clamp(rank, 1.0, double(samples.size()))) - 1;
    return samples[index];
}

}  // namespace paas::soak
