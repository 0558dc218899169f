// Integration tests of ContainerEngine (engine/run/containerengine.h) against
// a real Docker engine (CTest fixture "dockerd", socket in
// PAAS_TEST_DOCKER_SOCK). That engine runs without a bridge, so the test
// container uses the host network. Its image is imported through the API
// (POST /images/create?fromSrc=-) from a rootfs holding the host's static
// /bin/busybox and www/healthz; it echoes "started" and runs busybox httpd on
// 127.0.0.1:$PORT, logging every request on stderr (-vv). Everything created
// carries a random suffix and is removed in cleanupTestCase().
#include "engine/run/containerengine.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>

#include <QtTest>

#include <nlohmann/json.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

using namespace paas;

namespace {

bool run(const QString& program, const QStringList& args, QByteArray* out = nullptr, int timeoutMs = 120000)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs))
        return false;
    if (out)
        *out = p.readAllStandardOutput();
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

// curl against the engine's API, independent of the class under test.
bool docker(const QString& socket, const QStringList& args, QByteArray* out = nullptr)
{
    return run("curl", QStringList{"-s", "--max-time", "120", "--unix-socket", socket} + args, out);
}

QString enc(const QString& value)
{
    return QString::fromUtf8(QUrl::toPercentEncoding(value));
}

// GET http://127.0.0.1:port/path (no proxy); the body, or nullopt unless 2xx.
std::optional<QByteArray> httpGet(int port, const QString& path)
{
    QByteArray out;
    if (!run("curl", {"-sf", "--noproxy", "*", "--max-time", "2", QString("http://127.0.0.1:%1%2").arg(port).arg(path)},
             &out, 5000))
        return std::nullopt;
    return out;
}

int freeLoopbackPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    const int port = server.serverPort();
    server.close();
    return port;
}

bool anyContains(const std::vector<std::string>& lines, const std::string& needle)
{
    for (const std::string& line : lines)
        if (line.find(needle) != std::string::npos)
            return true;
    return false;
}

// A followLogs() on its own thread. Shared with the thread, so a follow that
// never returns fails the test instead of crashing it.
struct Follow {
    std::mutex mutex;
    std::vector<std::string> lines;
    Status status;
    std::atomic<bool> cancel{false};
    std::atomic<bool> done{false};

    bool sawLine(const std::string& needle)
    {
        std::lock_guard lock(mutex);
        return anyContains(lines, needle);
    }
    bool waitDone(int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (!done && timer.elapsed() < timeoutMs)
            QThread::msleep(10);
        return done;
    }
};

std::shared_ptr<Follow> startFollow(const ContainerEngine& engine, const std::string& id, int tail)
{
    auto follow = std::make_shared<Follow>();
    std::thread([follow, engine, id, tail] {
        const Status s = engine.followLogs(
            id, tail,
            [follow](const std::string& line) {
                std::lock_guard lock(follow->mutex);
                follow->lines.push_back(line);
            },
            [follow] { return follow->cancel.load(); });
        {
            std::lock_guard lock(follow->mutex);
            follow->status = s;
        }
        follow->done = true;
    }).detach();
    return follow;
}

}  // namespace

class TestContainerEngine : public QObject {
    Q_OBJECT

private:
    QString m_sock;
    QString m_suffix;
    QString m_repo;
    std::string m_image;
    std::string m_name, m_renamed, m_other;
    std::string m_id;
    int m_port = 0;
    std::map<std::string, std::string> m_labels;
    std::unique_ptr<ContainerEngine> m_engine;

    ContainerSpec spec(const std::string& name) const
    {
        ContainerSpec s;
        s.name = name;
        s.image = m_image;
        s.env = {"PORT=" + std::to_string(m_port)};
        s.labels = m_labels;
        s.network = "host";
        return s;
    }

    QString buildRootfsTar(const QTemporaryDir& tmp)
    {
        const QString root = tmp.filePath("rootfs");
        QDir().mkpath(root + "/bin");
        QDir().mkpath(root + "/www");
        if (!QFile::copy("/bin/busybox", root + "/bin/busybox"))
            return {};
        QFile::setPermissions(root + "/bin/busybox", QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                                         QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther |
                                                         QFile::ExeOther);
        QFile healthz(root + "/www/healthz");
        if (!healthz.open(QIODevice::WriteOnly) || healthz.write("ok\n") != 3)
            return {};
        healthz.close();
        const QString tar = tmp.filePath("rootfs.tar");
        if (!run("tar", {"--numeric-owner", "--owner=0", "--group=0", "-C", root, "-cf", tar, "."}))
            return {};
        return tar;
    }

