// Pushing builds to a real registry: Debian's docker-registry (registry 2.x)
// on loopback with htpasswd auth, the Docker engine of the "dockerd" fixture,
// and the real paas binary with PAAS_IMAGE_REGISTRY. Logins come from a
// Docker config file (DOCKER_CONFIG), as `docker login` leaves them.
//   - a create op builds, pushes <registry>/<id>:<commit12>, and records the
//     digest the registry serves for that tag; the manifests use that name;
//   - a Dockerfile FROM the pushed image pulls it with the login, which
//     BuildKit asks for through the session's Auth service;
//   - a wrong password fails the op with the registry's error; no login at all
//     fails it clearly; a loopback registry without
//     PAAS_IMAGE_REGISTRY_INSECURE is refused before building.
#include "tests/integration/ci/citestutil.h"

#include <QDir>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace paas::test;
using nlohmann::json;

namespace {

const QString kUser = QStringLiteral("paas-ci");
const QString kPassword = QStringLiteral("s3cret-pw");

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

void writeDockerConfig(const QString& dir, const QString& host, const QString& user, const QString& password)
{
    json config = {{"auths", json::object()}};
    if (!user.isEmpty())
        config["auths"][host.toStdString()] = {{"auth", (user + ":" + password).toUtf8().toBase64().toStdString()}};
    QFile file(dir + "/config.json");
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(QByteArray::fromStdString(config.dump()));
}

}  // namespace

