#include "tests/support/paasprocess.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <cstdio>

namespace paas::test {

nlohmann::json HttpResult::json() const
{
    return nlohmann::json::parse(body.constData(), body.constData() + body.size(), nullptr, false);
}

QByteArray HttpResult::header(const QByteArray& name) const
{
    for (const auto& [k, v] : headers)
        if (k.toLower() == name.toLower())
            return v;
    return {};
}

HttpResult http(const QByteArray& method, const QString& url, const QByteArray& body, const Headers& headers,
                int timeoutMs)
{
    QNetworkAccessManager nam;
    QNetworkRequest request{QUrl(url)};
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    bool hasType = false;
    for (const auto& [k, v] : headers) {
        request.setRawHeader(k, v);
        hasType |= k.toLower() == "content-type";
    }
    if (!hasType && !body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    QNetworkReply* reply = nam.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    HttpResult result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    for (const auto& pair : reply->rawHeaderPairs())
        result.headers << pair;
    reply->deleteLater();
    return result;
}

QString paasBinary()
{
    return qEnvironmentVariable("PAAS_BIN", QStringLiteral("build/bin/paas"));
}

int run(const QString& program, const QStringList& args, const QString& cwd, QByteArray* out, int timeoutMs,
        const QProcessEnvironment& env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    if (!cwd.isEmpty())
        p.setWorkingDirectory(cwd);
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (out)
        *out = p.readAll();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

PaasProcess::PaasProcess(const QString& root) : m_env(QProcessEnvironment::systemEnvironment())
{
    if (root.isEmpty()) {
        m_tmp = std::make_unique<QTemporaryDir>();
        m_root = m_tmp->path();
    } else {
        m_root = root;
    }
    m_env.insert("PAAS_LISTEN", "127.0.0.1:0");
    m_env.insert("PAAS_ARTIFACTS_ROOT", artifactsRoot());
    m_env.insert("PAAS_NATS_STORE_DIR", m_root + "/nats");
    m_env.insert("PAAS_IMAGE_BUILDER_MODE", "artifact");
    m_env.insert("PAAS_HEADLESS", "1");
    m_env.remove("PAAS_LOCAL_API_BASE_URL");
}

PaasProcess::~PaasProcess()
{
    if (m_process && m_process->state() != QProcess::NotRunning && !stop())
        kill();
    printSanitizerReports();
}

void PaasProcess::printSanitizerReports() const
{
    // A sanitizer report of the child (make test-sanitize / test-tsan) is in
    // its merged output, which a test prints only when it fails on it: show
    // it always, so a report that did not fail the test is not lost.
    for (const char* marker : {"WARNING: ThreadSanitizer", "ERROR: AddressSanitizer", "runtime error:"})
        if (m_output.contains(marker)) {
            std::fprintf(stderr, "=== sanitizer report in the paas child's output ===\n%s\n", m_output.constData());
            return;
        }
}

void PaasProcess::setWindowed(bool windowed)
{
    m_windowed = windowed;
    if (windowed)
        m_env.remove("PAAS_HEADLESS");
    else
        m_env.insert("PAAS_HEADLESS", "1");
}

bool PaasProcess::start(const QStringList& extraArgs, int timeoutMs)
{
    printSanitizerReports();  // of a previous run of this object
    m_process = std::make_unique<QProcess>();
    m_process->setProcessEnvironment(m_env);
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_output.clear();
    m_url.clear();
    m_process->start(paasBinary(), (m_windowed ? QStringList{} : QStringList{"--headless"}) + extraArgs);
    // A worker (--role worker) serves no API: it is up at "Worker ready".
    const QRegularExpression re(QStringLiteral("API listening on (http://\\S+)|Worker ready"));
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        m_process->waitForReadyRead(100);
        m_output += m_process->readAll();
        const QRegularExpressionMatch m = re.match(QString::fromUtf8(m_output));
        if (m.hasMatch()) {
            m_url = m.captured(1);
            // Keep reading so the pipe never fills up.
            QObject::connect(m_process.get(), &QProcess::readyRead, [this] { m_output += m_process->readAll(); });
            return true;
        }
        if (m_process->state() == QProcess::NotRunning) {
            m_output += m_process->readAll();
            return false;
        }
    }
    return false;
}

bool PaasProcess::stop(int timeoutMs)
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return m_process && m_process->exitCode() == 0;
    m_process->terminate();
    const bool finished = m_process->waitForFinished(timeoutMs);
    m_output += m_process->readAll();
    return finished && m_process->exitStatus() == QProcess::NormalExit && m_process->exitCode() == 0;
}

bool PaasProcess::kill()
{
    if (!m_process)
        return true;
    m_process->kill();
    m_process->waitForFinished(5000);
    const qint64 nats = natsPid();
    const QDeadlineTimer deadline(10000);
    while (nats > 0 && processAlive(nats) && !deadline.hasExpired())
        QThread::msleep(20);
    if (nats > 0 && processAlive(nats)) {
        qWarning("nats-server %lld outlived its app", nats);
        ::kill(static_cast<pid_t>(nats), SIGKILL);
        return false;
    }
    return true;
}

bool processAlive(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (pid <= 0 || !stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = stat.readAll();
    const int close = line.lastIndexOf(')');
    return close > 0 && close + 2 < line.size() && line.at(close + 2) != 'Z';
}

QList<qint64> processesMatching(const QStringList& needles)
{
    QList<qint64> pids;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString& entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        QFile file(QStringLiteral("/proc/%1/cmdline").arg(entry));
        if (!ok || !file.open(QIODevice::ReadOnly))
            continue;
        const QString cmd = QString::fromLocal8Bit(file.readAll().replace('\0', ' '));
        if (!cmd.isEmpty() &&
            std::all_of(needles.begin(), needles.end(), [&](const QString& n) { return cmd.contains(n); }) &&
            processAlive(pid))
            pids << pid;
    }
    return pids;
}

qint64 PaasProcess::pid() const
{
    return m_process ? m_process->processId() : 0;
}

qint64 PaasProcess::natsPid() const
{
    const QRegularExpression re(QStringLiteral("NATS: embedded child pid (\\d+)"));
    const QRegularExpressionMatch m = re.match(QString::fromUtf8(m_output));
    return m.hasMatch() ? m.captured(1).toLongLong() : 0;
}

HttpResult PaasProcess::get(const QString& path, const Headers& headers) const
{
    return http("GET", m_url + path, {}, m_defaultHeaders + headers);
}

HttpResult PaasProcess::post(const QString& path, const nlohmann::json& body, const Headers& headers) const
{
    return http("POST", m_url + path, QByteArray::fromStdString(body.dump()), m_defaultHeaders + headers);
}

HttpResult PaasProcess::send(const QByteArray& method, const QString& path, const QByteArray& body,
                             const Headers& headers) const
{
    return http(method, m_url + path, body, m_defaultHeaders + headers);
}

nlohmann::json PaasProcess::waitForOp(const std::string& opId, int timeoutMs) const
{
    const QDeadlineTimer deadline(timeoutMs);
    nlohmann::json op;
    while (!deadline.hasExpired()) {
        op = get(QStringLiteral("/api/ops/") + QString::fromStdString(opId)).json();
        if (!op.is_object()) {  // no answer (or not JSON): the app may have died, say so instead of throwing
            if (!m_process || m_process->state() != QProcess::Running)
                return nullptr;
            QThread::msleep(100);
            continue;
        }
        const std::string status = op.value("status", "");
        if (status == "completed" || status == "failed" || status == "cancelled")
            return op;
        QThread::msleep(100);
    }
    return op;
}

}  // namespace paas::test