    void importImage(const QString& tar)
    {
        const QString cmd = R"(CMD ["/bin/busybox","sh","-c",)"
                            R"("echo started; exec /bin/busybox httpd -f -vv -p 127.0.0.1:$PORT -h /www"])";
        const QString url =
            "http://docker/v1.41/images/create?fromSrc=-&repo=" + enc(m_repo) + "&tag=v1&changes=" + enc(cmd);
        QByteArray out;
        QVERIFY2(docker(m_sock,
                        {"-X", "POST", "-H", "Content-Type: application/x-tar", "--data-binary", "@" + tar, url}, &out),
                 "POST /images/create did not answer");
        QVERIFY2(!out.contains("\"error"), out.constData());
        QVERIFY2(docker(m_sock, {"-f", "http://docker/v1.41/images/" + enc(QString::fromStdString(m_image)) + "/json"}),
                 ("the imported image is missing: " + out).constData());
    }

private slots:
    void initTestCase()
    {
        m_sock = qEnvironmentVariable("PAAS_TEST_DOCKER_SOCK");
        QVERIFY2(!m_sock.isEmpty(), "PAAS_TEST_DOCKER_SOCK is not set (the dockerd fixture provides it)");
        QVERIFY2(docker(m_sock, {"-f", "http://docker/_ping"}), "the Docker engine does not answer /_ping");
        QVERIFY2(QFile::exists("/bin/busybox"),
                 "/bin/busybox is missing: install Debian's busybox-static (the test image is built from it)");
        m_suffix = QString::number(QRandomGenerator::global()->generate64(), 36);
        m_repo = "paas-ce-test-" + m_suffix;
        m_image = m_repo.toStdString() + ":v1";
        m_name = "paas-ce-" + m_suffix.toStdString();
        m_renamed = m_name + "-renamed";
        m_other = m_name + "-other";
        m_labels = {{"paas.test.run", m_suffix.toStdString()}, {"paas.test.role", "web"}};
        m_port = freeLoopbackPort();
        QVERIFY2(m_port > 0, "could not pick a free loopback port");
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString tar = buildRootfsTar(tmp);
        QVERIFY2(!tar.isEmpty(), "could not build the rootfs tar from /bin/busybox");
        importImage(tar);
        m_engine = std::make_unique<ContainerEngine>(m_sock.toStdString(), 30000);
    }

    void cleanupTestCase()
    {
        QByteArray out;
        const QString filter = enc(QString(R"({"label":["paas.test.run=%1"]})").arg(m_suffix));
        if (docker(m_sock, {"-f", "http://docker/v1.41/containers/json?all=1&filters=" + filter}, &out)) {
            const auto list = nlohmann::json::parse(out.toStdString(), nullptr, false);
            if (list.is_array())
                for (const auto& c : list)
                    docker(m_sock, {"-X", "DELETE",
                                    "http://docker/v1.41/containers/" + QString::fromStdString(c.value("Id", "")) +
                                        "?force=1"});
        }
        for (const std::string& name : {m_name, m_renamed, m_other})
            docker(m_sock, {"-X", "DELETE",
                            "http://docker/v1.41/containers/" + enc(QString::fromStdString(name)) + "?force=1"});
        docker(m_sock,
               {"-X", "DELETE", "http://docker/v1.41/images/" + enc(QString::fromStdString(m_image)) + "?force=1"});
    }

    void pingAnswers()
    {
        const Status s = m_engine->ping();
        QVERIFY2(s.isOk(), s.toString().c_str());
        QCOMPARE(m_engine->socket(), m_sock.toStdString());
    }

    void imagesSayWhetherTheyHaveACommand()
    {
        const Result<bool> has = m_engine->imageHasCommand(m_image);  // imported with a CMD
        QVERIFY2(has.isOk(), has.status().toString().c_str());
        QVERIFY(*has);
        const Result<bool> missing = m_engine->imageHasCommand("paas-test/no-such-image:none");
        QVERIFY(!missing.isOk());
        QCOMPARE(missing.status().reason(), std::string("image_not_found"));
    }

    void networksAreLookedUp()
    {
        const Result<bool> host = m_engine->hasNetwork("host");  // every engine has it
        QVERIFY2(host.isOk(), host.status().toString().c_str());
        QVERIFY(*host);
        const Result<bool> missing = m_engine->hasNetwork("paas-no-such-network");
        QVERIFY2(missing.isOk(), missing.status().toString().c_str());
        QVERIFY(!*missing);
    }

