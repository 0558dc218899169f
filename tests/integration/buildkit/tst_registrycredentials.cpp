// Unit tests of RegistryCredentials (engine/build/registrycredentials.h):
// the Docker config forms `docker login` writes, and what is never read.
#include "engine/build/registrycredentials.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace paas;

class TestRegistryCredentials : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    std::string write(const QByteArray& text)
    {
        const QString path = m_dir.filePath("config.json");
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write %s", qPrintable(path));
        f.write(text);
        return path.toStdString();
    }

private slots:
    void loginsByHost()
    {
        const QByteArray auth = QByteArray("alice:pa:ss").toBase64();
        const std::string path =
            write("{\"auths\": {\"127.0.0.1:5000\": {\"auth\": \"" + auth +
                  "\"},"
                  " \"https://index.docker.io/v1/\": {\"auth\": \"" +
                  QByteArray("bob:hub").toBase64() +
                  "\"},"
                  " \"https://Registry.Example.com/v2/\": {\"username\": \"carol\", \"password\": \"x\"},"
                  " \"broken.example\": {\"auth\": \"bm9jb2xvbg==\"}}}");
        Result<RegistryCredentials> creds = RegistryCredentials::load(path);
        QVERIFY(creds.isOk());
        QCOMPARE(creds->lookup("127.0.0.1:5000")->username, std::string("alice"));
        QCOMPARE(creds->lookup("127.0.0.1:5000")->password, std::string("pa:ss"));  // split at the first ':'
        QCOMPARE(creds->lookup("registry-1.docker.io")->username, std::string("bob"));
        QCOMPARE(creds->lookup("docker.io")->password, std::string("hub"));
        QCOMPARE(creds->lookup("registry.example.com")->username, std::string("carol"));
        QVERIFY(!creds->lookup("127.0.0.1:5001"));
        QVERIFY(!creds->lookup("broken.example"));  // "nocolon": no login rather than a wrong one
        QVERIFY(creds->helperNote().empty());
    }

    void missingFileIsNoLoginsAndBadFileIsAnError()
    {
        Result<RegistryCredentials> none = RegistryCredentials::load(m_dir.filePath("absent.json").toStdString());
        QVERIFY(none.isOk());
        QVERIFY(!none->lookup("127.0.0.1:5000"));
        Result<RegistryCredentials> bad = RegistryCredentials::load(write("[1, 2"));
        QVERIFY(!bad.isOk());
        QCOMPARE(bad.status().reason(), std::string("invalid_docker_config"));
        QVERIFY(bad.status().message().find("config.json") != std::string::npos);
    }

    void credentialHelpersAreNamedNotRun()
    {
        Result<RegistryCredentials> creds = RegistryCredentials::load(write("{\"credsStore\": \"desktop\"}"));
        QVERIFY(creds.isOk());
        QVERIFY(creds->helperNote().find("credsStore") != std::string::npos);
    }

    void hostsNormalize()
    {
        QCOMPARE(RegistryCredentials::normalizeHost("127.0.0.1:5000/team/app:tag"), std::string("127.0.0.1:5000"));
        QCOMPARE(RegistryCredentials::normalizeHost("http://LOCALHOST:5000/v2/"), std::string("localhost:5000"));
        QCOMPARE(RegistryCredentials::normalizeHost("https://index.docker.io/v1/"), std::string("index.docker.io"));
    }
};

QTEST_GUILESS_MAIN(TestRegistryCredentials)
#include "tst_registrycredentials.moc"
