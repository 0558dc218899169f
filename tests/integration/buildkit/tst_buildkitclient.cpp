// Integration tests of BuildKitClient against a real Docker engine (CTest
// fixture "dockerd", socket in PAAS_TEST_DOCKER_SOCK). FROM scratch only: no
// registry is reachable.
#include "engine/build/buildkitaddress.h"
#include "engine/build/buildkitclient.h"
#include "engine/build/buildkitlocator.h"
#include "tests/integration/buildkit/dockerapi.h"
#include "tests/integration/buildkit/socketproxy.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QUuid>

#include <thread>
#include <QtTest>

using namespace paas;

class TestBuildKitClient : public QObject {
    Q_OBJECT

private:
    QString m_sock;
    static std::string steptool()
    {
        QFile f(qEnvironmentVariable("PAAS_TEST_STEPTOOL"));
        if (!f.open(QIODevice::ReadOnly))
            qFatal("PAAS_TEST_STEPTOOL does not name a readable file");
        return f.readAll().toStdString();
    }
    std::string address() const { return "docker://" + m_sock.toStdString(); }
    std::unique_ptr<BuildKitClient> connectOrFail()
    {
        auto client = BuildKitClient::connect(address(), 10000);
        if (!client) {
            qWarning("connect failed: %s", client.status().toString().c_str());
            return nullptr;
        }
        return std::move(*client);
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
        // Keep the engine's data dir from growing run after run.
        test::DockerApi docker(m_sock);
        for (const QString& tag : docker.repoTags())
            if (tag.startsWith("paas/itest"))
                docker.removeImage(tag);
        docker.pruneDanglingImages();
    }

    void pingThroughDockerSocket()
    {
        auto client = connectOrFail();
        QVERIFY(client);
        const Status st = client->ping();
        QVERIFY2(st.isOk(), st.toString().c_str());
        auto workers = client->workers();
        QVERIFY(workers.isOk());
        QVERIFY(!workers->empty());
        QVERIFY(!(*workers)[0]["platforms"].empty());
    }