    void createAndStartRuns()
    {
        Result<std::string> id = m_engine->create(spec(m_name));
        QVERIFY2(id.isOk(), id.status().toString().c_str());
        m_id = *id;
        QVERIFY(!m_id.empty());
        Status s = m_engine->start(m_name);
        QVERIFY2(s.isOk(), s.toString().c_str());
        s = m_engine->start(m_id);  // already running: 304, still ok
        QVERIFY2(s.isOk(), s.toString().c_str());
        Result<ContainerInfo> info = m_engine->inspect(m_name);
        QVERIFY2(info.isOk(), info.status().toString().c_str());
        QCOMPARE(info->id, m_id);
        QCOMPARE(info->name, m_name);
        QCOMPARE(info->image, m_image);
        QCOMPARE(info->labels, m_labels);
        QCOMPARE(info->state, std::string("running"));
        QVERIFY(info->running);
        QVERIFY(!info->startedAt.empty());
    }

    void containerServesHealthz()
    {
        QElapsedTimer timer;
        timer.start();
        std::optional<QByteArray> body;
        while (!(body = httpGet(m_port, "/healthz")) && timer.elapsed() < 20000)
            QThread::msleep(200);
        QVERIFY2(body.has_value(), qPrintable(QString("nothing answered on 127.0.0.1:%1/healthz").arg(m_port)));
        QCOMPARE(*body, QByteArray("ok\n"));
    }

    void listFindsItByLabel()
    {
        Result<std::vector<ContainerInfo>> found = m_engine->list({{"paas.test.run", m_suffix.toStdString()}});
        QVERIFY2(found.isOk(), found.status().toString().c_str());
        QCOMPARE(found->size(), std::size_t(1));
        QCOMPARE(found->front().id, m_id);
        QCOMPARE(found->front().name, m_name);
        QCOMPARE(found->front().labels, m_labels);
        QVERIFY(found->front().running);
        found = m_engine->list(
            {{"paas.test.run", m_suffix.toStdString()}, {"paas.test.role", "nobody-" + m_suffix.toStdString()}});
        QVERIFY2(found.isOk(), found.status().toString().c_str());
        QVERIFY(found->empty());
    }

    void logsTailHasStarted()
    {
        QElapsedTimer timer;
        timer.start();
        Result<std::vector<std::string>> lines = m_engine->logs(m_id, 100);
        while (lines.isOk() && !anyContains(*lines, "started") && timer.elapsed() < 10000) {
            QThread::msleep(200);
            lines = m_engine->logs(m_id, 100);
        }
        QVERIFY2(lines.isOk(), lines.status().toString().c_str());
        QVERIFY2(anyContains(*lines, "started"), "the logs never showed \"started\"");
        for (const std::string& line : *lines)
            QVERIFY2(line.find('\n') == std::string::npos && line.find('\r') == std::string::npos, line.c_str());
        QCOMPARE(lines->front(), std::string("started"));  // demultiplexed: no frame header bytes
        lines = m_engine->logs(m_id, 1);
        QVERIFY2(lines.isOk(), lines.status().toString().c_str());
        QCOMPARE(lines->size(), std::size_t(1));
        lines = m_engine->logs("paas-ce-nobody-" + m_suffix.toStdString(), 10);
        QCOMPARE(lines.status().code(), Status::Code::NotFound);
        QCOMPARE(lines.status().reason(), std::string("container_not_found"));
    }

    void followLogsSeesNewLinesAndCancels()
    {
        auto follow = startFollow(*m_engine, m_id, 0);
        const std::string marker = "/follow-" + m_suffix.toStdString();
        QElapsedTimer timer;
        timer.start();
        // Requests until one made after the follow began shows up (httpd -vv logs its url).
        for (int n = 0; !follow->sawLine("url:" + marker) && !follow->done && timer.elapsed() < 15000; ++n) {
            httpGet(m_port, QString::fromStdString(marker) + "-" + QString::number(n));
            QThread::msleep(300);
        }
        QVERIFY2(!follow->done, "followLogs returned while the container runs");
        QVERIFY2(follow->sawLine("url:" + marker), "followLogs never delivered the request's log line");
        {
            std::lock_guard lock(follow->mutex);
            QVERIFY2(!anyContains(follow->lines, "started"), "tail=0 replayed old lines");
        }
        timer.restart();
        follow->cancel = true;
        QVERIFY2(follow->waitDone(5000), "followLogs did not return after cancelled() turned true");
        QVERIFY2(timer.elapsed() < 1000, qPrintable(QString("cancel took %1 ms").arg(timer.elapsed())));
        std::lock_guard lock(follow->mutex);
        QVERIFY2(follow->status.isOk(), follow->status.toString().c_str());
    }

