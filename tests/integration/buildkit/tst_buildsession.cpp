// Integration tests of the BuildKit session (buildsession.h, filesyncservice.h)
// against a real Docker engine (CTest fixture "dockerd", socket in
// PAAS_TEST_DOCKER_SOCK): a context far over the old inline bound, the
// receiver's .dockerignore applied by this side, and incremental transfers.
// PAAS_TEST_BIG_CONTEXT_MB / PAAS_TEST_BIG_CONTEXT_FILES size the large
// context (default 200 MB in 5000 files, one of them 50 MB).
#include "engine/build/buildkitclient.h"
#include "tests/integration/buildkit/dockerapi.h"

#include <QElapsedTimer>
#include <QUuid>

#include <QtTest>

#include <random>

using namespace paas;

namespace {

// Incompressible, distinct bytes (a seeded generator: fast and repeatable).
std::string noise(std::size_t size, std::uint64_t seed)
{
    std::mt19937_64 gen(seed);
    std::string out(size, '\0');
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        const std::uint64_t v = gen();
        std::memcpy(out.data() + i, &v, 8);
    }
    for (; i < size; ++i)
        out[i] = static_cast<char>(gen());
    return out;
}

std::uint64_t treeBytes(const Tree& tree)
{
    std::uint64_t n = 0;
    for (const TreeFile& f : tree)
        n += f.data.size();
    return n;
}

}  // namespace

class TestBuildSession : public QObject {
    Q_OBJECT

private:
    QString m_sock;
    std::string address() const { return "docker://" + m_sock.toStdString(); }

    Result<BuildResult> build(BuildRequest req)
    {
        auto client = BuildKitClient::connect(address(), 10000);
        if (!client)
            return client.status();
        return (*client)->build(req);
    }

private slots:
    void initTestCase()
    {
        m_sock = qEnvironmentVariable("PAAS_TEST_DOCKER_SOCK");
        QVERIFY2(!m_sock.isEmpty(), "PAAS_TEST_DOCKER_SOCK is not set (the dockerd fixture provides it)");
        QVERIFY2(test::DockerApi(m_sock).get("/_ping").has_value(), "the Docker engine does not answer /_ping");
    }

    void cleanupTestCase()
    {
        test::DockerApi docker(m_sock);
        for (const QString& tag : docker.repoTags())
            if (tag.startsWith("paas/stest"))
                docker.removeImage(tag);
        docker.pruneDanglingImages();
    }

