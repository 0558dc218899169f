// Unit tests: BuildKit address parsing and default candidates.
#include "engine/build/buildkitaddress.h"

#include <QtTest>

using namespace paas;

class TestBuildKitAddress : public QObject {
    Q_OBJECT
private slots:
    void valid_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("target");
        QTest::newRow("unix") << "unix:///run/buildkit/buildkitd.sock" << int(BuildKitEndpoint::Unix)
                              << "/run/buildkit/buildkitd.sock";
        QTest::newRow("docker") << "docker:///var/run/docker.sock" << int(BuildKitEndpoint::Docker)
                                << "/var/run/docker.sock";
        QTest::newRow("tcp") << "tcp://127.0.0.1:1234" << int(BuildKitEndpoint::Tcp) << "127.0.0.1:1234";
        QTest::newRow("tcp-host") << "tcp://buildkit.local:65535" << int(BuildKitEndpoint::Tcp)
                                  << "buildkit.local:65535";
    }
    void valid()
    {
        QFETCH(QString, address);
        QFETCH(int, kind);
        QFETCH(QString, target);
        auto ep = parseBuildKitAddress(address.toStdString());
        QVERIFY2(ep.isOk(), ep.status().toString().c_str());
        QCOMPARE(int(ep->kind), kind);
        QCOMPARE(QString::fromStdString(ep->pathOrHostPort), target);
        QCOMPARE(QString::fromStdString(ep->text), address);
    }

    void invalid_data()
    {
        QTest::addColumn<QString>("address");
        for (const char* a :
             {"", "/var/run/docker.sock", "http://localhost:1234", "unix://", "unix://relative.sock", "docker://",
              "docker://var/run/docker.sock", "tcp://", "tcp://host", "tcp://host:", "tcp://:80", "tcp://host:0",
              "tcp://host:70000", "tcp://host:12a", "tcp://host:80/path", "npipe:////./pipe/docker_engine"})
            QTest::newRow(a) << QString(a);
    }
    void invalid()
    {
        QFETCH(QString, address);
        auto ep = parseBuildKitAddress(address.toStdString());
        QVERIFY(!ep.isOk());
        QCOMPARE(ep.status().code(), Status::Code::InvalidArgument);
        QCOMPARE(ep.status().reason(), std::string("invalid_buildkit_address"));
    }

    void defaults()
    {
        const auto c = defaultBuildKitCandidates();
        QCOMPARE(c.size(), size_t(2));
        QCOMPARE(c[0], std::string("unix:///run/buildkit/buildkitd.sock"));
        QCOMPARE(c[1], std::string("docker:///var/run/docker.sock"));
        for (const auto& a : c)
            QVERIFY(parseBuildKitAddress(a).isOk());
    }
};

QTEST_GUILESS_MAIN(TestBuildKitAddress)
#include "tst_buildkitaddress.moc"