    void buildScratchImageWithCommittedFiles()
    {
        auto client = connectOrFail();
        QVERIFY(client);
        test::DockerApi docker(m_sock);
        const std::string image = "paas/itest:0123456789ab";
        docker.removeImage(QString::fromStdString(image));

        BuildRequest req;
        req.image = image;
        req.context = {
            {"app/hello.txt", "hello from a committed file\n", 0100644},
            {"bin/run.sh", "#!/bin/sh\necho run\n", 0100755},
            {"link.txt", "app/hello.txt", 0120000},
            {"unused.md", "not copied\n", 0100644},
        };
        req.dockerfile = "FROM scratch\nCOPY app/hello.txt /srv/hello.txt\nCOPY bin/ /srv/bin/\nCOPY link.txt /srv/\n";
        QStringList lines;
        req.onLog = [&](const std::string& line) { lines << QString::fromStdString(line); };
        int polls = 0;
        req.cancelled = [&] {
            ++polls;
            return false;
        };

        auto result = client->build(req);
        QVERIFY2(result.isOk(), result.status().toString().c_str());
        QCOMPARE(result->image, image);
        QVERIFY(QString::fromStdString(result->digest).startsWith("sha256:"));
        QVERIFY(result->vertices > 0);
        QVERIFY(polls > 0);
        qInfo("build took %.2f s, %d vertices (%d cached), exporter response %s", result->durationSeconds,
              result->vertices, result->cachedVertices, result->exporterResponse.dump().c_str());

        qInfo("%s", qPrintable(lines.join('\n')));
        // Status lines arrived through onLog while the build ran.
        QVERIFY2(lines.filter("COPY app/hello.txt").size() > 0, qPrintable(lines.join('\n')));
        QVERIFY(lines.filter(QRegularExpression("^#\\d+ (DONE|CACHED)$")).size() > 0);
        QVERIFY(lines.last().startsWith("paas: exported paas/itest:0123456789ab (sha256:"));

        // The engine really has the image, and its layers hold the files.
        QVERIFY2(docker.imageExists(QString::fromStdString(image)), qPrintable(docker.repoTags().join(',')));
        QVERIFY(docker.repoTags().contains(QString::fromStdString(image)));
        QString error;
        const auto files = docker.imageFiles(QString::fromStdString(image), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(files.count("srv/hello.txt"), qPrintable(QString::number(files.size())));
        QCOMPARE(files.at("srv/hello.txt").data, std::string("hello from a committed file\n"));
        QCOMPARE(files.at("srv/hello.txt").mode, 0644u);
        QVERIFY(files.count("srv/bin/run.sh"));
        QCOMPARE(files.at("srv/bin/run.sh").mode, 0755u);
        QCOMPARE(files.at("srv/link.txt").data, std::string("hello from a committed file\n"));
        QVERIFY(!files.count("srv/unused.md"));
    }

    void rebuildIsCachedAndSameImage()
    {
        auto client = connectOrFail();
        QVERIFY(client);
        BuildRequest req;
        req.image = "paas/itest-cache:0000000000aa";
        req.context = {{"a.txt", "same bytes\n", 0100644}};
        req.dockerfile = "FROM scratch\nCOPY a.txt /a.txt\n";
        auto first = client->build(req);
        QVERIFY2(first.isOk(), first.status().toString().c_str());
        // A throwing callback must not take the build (or the process) down.
        req.onLog = [](const std::string&) { throw std::runtime_error("log sink broke"); };
        auto second = client->build(req);
        QVERIFY2(second.isOk(), second.status().toString().c_str());
        QCOMPARE(second->digest, first->digest);
        QVERIFY(second->cachedVertices > 0);
    }

    void parallelBuildsOnSeparateClients()
    {
        // One client per thread, as the pipeline's workers use them.
        constexpr int kBuilds = 3;
        std::vector<Result<BuildResult>> results(kBuilds, Status::internal("not_run", ""));
        std::vector<std::thread> threads;
        for (int i = 0; i < kBuilds; ++i) {
            threads.emplace_back([this, i, &results] {
                auto client = BuildKitClient::connect(address(), 10000);
                if (!client) {
                    results[i] = client.status();
                    return;
                }
                BuildRequest req;
                req.image = "paas/itest-par" + std::to_string(i) + ":00000000000" + std::to_string(i);
                req.context = {{"n.txt",
                                "build " + std::to_string(i) + " " + QUuid::createUuid().toString().toStdString(),
                                0100644}};
                req.dockerfile = "FROM scratch\nCOPY n.txt /n.txt\n";
                results[i] = (*client)->build(req);
            });
        }
        for (auto& t : threads)
            t.join();
        test::DockerApi docker(m_sock);
        for (int i = 0; i < kBuilds; ++i) {
            QVERIFY2(results[i].isOk(), results[i].status().toString().c_str());
            QString error;
            const auto files = docker.imageFiles(QString::fromStdString(results[i]->image), &error);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QVERIFY(QString::fromStdString(files.at("n.txt").data).startsWith("build " + QString::number(i) + " "));
        }
    }

    void buildArgsAndLabelsReachTheImage()
    {
        auto client = connectOrFail();
        QVERIFY(client);
        BuildRequest req;
        req.image = "paas/itest-args:000000000044";
        req.context = {{"a.txt", "x\n", 0100644}};
        req.dockerfile = "FROM scratch\nARG FLAVOR=plain\nLABEL flavor=$FLAVOR\nCOPY a.txt /a.txt\n";
        req.buildArgs = {{"FLAVOR", "spicy"}};
        req.labels = {{"org.opencontainers.image.revision", "0123456789abcdef"}};
        auto result = client->build(req);
        QVERIFY2(result.isOk(), result.status().toString().c_str());
        const auto body = test::DockerApi(m_sock).get("/images/paas%2Fitest-args:000000000044/json");
        QVERIFY(body.has_value());
        const auto inspect = nlohmann::json::parse(body->toStdString());
        const auto& labels = inspect["Config"]["Labels"];
        QCOMPARE(labels.value("flavor", ""), std::string("spicy"));
        QCOMPARE(labels.value("org.opencontainers.image.revision", ""), std::string("0123456789abcdef"));
        QCOMPARE(inspect.value("Id", ""), result->digest);
    }

    void brokenDockerfileReportsBuildKitError()
    {
        auto client = connectOrFail();
        QVERIFY(client);
        BuildRequest req;
        req.image = "paas/itest-broken:0000000000bb";
        req.context = {{"a.txt", "x\n", 0100644}};
        req.dockerfile = "FROM scratch\nFROBNICATE everything\n";
        auto result = client->build(req);
        QVERIFY(!result.isOk());
        qInfo("%s", result.status().toString().c_str());
        QCOMPARE(result.status().reason(), std::string("build_failed"));
        QVERIFY2(QString::fromStdString(result.status().message()).contains("unknown instruction"),
                 result.status().message().c_str());
        QVERIFY(!test::DockerApi(m_sock).imageExists("paas/itest-broken:0000000000bb"));
    }

    void missingSourceFileFailsTheStep()
    {
        auto client = connectOrFail();
        QVERIFY(client);
        BuildRequest req;
        req.image = "paas/itest-missing:0000000000cc";
        req.context = {{"a.txt", "x\n", 0100644}};
        req.dockerfile = "FROM scratch\nCOPY does-not-exist.txt /x\n";
        QStringList lines;
        req.onLog = [&](const std::string& line) { lines << QString::fromStdString(line); };
        auto result = client->build(req);
        QVERIFY(!result.isOk());
        qInfo("%s", result.status().toString().c_str());
        QCOMPARE(result.status().reason(), std::string("build_failed"));
        QVERIFY2(QString::fromStdString(result.status().message()).contains("does-not-exist.txt"),
                 result.status().message().c_str());
        QVERIFY2(lines.filter("ERROR").size() > 0, qPrintable(lines.join('\n')));
    }

    void runStepsExecuteAndStreamLogs()
    {
        auto client = connectOrFail();
        QVERIFY(client);
        test::DockerApi docker(m_sock);
        BuildRequest req;
        req.image = "paas/itest-run:0000000000dd";
        // The nonce defeats BuildKit's cache so the RUN steps (and their logs) really run.
        req.context = {{"tool", steptool(), 0100755}, {"nonce", QUuid::createUuid().toString().toStdString(), 0100644}};
        req.dockerfile =
            "FROM scratch\nCOPY tool nonce /\nRUN [\"/tool\", \"say\"]\n"
            "RUN [\"/tool\", \"write\", \"/generated.txt\"]\n";
        req.networkMode = "none";  // the test engine runs with --bridge=none
        QStringList lines;
        req.onLog = [&](const std::string& line) { lines << QString::fromStdString(line); };
        auto result = client->build(req);
        QVERIFY2(result.isOk(), result.status().toString().c_str());
        qInfo("%s", qPrintable(lines.join('\n')));
        QVERIFY2(lines.filter(QRegularExpression("^#\\d+ steptool line one$")).size() == 1,
                 qPrintable(lines.join('\n')));
        QVERIFY(lines.filter(QRegularExpression("^#\\d+ steptool line two$")).size() == 1);
        QVERIFY(lines.filter("steptool on stderr").size() == 1);
        QString error;
        const auto files = docker.imageFiles(QString::fromStdString(req.image), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(files.count("generated.txt"));
        QCOMPARE(files.at("generated.txt").data, std::string("generated by RUN\n"));
        QCOMPARE(files.at("tool").mode, 0755u);
    }

    void failingRunStepReportsError()
    {
        auto client = connectOrFail();
        QVERIFY(client);
        BuildRequest req;
        req.image = "paas/itest-runfail:0000000000ee";
        req.context = {{"tool", steptool(), 0100755}, {"nonce", QUuid::createUuid().toString().toStdString(), 0100644}};
        req.dockerfile = "FROM scratch\nCOPY tool nonce /\nRUN [\"/tool\", \"fail\"]\n";
        req.networkMode = "none";
        QStringList lines;
        req.onLog = [&](const std::string& line) { lines << QString::fromStdString(line); };
        auto result = client->build(req);
        QVERIFY(!result.isOk());
        qInfo("%s", result.status().toString().c_str());
        QCOMPARE(result.status().reason(), std::string("build_failed"));
        QVERIFY2(QString::fromStdString(result.status().message()).contains("exit code: 3"),
                 result.status().message().c_str());
        QVERIFY2(lines.filter("steptool failing on purpose").size() == 1, qPrintable(lines.join('\n')));
        QVERIFY(!test::DockerApi(m_sock).imageExists("paas/itest-runfail:0000000000ee"));
    }

    void unknownNetworkModeIsRejected()
    {
        auto client = connectOrFail();
        QVERIFY(client);
        BuildRequest req;
        req.image = "paas/itest-net:0000000000ff";
        req.dockerfile = "FROM scratch\n";
        req.networkMode = "bridge0";
        auto result = client->build(req);
        QVERIFY(!result.isOk());
        QCOMPARE(result.status().reason(), std::string("invalid_network_mode"));
        req.networkMode.clear();
        req.image.clear();
        QCOMPARE(client->build(req).status().reason(), std::string("invalid_image_name"));
    }

    void cancelStopsARunningBuild()
    {
        auto client = connectOrFail();
        QVERIFY(client);
        BuildRequest req;
        req.image = "paas/itest-cancel:000000000011";
        req.context = {{"tool", steptool(), 0100755}, {"nonce", QUuid::createUuid().toString().toStdString(), 0100644}};
        req.dockerfile = "FROM scratch\nCOPY tool nonce /\nRUN [\"/tool\", \"sleep\", \"120\"]\n";
        req.networkMode = "none";
        bool sleeping = false;
        req.onLog = [&](const std::string& line) {
            sleeping = sleeping || line.find("steptool sleeping") != std::string::npos;
        };
        req.cancelled = [&] { return sleeping; };
        QElapsedTimer timer;
        timer.start();
        auto result = client->build(req);
        QVERIFY(!result.isOk());
        QVERIFY(sleeping);
        QCOMPARE(result.status().reason(), std::string("build_cancelled"));
        QVERIFY2(timer.elapsed() < 100000, "cancel did not interrupt the 120 s step");
        QVERIFY(!test::DockerApi(m_sock).imageExists("paas/itest-cancel:000000000011"));
    }

    void daemonGoneMidBuildIsUnavailable()
    {
        QTemporaryDir dir;
        const QString proxyPath = dir.filePath("proxy.sock");
        test::SocketProxy proxy(proxyPath.toStdString(), m_sock.toStdString());
        QVERIFY(proxy.start());
        auto connected = BuildKitClient::connect("docker://" + proxyPath.toStdString(), 10000);
        QVERIFY2(connected.isOk(), connected.status().toString().c_str());
        auto& client = *connected;
        BuildRequest req;
        req.image = "paas/itest-gone:000000000022";
        req.context = {{"tool", steptool(), 0100755}, {"nonce", QUuid::createUuid().toString().toStdString(), 0100644}};
        req.dockerfile = "FROM scratch\nCOPY tool nonce /\nRUN [\"/tool\", \"sleep\", \"120\"]\n";
        req.networkMode = "none";
        req.onLog = [&](const std::string& line) {
            if (line.find("steptool sleeping") != std::string::npos)
                proxy.cut();  // the engine vanishes while the step runs
        };
        QElapsedTimer timer;
        timer.start();
        auto result = client->build(req);
        QVERIFY(!result.isOk());
        qInfo("%s", result.status().toString().c_str());
        QCOMPARE(result.status().code(), Status::Code::Unavailable);
        QCOMPARE(result.status().reason(), std::string("buildkit_unavailable"));
        QVERIFY2(timer.elapsed() < 100000, "the client did not notice the engine was gone");
        // The broken channel stays broken; a new connect is required.
        QVERIFY(!client->ping().isOk());
    }

    void locatorPicksTheFirstReachableCandidate()
    {
        QTemporaryDir dir;
        const std::string missing = "unix://" + dir.filePath("buildkitd.sock").toStdString();
        auto found = locateBuildKit({missing, address()}, 10000);
        QVERIFY2(found.isOk(), found.status().toString().c_str());
        QCOMPARE(found->address, address());
        QCOMPARE(found->failures.size(), size_t(1));
        QVERIFY(QString::fromStdString(found->failures[0]).startsWith(QString::fromStdString(missing)));
        QVERIFY(!found->workers.empty());

        auto none = locateBuildKit({missing}, 10000);
        QVERIFY(!none.isOk());
        QCOMPARE(none.status().reason(), std::string("buildkit_unreachable"));
        QVERIFY(QString::fromStdString(none.status().message()).contains(QString::fromStdString(missing)));
        QCOMPARE(locateBuildKit({"ftp://nope"}, 1000).status().reason(), std::string("invalid_buildkit_address"));
        QCOMPARE(buildKitCandidates(""), defaultBuildKitCandidates());
        QCOMPARE(buildKitCandidates(address()), std::vector<std::string>{address()});
    }

    void unreachableAddressFailsFast()
    {
        QTemporaryDir dir;
        const std::vector<std::string> addresses = {
            "docker://" + dir.filePath("missing.sock").toStdString(),
            "unix://" + dir.filePath("missing.sock").toStdString(),
            "tcp://127.0.0.1:1",
        };
        for (const auto& addr : addresses) {
            QElapsedTimer timer;
            timer.start();
            auto client = BuildKitClient::connect(addr, 30000);
            QVERIFY2(!client.isOk(), addr.c_str());
            QCOMPARE(client.status().code(), Status::Code::Unavailable);
            QCOMPARE(client.status().reason(), std::string("buildkit_unreachable"));
            QVERIFY2(QString::fromStdString(client.status().message()).contains(QString::fromStdString(addr)),
                     client.status().message().c_str());
            // Far below the 30 s budget: nothing listens, so it must not wait it out.
            QVERIFY2(timer.elapsed() < 15000, addr.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestBuildKitClient)
#include "tst_buildkitclient.moc"
