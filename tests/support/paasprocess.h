#pragma once
// Test support: runs the real `paas` binary as a user would, and talks HTTP
// to it. PaasProcess reads the port from the "API listening on" line (a
// worker, --role worker, has no API: url() stays empty).
// Thread affinity: the test's main thread (uses a local event loop).
#include <nlohmann/json.hpp>

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace paas::test {

struct HttpResult {
    int status = 0;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    nlohmann::json json() const;  // null when the body is not JSON
    QByteArray header(const QByteArray& name) const;
};

using Headers = QList<QPair<QByteArray, QByteArray>>;

// One HTTP request with QNetworkAccessManager, synchronous, bounded.
HttpResult http(const QByteArray& method, const QString& url, const QByteArray& body = {}, const Headers& headers = {},
                int timeoutMs = 30000);

class PaasProcess {
public:
    // A fresh temp root for artifacts and the NATS store unless given.
    explicit PaasProcess(const QString& root = {});
    ~PaasProcess();

    QProcessEnvironment& env() { return m_env; }
    QString root() const { return m_root; }
    QString artifactsRoot() const { return m_root + "/artifacts"; }

    // Sent with every request of get/post/send (e.g. an Authorization header).
    void setDefaultHeaders(const Headers& headers) { m_defaultHeaders = headers; }
    // Window mode (no --headless): for tests that run under a display.
    void setWindowed(bool windowed);
    bool start(const QStringList& extraArgs = {}, int timeoutMs = 60000);
    bool stop(int timeoutMs = 10000);  // SIGTERM, true if it exited 0 in time
    // SIGKILL (crash simulation). The nats-server child must die with the
    // app; kill() waits for that and, if it does not, kills it itself and
    // returns false (so no test leaks a server).
    bool kill();

    QString url() const { return m_url; }
    qint64 pid() const;
    qint64 natsPid() const;  // from the "NATS: embedded child pid N" line
    QByteArray output() const { return m_output; }
    QProcess& process() { return *m_process; }

    HttpResult get(const QString& path, const Headers& headers = {}) const;
    HttpResult post(const QString& path, const nlohmann::json& body, const Headers& headers = {}) const;
    HttpResult send(const QByteArray& method, const QString& path, const QByteArray& body,
                    const Headers& headers = {}) const;
    // Polls GET /api/ops/{id} until the op is completed, failed or cancelled.
    nlohmann::json waitForOp(const std::string& opId, int timeoutMs = 120000) const;

private:
    void printSanitizerReports() const;

    std::unique_ptr<QTemporaryDir> m_tmp;
    QString m_root;
    QProcessEnvironment m_env;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
    QString m_url;
    bool m_windowed = false;
    Headers m_defaultHeaders;
};

// Whether `pid` is a live process (not gone, not a zombie).
bool processAlive(qint64 pid);
// The pids of live processes whose command line contains every needle.
QList<qint64> processesMatching(const QStringList& needles);

// The built paas binary (PAAS_BIN from CTest).
QString paasBinary();
// Runs a command, returns exit code; output into *out if given.
int run(const QString& program, const QStringList& args, const QString& cwd = {}, QByteArray* out = nullptr,
        int timeoutMs = 60000, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment());

}  // namespace paas::test
