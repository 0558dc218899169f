#include "bench/dockerengine.h"

#include "bench/benchcontext.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QUrl>

namespace paas::bench {

namespace {

QString dockerdScript()
{
    return QStringLiteral(PAAS_BENCH_SOURCE_DIR "/tests/support/dockerd.sh");
}

// Runs a command to its end (bounded); its exit code, -1 if it did not end.
int runTool(const QString& program, const QStringList& args, QByteArray* out, QByteArray* err, int timeoutMs,
            const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForStarted(10000)) {
        if (err)
            *err = "cannot start " + program.toUtf8();
        return -1;
    }
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        if (err)
            *err = program.toUtf8() + " did not finish in " + QByteArray::number(timeoutMs / 1000) + " s";
        return -1;
    }
    if (out)
        *out = p.readAllStandardOutput();
    if (err)
        *err = p.readAllStandardError();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

}  // namespace

DockerEngine::~DockerEngine()
{
    stop();
}

bool DockerEngine::start(const QString& dir)
{
    const QString given = qEnvironmentVariable("PAAS_TEST_DOCKER_SOCK");
    if (!given.isEmpty()) {
        m_socket = given;
        if (ping())
            return true;
        m_error = "PAAS_TEST_DOCKER_SOCK=" + given + " does not answer /_ping";
        m_socket.clear();
        return false;
    }
    m_dir = dir;
    QDir().mkpath(dir);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("PAAS_TEST_DOCKER_SOCK");
    QByteArray out, err;
    const int code = runTool("bash", {dockerdScript(), "start", dir}, &out, &err, 120000, env);
    if (code != 0) {
        m_error = "no Docker engine: " +
                  QString::fromUtf8(err.trimmed().isEmpty() ? out.trimmed() : err.trimmed()).split('\n').last();
        QDir(dir).removeRecursively();
        m_dir.clear();
        return false;
    }
    m_started = QFileInfo::exists(dir + "/started-by-us");
    m_socket = QFileInfo(dir + "/docker.sock").absoluteFilePath();
    if (!ping()) {
        m_error = "the engine at " + m_socket + " does not answer /_ping";
        return false;
    }
    return true;
}

void DockerEngine::stop()
{
    if (m_dir.isEmpty())
        return;
    QByteArray out, err;
    runTool("bash", {dockerdScript(), "stop", m_dir}, &out, &err, 60000);
    if (m_started) {
        // vfs layers: a full copy per layer; the data root can hold GBs.
        const int64_t start = steadyNs();
        QDir(m_dir).removeRecursively();
        BenchContext::figure("  removing the private engine's data root took", double(steadyNs() - start) / 1e9, "s");
    }
    m_dir.clear();
    m_socket.clear();
    m_started = false;
}

EngineAnswer DockerEngine::call(const QString& method, const QString& path, const QString& bodyFile,
                                const QString& contentType, int timeoutSeconds) const
{
    QStringList args{"-sS",  "--max-time", QString::number(timeoutSeconds), "--unix-socket", m_socket, "-X",
                     method, "-w",         "\n%{http_code} %{time_total}"};
    if (!contentType.isEmpty())
        args << "-H"
             << "Content-Type: " + contentType;
    if (!bodyFile.isEmpty())
        args << "-H"
             << "Expect:"
             << "-T" << bodyFile;  // -T streams the file
    args << "http://docker" + path;
    QByteArray out, err;
    EngineAnswer answer;
    const int code = runTool("curl", args, &out, &err, (timeoutSeconds + 30) * 1000);
    const int lastLine = out.lastIndexOf('\n');
    const QList<QByteArray> tail = out.mid(lastLine + 1).split(' ');
    if (code != 0 || lastLine < 0 || tail.size() != 2) {
        answer.body = ("curl: " + err.trimmed()).toStdString();
        return answer;
    }
    answer.status = tail[0].toInt();
    answer.seconds = tail[1].toDouble();
    answer.body = out.left(lastLine).toStdString();
    return answer;
}

bool DockerEngine::ping() const
{
    const EngineAnswer a = call("GET", "/_ping", {}, {}, 5);
    return a.status == 200 && a.body == "OK";
}

bool DockerEngine::pruneBuildCache() const
{
    return call("POST", "/build/prune?all=1", {}, {}, 300).status == 200;
}

void DockerEngine::removeImage(const std::string& ref) const
{
    call("DELETE",
         "/images/" + QString::fromUtf8(QUrl::toPercentEncoding(QString::fromStdString(ref), ":/")) + "?force=1");
}

}  // namespace paas::bench
