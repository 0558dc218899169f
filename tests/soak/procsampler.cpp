#include "tests/soak/procsampler.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>

#include <unistd.h>

namespace paas::soak {

namespace {

// Socket inodes of established TCP connections whose local port is `port`
// (the kernel's tables: /proc/net/tcp and tcp6, one socket per line; the
// columns are "sl local_address rem_address st ... inode", hex ports).
QSet<QByteArray> establishedTo(quint16 port)
{
    QSet<QByteArray> inodes;
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        QFile f(QString::fromLatin1(table));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        f.readLine();  // the header
        while (!f.atEnd()) {
            const QList<QByteArray> cols = f.readLine().simplified().split(' ');
            if (cols.size() < 10 || cols[3] != "01")
                continue;
            bool ok = false;
            if (cols[1].mid(cols[1].lastIndexOf(':') + 1).toUInt(&ok, 16) == port && ok)
                inodes.insert(cols[9]);
        }
    }
    return inodes;
}

int clientConnections(qint64 pid, quint16 port)
{
    const QSet<QByteArray> established = establishedTo(port);
    const QDir fdDir(QStringLiteral("/proc/%1/fd").arg(pid));
    static const QRegularExpression socket(QStringLiteral("^socket:\\[(\\d+)\\]$"));
    int n = 0;
    for (const QString& fd : fdDir.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System)) {
        char target[64] = {};
        const ssize_t len = ::readlink(QFile::encodeName(fdDir.filePath(fd)).constData(), target, sizeof target - 1);
        const QRegularExpressionMatch m = socket.match(QString::fromLatin1(target, len > 0 ? int(len) : 0));
        if (m.hasMatch() && established.contains(m.captured(1).toLatin1()))
            ++n;
    }
    return n;
}

}  // namespace

ProcSample sampleProcess(qint64 pid, quint16 clientPort)
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
    if (clientPort != 0)
        s.clients = clientConnections(pid, clientPort);
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