    void renameRenames()
    {
        Status s = m_engine->rename(m_name, m_renamed);
        QVERIFY2(s.isOk(), s.toString().c_str());
        Result<ContainerInfo> info = m_engine->inspect(m_renamed);
        QVERIFY2(info.isOk(), info.status().toString().c_str());
        QCOMPARE(info->id, m_id);
        QCOMPARE(info->name, m_renamed);
        QCOMPARE(m_engine->inspect(m_name).status().code(), Status::Code::NotFound);
        s = m_engine->rename("paas-ce-nobody-" + m_suffix.toStdString(), m_name);
        QCOMPARE(s.code(), Status::Code::NotFound);
    }

    void createTwiceConflicts()
    {
        Result<std::string> first = m_engine->create(spec(m_other));
        QVERIFY2(first.isOk(), first.status().toString().c_str());
        Result<std::string> second = m_engine->create(spec(m_other));
        QCOMPARE(second.status().code(), Status::Code::Conflict);
        QCOMPARE(second.status().reason(), std::string("container_exists"));
        const Status s = m_engine->rename(m_id, m_other);
        QCOMPARE(s.code(), Status::Code::Conflict);
        QCOMPARE(s.reason(), std::string("container_exists"));
        QVERIFY(m_engine->remove(*first).isOk());
    }

    void createWithMissingImageFails()
    {
        ContainerSpec s = spec(m_other);
        s.image = "paas-ce-missing-" + m_suffix.toStdString() + ":none";
        Result<std::string> id = m_engine->create(s);
        QCOMPARE(id.status().code(), Status::Code::NotFound);
        QCOMPARE(id.status().reason(), std::string("image_not_found"));
        QCOMPARE(m_engine->inspect(m_other).status().code(), Status::Code::NotFound);
    }

    void stopStopsAndEndsFollow()
    {
        auto follow = startFollow(*m_engine, m_id, 0);
        QThread::msleep(500);
        QVERIFY2(!follow->done, "followLogs returned while the container runs");
        Status s = m_engine->stop(m_id, 2);
        QVERIFY2(s.isOk(), s.toString().c_str());
        Result<ContainerInfo> info = m_engine->inspect(m_id);
        QVERIFY2(info.isOk(), info.status().toString().c_str());
        QVERIFY(!info->running);
        QCOMPARE(info->state, std::string("exited"));
        QVERIFY2(follow->waitDone(10000), "followLogs did not return when the container stopped");
        {
            std::lock_guard lock(follow->mutex);
            QVERIFY2(follow->status.isOk(), follow->status.toString().c_str());
        }
        s = m_engine->stop(m_id, 2);  // not running: 304, still ok
        QVERIFY2(s.isOk(), s.toString().c_str());
        QVERIFY2(!httpGet(m_port, "/healthz"), "httpd still answers after stop");
    }

    void removeRemoves()
    {
        Status s = m_engine->remove(m_id);
        QVERIFY2(s.isOk(), s.toString().c_str());
        Result<ContainerInfo> info = m_engine->inspect(m_id);
        QCOMPARE(info.status().code(), Status::Code::NotFound);
        QCOMPARE(info.status().reason(), std::string("container_not_found"));
        s = m_engine->remove(m_id);  // already gone
        QVERIFY2(s.isOk(), s.toString().c_str());
        Result<std::vector<ContainerInfo>> found = m_engine->list({{"paas.test.run", m_suffix.toStdString()}});
        QVERIFY2(found.isOk(), found.status().toString().c_str());
        QVERIFY(found->empty());
    }

    void unreachableSocketIsUnavailable()
    {
        const ContainerEngine gone("/nonexistent-" + m_suffix.toStdString() + "/docker.sock", 3000);
        const Status s = gone.ping();
        QCOMPARE(s.code(), Status::Code::Unavailable);
        QCOMPARE(s.reason(), std::string("docker_unavailable"));
        QCOMPARE(gone.create(spec(m_other)).status().code(), Status::Code::Unavailable);
        QCOMPARE(gone.inspect(m_id).status().code(), Status::Code::Unavailable);
        QCOMPARE(gone.logs(m_id, 10).status().code(), Status::Code::Unavailable);
    }
};

QTEST_GUILESS_MAIN(TestContainerEngine)
#include "tst_containerengine.moc"
