#pragma once
// StepGate: holds a real pipeline step in the middle, with no test hook in
// the engine. An update's repoBootstrap step reads the project's
// registration/template-state.json (RepoBootstrapper's update rule); the
// gate replaces that file with a FIFO of the same name, so the step blocks
// in open() until the test lets it through.
//
//   close()         the file becomes a FIFO (its bytes are kept)
//   waitHeld(ms)    true once a step has opened the FIFO (it is mid-step):
//                   a non-blocking open for writing succeeds only while a
//                   reader is there, so this awaits the event, no sleeping
//   release()       the regular file is put back (later readers get it) and
//                   the blocked reader gets the same bytes, then EOF: the
//                   step goes on exactly as without the gate
// Thread affinity: the test's main thread (waitHeld runs the event loop).
#include "tests/integration/registration/regsupport.h"

#include <QFile>
#include <QString>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace paas::test::reg {

class StepGate {
public:
    explicit StepGate(QString projectDir)
        : m_path(projectDir + "/registration/template-state.json"), m_link(m_path + ".gate")
    {
        ::signal(SIGPIPE, SIG_IGN);  // release() after the reader died (kill -9) gets EPIPE instead
    }
    ~StepGate()
    {
        if (m_closed)
            release();  // never leave a FIFO that would hold the next step forever
    }
    StepGate(const StepGate&) = delete;
    StepGate& operator=(const StepGate&) = delete;

    bool close()
    {
        m_content = readFile(m_path);
        if (m_content.isEmpty())
            return false;
        const QByteArray fifo = QFile::encodeName(m_link);
        ::unlink(fifo.constData());
        if (::mkfifo(fifo.constData(), 0600) != 0)
            return false;
        // The FIFO takes the file's name; m_link stays a second name for the writer.
        m_closed = true;
        return ::link(fifo.constData(), QFile::encodeName(m_path + ".new").constData()) == 0 &&
               ::rename(QFile::encodeName(m_path + ".new").constData(), QFile::encodeName(m_path).constData()) == 0;
    }

    bool waitHeld(int timeoutMs = 60000)
    {
        const QByteArray fifo = QFile::encodeName(m_link);
        return waitFor(
            [&] {
                if (m_fd < 0)
                    m_fd = ::open(fifo.constData(), O_WRONLY | O_NONBLOCK);
                return m_fd >= 0;
            },
            timeoutMs);
    }

    bool release()
    {
        QFile regular(m_path + ".new");
        const bool restored = regular.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
                              regular.write(m_content) == m_content.size() && regular.flush() &&
                              (regular.close(), ::rename(QFile::encodeName(m_path + ".new").constData(),
                                                         QFile::encodeName(m_path).constData()) == 0);
        bool written = true;
        if (m_fd >= 0) {
            ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) & ~O_NONBLOCK);
            written = ::write(m_fd, m_content.constData(), size_t(m_content.size())) == m_content.size() ||
                      errno == EPIPE;  // no reader any more: nothing to let through
            ::close(m_fd);
            m_fd = -1;
        }
        ::unlink(QFile::encodeName(m_link).constData());
        m_closed = false;
        return restored && written;
    }

private:
    QString m_path;
    QString m_link;
    QByteArray m_content;
    int m_fd = -1;
    bool m_closed = false;
};

}  // namespace paas::test::reg
