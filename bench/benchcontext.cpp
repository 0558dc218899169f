#include "bench/benchcontext.h"

#include "bench/httpload.h"
#include "engine/store/kvstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QThread>
#include <QUrl>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace paas::bench {

namespace {

const int64_t kBenchStartNs = steadyNs();

QByteArray readProc(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void raiseFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// Direct children of `pid` (/proc/<pid>/task/*/children, else a /proc scan).
std::vector<qint64> childrenOf(qint64 pid)
{
    std::vector<qint64> out;
    const QString task = QStringLiteral("/proc/%1/task").arg(pid);
    for (const QString& tid : QDir(task).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        for (const QByteArray& child : readProc(task + '/' + tid + "/children").simplified().split(' '))
            if (!child.isEmpty())
                out.push_back(child.toLongLong());
    if (!out.empty())
        return out;
    for (const QString& entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        const QByteArray stat = readProc("/proc/" + entry + "/stat");
        const int close = stat.lastIndexOf(')');  // "pid (comm) state ppid ..."
        if (close > 0 && stat.mid(close + 2).split(' ').value(1).toLongLong() == pid)
            out.push_back(entry.toLongLong());
    }
    return out;
}

}  // namespace

int64_t steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

BenchContext::BenchContext() = default;

BenchContext::~BenchContext()
{
    stop();
}

bool BenchContext::start(QString* error)
{
    raiseFileLimit();
    const QString bin = QCoreApplication::applicationDirPath() + "/paas";
    m_app = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("PAAS_LISTEN", "127.0.0.1:0");
    env.insert("PAAS_HEADLESS", "1");
    env.insert("PAAS_ARTIFACTS_ROOT", m_root.path() + "/artifacts");
    env.insert("PAAS_NATS_STORE_DIR", m_root.path() + "/nats");
    env.insert("PAAS_IMAGE_BUILDER_MODE", "artifact");
    env.insert("PAAS_SSE_MAX_CLIENTS", "5000");
    env.remove("PAAS_NATS_URL");
    for (const QString& name : m_appEnv.keys())
        env.insert(name, m_appEnv.value(name));
    m_app->setProcessEnvironment(env);
    // The app's output goes to a file, not a pipe: a pipe is drained only
    // while this thread runs its event loop, and a phase that blocks (a
    // wait for ops) would let it fill and stall every app thread that logs.
    const QString logPath = m_root.path() + "/paas.log";
    m_app->setProcessChannelMode(QProcess::MergedChannels);
    m_app->setStandardOutputFile(logPath);
    QElapsedTimer timer;
    timer.start();
    m_app->start(bin, {"--headless"});
    if (!m_app->waitForStarted(10000)) {
        *error = "cannot start " + bin + " (build it: cmake --build build --target paas)";
        return false;
    }
    QByteArray output;
    const QRegularExpression listening(QStringLiteral("API listening on (\\S+)"));
    QFile log(logPath);
    while (m_url.isEmpty() && timer.elapsed() < 60000 && m_app->state() == QProcess::Running) {
        if (!log.isOpen())
            log.open(QIODevice::ReadOnly);
        output += log.readAll();
        QThread::msleep(output.isEmpty() ? 2 : 1);
        const QRegularExpressionMatch m = listening.match(QString::fromUtf8(output));
        if (m.hasMatch()) {
            m_coldStartMs = double(timer.nsecsElapsed()) / 1e6;
            m_url = m.captured(1);
        }
    }
    if (m_url.isEmpty()) {
        *error = "paas did not start:\n" + QString::fromUtf8(output);
        return false;
    }
    m_port = static_cast<quint16>(QUrl(m_url).port());
    m_http = std::make_unique<HttpLoad>(m_port, 1);
    const nlohmann::json system = get("/api/system");
    m_artifactsRoot = QString::fromStdString(system.value("artifacts_root", ""));
    const std::string natsUrl = system.value("nats", nlohmann::json::object()).value("url", std::string());
    Result<std::unique_ptr<NatsClient>> nats = NatsClient::connect(natsUrl, 5000);
    if (!nats) {
        *error = "cannot reach the app's NATS at " + QString::fromStdString(natsUrl);
        return false;
    }
    m_nats = std::move(nats.value());
    return true;
}

void BenchContext::stop()
{
    m_http.reset();
    m_nats.reset();
    if (m_app && m_app->state() == QProcess::Running) {
        m_app->terminate();
        if (!m_app->waitForFinished(30000))
            m_app->kill();
    }
    m_app.reset();
    m_root.remove();
}

nlohmann::json BenchContext::get(const std::string& path, int* status)
{
    const HttpResult r = m_http->send({"GET", path, {}}, 30000);
    if (status)
        *status = r.status;
    return nlohmann::json::parse(r.body, nullptr, false);
}

qint64 BenchContext::natsPid() const
{
    for (qint64 child : childrenOf(appPid()))
        if (readProc(QStringLiteral("/proc/%1/comm").arg(child)).trimmed() == "nats-server")
            return child;
    return 0;
}

qint64 BenchContext::rssKiB(qint64 pid)
{
    if (pid <= 0)
        return -1;
    for (const QByteArray& line : readProc(QStringLiteral("/proc/%1/status").arg(pid)).split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

double BenchContext::cpuSeconds(qint64 pid)
{
    const QByteArray stat = readProc(QStringLiteral("/proc/%1/stat").arg(pid));
    const int close = stat.lastIndexOf(')');  // "pid (comm) state ..." : utime is field 14
    const QList<QByteArray> fields = close > 0 ? stat.mid(close + 2).split(' ') : QList<QByteArray>();
    if (fields.size() < 13)
        return -1;
    return double(fields[11].toLongLong() + fields[12].toLongLong()) / double(sysconf(_SC_CLK_TCK));
}

void BenchContext::settleDisk()
{
    const int64_t start = steadyNs();
    ::sync();
    const double seconds = double(steadyNs() - start) / 1e9;
    if (seconds > 0.2)
        figure("  (sync: writeback of earlier writes took)", seconds, "s");
}

bool BenchContext::putRunningOp(const std::string& opId, const std::string& projectId)
{
    Result<std::unique_ptr<KvStore>> ops = m_nats->openBucket("paas_ops");
    if (!ops)
        return false;
    const nlohmann::json record{{"id", opId},
                                {"kind", "create"},
                                {"project_id", projectId},
                                {"status", "running"},
                                {"steps", nlohmann::json::array()}};
    return (*ops)->put(opId, record.dump()).isOk();
}

void BenchContext::figure(const QString& name, double value, const QString& unit)
{
    std::fprintf(stderr, "[%7.1f s]   %-52s %12.3f %s\n", double(steadyNs() - kBenchStartNs) / 1e9, qPrintable(name),
                 value, qPrintable(unit));
    std::fflush(stderr);
}

void BenchContext::note(const QString& line)
{
    std::fprintf(stderr, "[%7.1f s] %s\n", double(steadyNs() - kBenchStartNs) / 1e9, qPrintable(line));
    std::fflush(stderr);
}

std::string fixed(double value, int decimals)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

double percentile(std::vector<double> samples, double p)
{
    if (samples.empty())
        return 0;
    std::sort(samples.begin(), samples.end());
    const double rank = std::ceil(p / 100.0 * static_cast<double>(samples.size()));
    const size_t index = static_cast<size_t>(std::clamp(rank, 1.0, static_cast<double>(samples.size()))) - 1;
    return samples[index];
}

}  // namespace paas::bench
