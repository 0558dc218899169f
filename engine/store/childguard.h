#pragma once
// childguard: keeps a supervised child process (nats-server) from outliving
// the app, and from ever sharing its store with a leftover of a dead app.
//
// Contract:
//  - dieWithParent() is a QProcess child-process modifier (it runs in the
//    child between fork and exec, async-signal-safe): on Linux the child
//    gets SIGTERM when the app dies (PR_SET_PDEATHSIG), and a child whose
//    parent already died before that line exits at once.
//  - ParentWatch is the portable guard (it also works on macOS): a POSIX sh
//    watcher holding the read end of a pipe from the app; when the app dies,
//    however it dies, the pipe closes and the watcher sends SIGTERM to the
//    child. disarm() ends the watcher without touching the child (used by an
//    orderly stop, before the child is stopped).
//  - The pid file records the running child for its store. stopLeftover()
//    reads it at startup and, if that pid is still a live process whose
//    command line names the binary and this store, stops it (SIGTERM, then
//    SIGKILL after the timeout) before a new child may start. A pid that
//    is gone, reused by another program, or a zombie is left alone.
// Thread affinity: call from the thread that owns the child QProcess.
#include "engine/core/status.h"

#include <QString>

#include <functional>

class QProcess;

namespace paas::childguard {

// For QProcess::setChildProcessModifier.
std::function<void()> dieWithParent();

class ParentWatch {
public:
    ParentWatch() = default;
    ~ParentWatch();
    ParentWatch(const ParentWatch&) = delete;
    ParentWatch& operator=(const ParentWatch&) = delete;

    // Starts a watcher for `childPid`; false (with a warning) if it cannot.
    bool arm(qint64 childPid);
    void disarm();
    qint64 watcherPid() const;
    // Closes the app's end of the pipe, exactly what the app's death does:
    // the watcher then stops the child (for tests of the portable path).
    void closePipe();

private:
    QProcess* m_watcher = nullptr;
};

// The live process's command line (NUL-separated args joined by spaces), or
// empty when the pid is gone, a zombie, or not readable.
QString commandLineOf(qint64 pid);

Status writePidFile(const QString& path, qint64 pid);
void removePidFile(const QString& path);
// Stops a leftover child recorded in `pidFile` whose command line contains
// both `binaryName` and `storeDir`. Ok when nothing is left running.
Status stopLeftover(const QString& pidFile, const QString& binaryName, const QString& storeDir, int timeoutMs = 5000);

}  // namespace paas::childguard