    void largeContextBuildsThroughTheSession()
    {
        const std::size_t totalMb = qEnvironmentVariableIntValue("PAAS_TEST_BIG_CONTEXT_MB") > 0
                                        ? qEnvironmentVariableIntValue("PAAS_TEST_BIG_CONTEXT_MB")
                                        : 200;
        const std::size_t files = qEnvironmentVariableIntValue("PAAS_TEST_BIG_CONTEXT_FILES") > 0
                                      ? qEnvironmentVariableIntValue("PAAS_TEST_BIG_CONTEXT_FILES")
                                      : 5000;
        const std::size_t bigBytes = totalMb / 4 * 1024 * 1024;  // 50 MB of 200
        const std::size_t each = (totalMb * 1024 * 1024 - bigBytes) / (files - 1);
        BuildRequest req;
        req.image = "paas/stest-big:" + QUuid::createUuid().toString(QUuid::Id128).left(12).toStdString();
        req.context.push_back({"assets/big.bin", noise(bigBytes, 1), 0100644});
        for (std::size_t i = 1; i < files; ++i)
            req.context.push_back(
                {"src/d" + std::to_string(i % 50) + "/f" + std::to_string(i) + ".dat", noise(each, i + 1), 0100644});
        req.dockerfile = "FROM scratch\nCOPY assets/ /assets/\nCOPY src/ /src/\n";
        QElapsedTimer timer;
        timer.start();
        Result<BuildResult> result = build(req);
        QVERIFY2(result, result.status().toString().c_str());
        qInfo("%zu files, %llu bytes: built in %lld ms; sent %llu files, %llu bytes", req.context.size(),
              static_cast<unsigned long long>(treeBytes(req.context)), timer.elapsed(),
              static_cast<unsigned long long>(result->contextSent.filesSent),
              static_cast<unsigned long long>(result->contextSent.bytesSent));
        QCOMPARE(result->transport, std::string("session"));
        QCOMPARE(result->contextSent.filesSent, static_cast<std::uint64_t>(files));
        QCOMPARE(result->contextSent.bytesSent, treeBytes(req.context));

        // The 50 MB file is in the image's layer, byte for byte.
        QString error;
        const auto image = test::DockerApi(m_sock).imageFiles(QString::fromStdString(req.image), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(image.count("assets/big.bin"));
        QVERIFY(image.at("assets/big.bin").data == req.context.front().data);
        QCOMPARE(image.at("assets/big.bin").mode, 0644u);
        QVERIFY(image.count("src/d7/f7.dat"));
        QVERIFY(image.at("src/d7/f7.dat").data == req.context.at(7).data);
    }

    void dockerignoreIsAppliedBeforeSending()
    {
        BuildRequest req;
        req.image = "paas/stest-ignore:" + QUuid::createUuid().toString(QUuid::Id128).left(12).toStdString();
        req.context = {
            {".dockerignore", "# generated\nbig/\n*.log\n!keep.log\n**/*.tmp\n", 0100644},
            {"app.txt", "app\n", 0100644},
            {"big/a.bin", noise(1 << 20, 7), 0100644},
            {"big/b.bin", noise(1 << 20, 8), 0100644},
            {"keep.log", "kept\n", 0100644},
            {"other.log", "dropped\n", 0100644},
            {"sub/x.tmp", "dropped\n", 0100644},
            {"sub/y.txt", "kept\n", 0100644},
        };
        req.dockerfile = "FROM scratch\nCOPY . /ctx/\n";
        Result<BuildResult> result = build(req);
        QVERIFY2(result, result.status().toString().c_str());
        QString error;
        const auto image = test::DockerApi(m_sock).imageFiles(QString::fromStdString(req.image), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QStringList paths;
        for (const auto& [path, file] : image)
            paths << QString::fromStdString(path);
        QVERIFY2(image.count("ctx/app.txt") && image.count("ctx/keep.log") && image.count("ctx/sub/y.txt"),
                 qPrintable(paths.join(',')));
        QVERIFY2(!image.count("ctx/big/a.bin") && !image.count("ctx/other.log") && !image.count("ctx/sub/x.tmp"),
                 qPrintable(paths.join(',')));
        // The ignored megabytes never left the process.
        qInfo("sent %llu files, %llu bytes", static_cast<unsigned long long>(result->contextSent.filesSent),
              static_cast<unsigned long long>(result->contextSent.bytesSent));
        QVERIFY(result->contextSent.bytesSent < 1024);
    }

    void secondBuildSendsOnlyTheChangedFile()
    {
        BuildRequest req;
        const std::string tag = QUuid::createUuid().toString(QUuid::Id128).left(12).toStdString();
        req.image = "paas/stest-incr:" + tag;
        req.sharedKey = "stest-" + tag;
        for (int i = 0; i < 200; ++i)
            req.context.push_back({"f" + std::to_string(i) + ".bin", noise(64 * 1024, 100 + i), 0100644});
        req.dockerfile = "FROM scratch\nCOPY . /ctx/\n";
        Result<BuildResult> first = build(req);
        QVERIFY2(first, first.status().toString().c_str());
        QCOMPARE(first->contextSent.filesSent, std::uint64_t(200));

        req.context[42].data = noise(64 * 1024, 999);  // same size, new content
        req.image = "paas/stest-incr:" + tag + "b";
        Result<BuildResult> second = build(req);
        QVERIFY2(second, second.status().toString().c_str());
        qInfo("first: %llu files, %llu bytes; second: %llu files, %llu bytes",
              static_cast<unsigned long long>(first->contextSent.filesSent),
              static_cast<unsigned long long>(first->contextSent.bytesSent),
              static_cast<unsigned long long>(second->contextSent.filesSent),
              static_cast<unsigned long long>(second->contextSent.bytesSent));
        QCOMPARE(second->contextSent.filesSent, std::uint64_t(1));
        QCOMPARE(second->contextSent.bytesSent, std::uint64_t(64 * 1024));
        QString error;
        const auto image = test::DockerApi(m_sock).imageFiles(QString::fromStdString(req.image), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(image.at("ctx/f42.bin").data == req.context[42].data);
        QVERIFY(image.at("ctx/f41.bin").data == req.context[41].data);
    }

    void tunnelledSessionBuildsToo()
    {
        // Control.Session, the transport of unix:// and tcp:// buildkitd,
        // through the engine's /grpc endpoint: the same locals, the same bytes.
        BuildRequest req;
        req.image = "paas/stest-tunnel:" + QUuid::createUuid().toString(QUuid::Id128).left(12).toStdString();
        req.tunnelSession = true;
        req.context = {{"big.bin", noise(20 << 20, 5), 0100644}, {"dir/small.txt", "small\n", 0100755}};
        req.dockerfile = "FROM scratch\nCOPY . /t/\n";
        Result<BuildResult> result = build(req);
        QVERIFY2(result, result.status().toString().c_str());
        QCOMPARE(result->transport, std::string("control-session"));
        QCOMPARE(result->contextSent.filesSent, std::uint64_t(2));
        QString error;
        const auto image = test::DockerApi(m_sock).imageFiles(QString::fromStdString(req.image), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(image.at("t/big.bin").data == req.context[0].data);
        QCOMPARE(image.at("t/dir/small.txt").mode, 0755u);
    }
};

QTEST_GUILESS_MAIN(TestBuildSession)
#include "tst_buildsession.moc"