class TestRegistryPush : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_sock;
    QString m_registry;  // 127.0.0.1:<port>
    QProcess m_registryProcess;
    PaasProcess m_app;
    std::string m_id;
    std::string m_pushedRef;

    // curl against the registry: the response head and body, with the login.
    QByteArray registryGet(const QString& path, bool login = true) const
    {
        QStringList args{"-sS", "-i", "--max-time",
                         "30",  "-H", "Accept: application/vnd.docker.distribution.manifest.v2+json"};
        if (login)
            args << "-u" << kUser + ":" + kPassword;
        args << "http://" + m_registry + path;
        QByteArray out;
        run("curl", args, {}, &out, 60000);
        return out;
    }

    json commitAndWait(const QByteArray& dockerfile, const QString& message)
    {
        const QString repo = sourceRepo(m_app, m_id);
        QByteArray out;
        const std::string sha = gitCommit(repo, "Dockerfile", dockerfile, message, true, gitEnv(), &out);
        if (sha.empty())
            return json{{"error", out.toStdString()}};
        return waitForCiOp(m_app, m_id, sha, 600000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_sock = qEnvironmentVariable("PAAS_TEST_DOCKER_SOCK");
        QVERIFY2(!m_sock.isEmpty(), "PAAS_TEST_DOCKER_SOCK is not set (the dockerd fixture provides it)");
        QVERIFY2(QFile::exists("/usr/bin/docker-registry") && QFile::exists("/usr/bin/htpasswd"),
                 "docker-registry and apache2-utils are not installed (installer/deps-debian.sh --test)");
        QByteArray out;
        QCOMPARE(run("htpasswd", {"-Bbc", m_dir.filePath("htpasswd"), kUser, kPassword}, {}, &out), 0);
        m_registry = QStringLiteral("127.0.0.1:%1").arg(freePort());
        QFile config(m_dir.filePath("registry.yml"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(QStringLiteral("version: 0.1\nlog: {level: warn}\nstorage:\n  filesystem: {rootdirectory: %1}\n"
                                    "http: {addr: '%2'}\nauth:\n  htpasswd: {realm: paas-test, path: %3}\n")
                         .arg(m_dir.filePath("data"), m_registry, m_dir.filePath("htpasswd"))
                         .toUtf8());
        config.close();
        m_registryProcess.setProcessChannelMode(QProcess::MergedChannels);
        m_registryProcess.start("/usr/bin/docker-registry", {"serve", config.fileName()});
        QVERIFY(m_registryProcess.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(registryGet("/v2/", false).contains("401"), 20000);
        QVERIFY(registryGet("/v2/").startsWith("HTTP/1.1 200"));

        QDir().mkpath(m_dir.filePath("docker"));
        writeDockerConfig(m_dir.filePath("docker"), m_registry, kUser, kPassword);
        m_app.env().insert("PAAS_IMAGE_BUILDER_MODE", "buildkit");
        m_app.env().insert("PAAS_BUILDKIT_ADDR", "docker://" + m_sock);
        m_app.env().insert("PAAS_BUILD_NETWORK", "host");  // the test engine runs with --bridge=none
        m_app.env().insert("PAAS_IMAGE_REGISTRY", m_registry + "/team");
        m_app.env().insert("PAAS_IMAGE_REGISTRY_INSECURE", "true");
        m_app.env().insert("DOCKER_CONFIG", m_dir.filePath("docker"));
        QVERIFY2(m_app.start(), m_app.output().constData());
    }

    void createdProjectIsPushedAndRecorded()
    {
        std::string error;
        const json op = createProject(m_app, "reg-push", {}, &error, 600000);
        QVERIFY2(!op.is_null() && op.value("status", "") == "completed", (error + op.dump(2)).c_str());
        m_id = op.value("project_id", "");
        const json image = m_app.get("/api/projects/" + QString::fromStdString(m_id)).json()["image"];
        const std::string ref = image.value("ref", "");
        const std::string head = gitHead(sourceRepo(m_app, m_id));
        QCOMPARE(ref, (m_registry + "/team/").toStdString() + m_id + ":" + head.substr(0, 12));
        const std::string digest = image.value("registry_digest", "");
        QVERIFY2(QString::fromStdString(digest).startsWith("sha256:"), image.dump().c_str());
        m_pushedRef = ref;

        // The registry serves that digest for the tag.
        const QByteArray answer =
            registryGet(QString::fromStdString("/v2/team/" + m_id + "/manifests/" + head.substr(0, 12)));
        QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
        QVERIFY2(answer.toLower().contains(QByteArray::fromStdString("docker-content-digest: " + digest)),
                 answer.constData());
        // The manifests reference the pushed name, so a cluster can pull it.
        const QByteArray deployment =
            readFile(m_app.artifactsRoot() + "/" + QString::fromStdString(m_id) + "/repos/manifests/rendered.yaml");
        QVERIFY2(deployment.contains(QByteArray::fromStdString(ref)), deployment.constData());
        const QByteArray summary =
            readFile(m_app.artifactsRoot() + "/" + QString::fromStdString(m_id) + "/build/buildkit-summary.txt");
        QVERIFY2(summary.contains(QByteArray::fromStdString("pushed: " + ref + "@" + digest)), summary.constData());
        // The password is nowhere in what the app recorded or logged.
        QVERIFY(!m_app.output().contains(kPassword.toUtf8()));
        QVERIFY(!readFile(m_app.artifactsRoot() + "/" + QString::fromStdString(m_id) + "/build/buildkit.log")
                     .contains(kPassword.toUtf8()));
    }

    void baseImageIsPulledWithTheLogin()
    {
        QVERIFY(!m_pushedRef.empty());
        // Only the registry has it now, so BuildKit must pull with the login.
        QByteArray out;
        QCOMPARE(run("curl",
                     {"-sS", "-f", "--unix-socket", m_sock, "-X", "DELETE",
                      "http://docker/images/" + QString::fromStdString(m_pushedRef) + "?force=1"},
                     {}, &out),
                 0);
        const json op = commitAndWait(QByteArray::fromStdString("FROM " + m_pushedRef + "\nCOPY index.html /again/\n"),
                                      "FROM the pushed image");
        QVERIFY2(!op.is_null() && op.value("status", "") == "completed", op.dump(2).c_str());
        const QByteArray log =
            readFile(m_app.artifactsRoot() + "/" + QString::fromStdString(m_id) + "/build/buildkit.log");
        QVERIFY2(log.contains(("paas: registry login asked for " + m_registry + "\n").toUtf8()), log.constData());
    }

    void wrongPasswordFailsWithTheRegistrysError()
    {
        QVERIFY(!m_id.empty());
        writeDockerConfig(m_dir.filePath("docker"), m_registry, kUser, "not-the-password");
        const json op = commitAndWait("FROM scratch\nCOPY index.html /wrong-password/\n", "wrong password");
        QVERIFY2(!op.is_null() && op.value("status", "") == "failed", op.dump(2).c_str());
        QCOMPARE(op["error"].value("code", ""), std::string("registry_push_failed"));
        const std::string message = op["error"].value("message", "");
        QVERIFY2(QString::fromStdString(message).contains("unauthorized", Qt::CaseInsensitive) ||
                     QString::fromStdString(message).contains("authentication required", Qt::CaseInsensitive),
                 message.c_str());
        QVERIFY(message.find("not-the-password") == std::string::npos);
    }

    void noLoginFailsClearly()
    {
        QVERIFY(!m_id.empty());
        writeDockerConfig(m_dir.filePath("docker"), m_registry, {}, {});
        const json op = commitAndWait("FROM scratch\nCOPY index.html /no-login/\n", "no login");
        QVERIFY2(!op.is_null() && op.value("status", "") == "failed", op.dump(2).c_str());
        QCOMPARE(op["error"].value("code", ""), std::string("registry_push_failed"));
        const std::string message = op["error"].value("message", "");
        QVERIFY2(message.find("no login for " + m_registry.toStdString()) != std::string::npos, message.c_str());
        // Nothing new was claimed as the project's image.
        const json image = m_app.get("/api/projects/" + QString::fromStdString(m_id)).json()["image"];
        QVERIFY(image.value("commit", "") != op["trigger"].value("commit", ""));
    }

    void loopbackRegistryNeedsTheInsecureFlag()
    {
        PaasProcess app;
        app.env().insert("PAAS_IMAGE_BUILDER_MODE", "buildkit");
        app.env().insert("PAAS_BUILDKIT_ADDR", "docker://" + m_sock);
        app.env().insert("PAAS_IMAGE_REGISTRY", m_registry + "/team");
        app.env().insert("DOCKER_CONFIG", m_dir.filePath("docker"));
        QVERIFY2(app.start(), app.output().constData());
        std::string error;
        const json op = createProject(app, "reg-insecure", {}, &error, 120000);
        QVERIFY2(!op.is_null() && op.value("status", "") == "failed", (error + op.dump(2)).c_str());
        QCOMPARE(op["error"].value("code", ""), std::string("registry_insecure_required"));
        QVERIFY(op["error"].value("message", "").find("PAAS_IMAGE_REGISTRY_INSECURE=true") != std::string::npos);
    }

    void cleanupTestCase()
    {
        m_app.stop();
        m_registryProcess.terminate();
        if (!m_registryProcess.waitForFinished(5000))
            m_registryProcess.kill();
        QByteArray out;
        if (!m_pushedRef.empty())
            run("curl",
                {"-sS", "--unix-socket", m_sock, "-X", "DELETE",
                 "http://docker/images/" + QString::fromStdString(m_pushedRef) + "?force=1"},
                {}, &out);
    }
};

QTEST_GUILESS_MAIN(TestRegistryPush)
#include "tst_registrypush.moc"
