#include "engine/store/childguard.h"

#include "engine/core/atomicfile.h"

#include <QDebug>
#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QThread>

#include <csignal>
#include <sys/types.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

namespace paas::childguard {

std::function<void()> dieWithParent()
{
    const pid_t parent = ::getpid();
    return [parent] {
#ifdef __linux__
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
        if (::getppid() != parent)  // the app died before the line above
            ::_exit(1);
    };
}

ParentWatch::~ParentWatch()
{
    disarm();
}

bool ParentWatch::arm(qint64 childPid)
{
    disarm();
    m_watcher = new QProcess;
    m_watcher->setStandardOutputFile(QProcess::nullDevice());
    m_watcher->setStandardErrorFile(QProcess::nullDevice());
    // `read` returns at EOF: the app (the only writer of this pipe) is gone.
    m_watcher->start(QStringLiteral("/bin/sh"),
                     {QStringLiteral("-c"), QStringLiteral("read _; kill -TERM \"$1\" 2>/dev/null"),
                      QStringLiteral("paas-watch"), QString::number(childPid)});
    if (!m_watcher->waitForStarted(3000)) {
        qWarning().noquote() << "NATS: cannot start the parent watch:" << m_watcher->errorString();
        delete m_watcher;
        m_watcher = nullptr;
        return false;
    }
    return true;
}

void ParentWatch::disarm()
{
    if (!m_watcher)
        return;
    m_watcher->kill();  // SIGKILL: the child is left alone
    m_watcher->waitForFinished(2000);
    delete m_watcher;
    m_watcher = nullptr;
}

void ParentWatch::closePipe()
{
    if (m_watcher)
        m_watcher->closeWriteChannel();
}

qint64 ParentWatch::watcherPid() const
{
    return m_watcher ? m_watcher->processId() : 0;
}

QString commandLineOf(qint64 pid)
{
    if (pid <= 0)
        return {};
#ifdef __linux__
    QFile file(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray raw = file.readAll();  // empty for a zombie
    raw.replace('\0', ' ');
    return QString::fromLocal8Bit(raw).trimmed();
#else
    QProcess ps;
    ps.start(QStringLiteral("ps"),
             {QStringLiteral("-o"), QStringLiteral("stat=,command="), QStringLiteral("-p"), QString::number(pid)});
    if (!ps.waitForFinished(3000))
        return {};
    const QString out = QString::fromLocal8Bit(ps.readAllStandardOutput()).trimmed();
    if (out.isEmpty() || out.startsWith(QLatin1Char('Z')))
        return {};
    return out.section(QLatin1Char(' '), 1).trimmed();
#endif
}

Status writePidFile(const QString& path, qint64 pid)
{
    return writeFileAtomic(path, QByteArray::number(pid) + '\n');
}

void removePidFile(const QString& path)
{
    QFile::remove(path);
}

namespace {
bool isOurs(qint64 pid, const QString& binaryName, const QString& storeDir)
{
    const QString cmd = commandLineOf(pid);
    const QString padded = QLatin1Char(' ') + cmd + QLatin1Char(' ');
    return !cmd.isEmpty() && cmd.contains(binaryName) &&
           padded.contains(QLatin1Char(' ') + storeDir + QLatin1Char(' '));
}

bool waitGone(qint64 pid, const QString& binaryName, const QString& storeDir, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (isOurs(pid, binaryName, storeDir)) {
        if (deadline.hasExpired())
            return false;
        QThread::msleep(20);
    }
    return true;
}
}  // namespace

Status stopLeftover(const QString& pidFile, const QString& binaryName, const QString& storeDir, int timeoutMs)
{
    QFile file(pidFile);
    if (!file.open(QIODevice::ReadOnly))
        return Status::ok();  // no record: nothing was left running
    bool ok = false;
    const qint64 pid = file.readAll().trimmed().toLongLong(&ok);
    file.close();
    if (!ok || pid <= 1 || pid == ::getpid() || !isOurs(pid, binaryName, storeDir)) {
        removePidFile(pidFile);
        return Status::ok();
    }
    qWarning().noquote() << "NATS: a leftover nats-server (pid" << pid << ") still has this store open; stopping it";
    ::kill(static_cast<pid_t>(pid), SIGTERM);
    if (!waitGone(pid, binaryName, storeDir, timeoutMs)) {
        ::kill(static_cast<pid_t>(pid), SIGKILL);
        if (!waitGone(pid, binaryName, storeDir, 2000))
            return Status::conflict("store_in_use", "a leftover nats-server (pid " + std::to_string(pid) + ") keeps " +
                                                        storeDir.toStdString() + " open and does not stop");
    }
    removePidFile(pidFile);
    return Status::ok();
}

}  // namespace paas::childguard
