#include "engine/store/natsserverprocess.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTimer>

namespace paas {

namespace {

quint16 pickFreePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

bool isExecutable(const QString& path)
{
    const QFileInfo info(path);
    return info.isFile() && info.isExecutable();
}

}  // namespace

Result<QString> NatsServerProcess::findBinary(const QString& explicitBinary)
{
    if (!explicitBinary.isEmpty()) {
        if (isExecutable(explicitBinary))
            return QFileInfo(explicitBinary).absoluteFilePath();
        return Status::invalidArgument("nats_server_missing", "PAAS_NATS_SERVER_BIN=" + explicitBinary.toStdString() +
                                                                  " is not an executable file");
    }
    const QString beside = QCoreApplication::applicationDirPath() + QStringLiteral("/nats-server");
    if (isExecutable(beside))
        return beside;
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("nats-server"));
    if (!onPath.isEmpty())
        return onPath;
    // Debian's nats-server package installs /usr/sbin/nats-server, which is
    // not on a regular user's PATH (a desktop session, the systemd user unit).
    const QString inSbin = QStandardPaths::findExecutable(
        QStringLiteral("nats-server"), {QStringLiteral("/usr/local/sbin"), QStringLiteral("/usr/sbin")});
    if (!inSbin.isEmpty())
        return inSbin;
    return Status::unavailable(
        "nats_server_missing",
        "nats-server not found (looked at PAAS_NATS_SERVER_BIN, next to the executable, PATH, /usr/local/sbin and "
        "/usr/sbin); "
        "install it: `sudo apt-get install nats-server` (Debian/Ubuntu) or `brew install nats-server` (macOS), "
        "or set PAAS_NATS_URL to use an existing server");
}

NatsServerProcess::NatsServerProcess(Options options, QObject* parent)
    : QObject(parent), m_options(std::move(options)), m_restartTimer(new QTimer(this))
{
    m_memoryLimit = qEnvironmentVariable("GOMEMLIMIT");
    if (m_memoryLimit.isEmpty() && m_options.memoryLimitMiB > 0)
        m_memoryLimit = QString::number(m_options.memoryLimitMiB) + QStringLiteral("MiB");
    m_restartTimer->setSingleShot(true);
    connect(m_restartTimer, &QTimer::timeout, this, [this] {
        if (m_stopping)
            return;
        const Status s = launch(10000);
        if (s.isOk()) {
            ++m_restarts;
            m_backoffMs = 250;
            qInfo().noquote() << "NATS: child restarted, pid" << pid();
            Q_EMIT restarted();
        } else {
            qWarning().noquote() << "NATS: restart failed:" << QString::fromStdString(s.message());
            scheduleRestart();
        }
    });
}

NatsServerProcess::~NatsServerProcess()
{
    stop();
}

Status NatsServerProcess::start(int readyTimeoutMs)
{
    if (m_options.port == 0)
        m_options.port = pickFreePort();
    if (m_options.port == 0)
        return Status::unavailable("nats_port", "no free loopback port for nats-server");
    if (!QDir().mkpath(m_options.storeDir))
        return Status::invalidArgument("nats_store_dir",
                                       "cannot create PAAS_NATS_STORE_DIR " + m_options.storeDir.toStdString());
    if (Status s = childguard::stopLeftover(pidFile(), QFileInfo(m_options.binary).fileName(), m_options.storeDir); !s)
        return s;
    m_stopping = false;
    return launch(readyTimeoutMs);
}

Status NatsServerProcess::launch(int readyTimeoutMs)
{
    m_running = false;
    m_pid = 0;
    delete m_process;
    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setChildProcessModifier(childguard::dieWithParent());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!m_memoryLimit.isEmpty())
        env.insert(QStringLiteral("GOMEMLIMIT"), m_memoryLimit);
    m_process->setProcessEnvironment(env);
    m_lastOutput.clear();
    const QStringList args{
        QStringLiteral("-js"),           QStringLiteral("-a"),  QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
        QString::number(m_options.port), QStringLiteral("-sd"), m_options.storeDir};
    m_process->start(m_options.binary, args);
    if (!m_process->waitForStarted(5000))
        return Status::unavailable("nats_start", "cannot start " + m_options.binary.toStdString() + ": " +
                                                     m_process->errorString().toStdString());
    const QDeadlineTimer deadline(readyTimeoutMs);
    while (!m_lastOutput.contains("Server is ready")) {
        if (m_process->state() != QProcess::Running || deadline.hasExpired()) {
            m_process->kill();
            m_process->waitForFinished(2000);
            m_lastOutput += m_process->readAll();
            return Status::unavailable(
                "nats_start", "nats-server did not become ready: " + m_lastOutput.right(400).trimmed().toStdString());
        }
        m_process->waitForReadyRead(50);
        m_lastOutput += m_process->readAll();
    }
    m_lastOutput.clear();
    m_watch.arm(m_process->processId());
    if (Status s = childguard::writePidFile(pidFile(), m_process->processId()); !s)
        qWarning().noquote() << "NATS: cannot record the child's pid:" << QString::fromStdString(s.message());
    // Keep draining output so the pipe never fills; keep only a tail.
    connect(m_process, &QProcess::readyRead, this,
            [this] { m_lastOutput = (m_lastOutput + m_process->readAll()).right(4096); });
    connect(m_process, &QProcess::finished, this, [this](int code) { onFinished(code); });
    m_pid = m_process->processId();
    m_running = true;
    return Status::ok();
}

void NatsServerProcess::onFinished(int exitCode)
{
    m_running = false;
    m_pid = 0;
    if (m_stopping)
        return;
    qWarning().noquote() << "NATS: child exited unexpectedly (code" << exitCode << "); restarting in" << m_backoffMs
                         << "ms";
    Q_EMIT exitedUnexpectedly(exitCode);
    scheduleRestart();
}

void NatsServerProcess::scheduleRestart()
{
    m_restartTimer->start(m_backoffMs);
    m_backoffMs = std::min(m_backoffMs * 2, 5000);
}

void NatsServerProcess::stop(int timeoutMs)
{
    m_stopping = true;
    m_restartTimer->stop();
    m_watch.disarm();
    m_running = false;
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return;
    m_process->disconnect(this);
    m_process->terminate();
    if (!m_process->waitForFinished(timeoutMs)) {
        m_process->kill();
        m_process->waitForFinished(2000);
    }
    m_pid = 0;
    childguard::removePidFile(pidFile());
}

QString NatsServerProcess::pidFile() const
{
    return m_options.storeDir + QStringLiteral("/nats-server.pid");
}

QString NatsServerProcess::url() const
{
    return QStringLiteral("nats://127.0.0.1:%1").arg(m_options.port);
}

}  // namespace paas
