// Real image builds through the CI pathway: the paas binary in explicit
// BuildKit mode against the Docker engine of the "dockerd" CTest fixture
// (PAAS_BUILDKIT_ADDR=docker://<sock>, BuildKit over gRPC via /grpc). A
// `static` project (FROM scratch) is created and built; a real `git commit`
// runs the hook, whose ci op builds paas/<id>:<commit12>; the image is then
// inspected in the engine (GET /images/json, GET /images/<name>/get and the
// layer tars, read with the tar CLI). Also: the live step.log events, the
// build/ artifacts, and a broken Dockerfile failing the op with BuildKit's
// error text. Nothing is pulled: there is no registry here.
#include "tests/integration/ci/citestutil.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace paas::test;
using nlohmann::json;

namespace {

// The Docker engine API over its unix socket, with the curl CLI.
class Engine {
public:
    explicit Engine(QString sock) : m_sock(std::move(sock)) {}

    QByteArray request(const QString& method, const QString& path, const QString& outFile = {}) const
    {
        QStringList args{"-sS", "--max-time", "120", "--unix-socket", m_sock, "-X", method};
        if (!outFile.isEmpty())
            args << "-o" << outFile;
        args << "http://docker" + path;
        QByteArray out;
        if (run("curl", args, {}, &out, 180000) != 0)
            qWarning("curl %s %s failed: %s", qPrintable(method), qPrintable(path), out.constData());
        return out;
    }
    bool ping() const { return request("GET", "/_ping") == "OK"; }
    // The Id of the image tagged `ref`, or "".
    std::string imageId(const std::string& ref) const
    {
        const json images = json::parse(request("GET", "/images/json").toStdString(), nullptr, false);
        if (!images.is_array())
            return {};
        for (const json& image : images)
            if (image.contains("RepoTags") && image["RepoTags"].is_array())
                for (const json& tag : image["RepoTags"])
                    if (tag.is_string() && tag.get<std::string>() == ref)
                        return image.value("Id", "");
        return {};
    }
    void remove(const std::string& ref) const
    {
        request("DELETE", "/images/" + QString::fromStdString(ref) + "?force=1");
    }

private:
    QString m_sock;
};

// Every layer of a `docker save` tarball, extracted: returns the content of
// `file` from the topmost layer holding it (or a null QByteArray).
QByteArray fileFromImage(const Engine& engine, const std::string& ref, const QString& file, QString* why)
{
    QTemporaryDir dir;
    const QString tarball = dir.path() + "/image.tar";
    engine.request("GET", "/images/" + QString::fromStdString(ref) + "/get", tarball);
    QByteArray out;
    if (run("tar", {"-xf", tarball, "-C", dir.path()}, {}, &out) != 0) {
        *why = "tar -xf image: " + QString::fromUtf8(out);
        return {};
    }
    const json manifest = json::parse(readFile(dir.path() + "/manifest.json").toStdString(), nullptr, false);
    if (!manifest.is_array() || manifest.empty() || !manifest[0]["Layers"].is_array()) {
        *why = "no manifest.json with Layers in the saved image";
        return {};
    }
    QByteArray found;
    QStringList listed;
    for (const json& layer : manifest[0]["Layers"]) {
        const QString layerTar = dir.path() + "/" + QString::fromStdString(layer.get<std::string>());
        QByteArray names;
        run("tar", {"-tf", layerTar}, {}, &names);
        listed << QString::fromUtf8(names).split('\n', Qt::SkipEmptyParts);
        QByteArray content;
        if (names.split('\n').contains(file.toUtf8()) && run("tar", {"-xOf", layerTar, file}, {}, &content) == 0)
            found = content;
    }
    if (found.isNull())
        *why = file + " not in any layer; layers hold: " + listed.join(", ");
    return found;
}

}  // namespace

class TestCiBuildKit : public QObject {
    Q_OBJECT

    QString m_sock;
    PaasProcess m_app;
    std::string m_id;
    QString m_repo;
    std::vector<std::string> m_images;
    std::string m_sha, m_ref, m_imageId, m_opId;  // the hook-triggered build

    QString projectDir() const { return m_app.artifactsRoot() + "/" + QString::fromStdString(m_id); }

private Q_SLOTS:
    void initTestCase()
    {
        m_sock = qEnvironmentVariable("PAAS_TEST_DOCKER_SOCK");
        QVERIFY2(!m_sock.isEmpty(), "PAAS_TEST_DOCKER_SOCK is not set (the dockerd fixture provides it)");
        QVERIFY2(Engine(m_sock).ping(), qPrintable("no Docker engine answers at " + m_sock));
        m_app.env().insert("PAAS_IMAGE_BUILDER_MODE", "buildkit");
        m_app.env().insert("PAAS_BUILDKIT_ADDR", "docker://" + m_sock);
        m_app.env().insert("PAAS_BUILD_NETWORK", "host");  // the test engine runs with --bridge=none
        QVERIFY2(m_app.start(), m_app.output().constData());
        QVERIFY2(m_app.output().contains("Image builder: requested=buildkit (explicit) effective=buildkit"),
                 m_app.output().constData());
        const json builder = m_app.get("/api/system").json()["image_builder"];
        QCOMPARE(builder.value("effective", ""), std::string("buildkit"));
    }

    void staticProjectIsCreatedAndBuilt()
    {
        std::string error;
        const json op = createProject(m_app, "ci-bk-static", {}, &error, 600000);
        QVERIFY2(!op.is_null(), error.c_str());
        QVERIFY2(op.value("status", "") == "completed", op.dump(2).c_str());
        m_id = op.value("project_id", "");
        m_repo = sourceRepo(m_app, m_id);
        const std::string head = gitHead(m_repo);
        const std::string ref = "paas/" + m_id + ":" + head.substr(0, 12);
        m_images.push_back(ref);
        QVERIFY2(!Engine(m_sock).imageId(ref).empty(), ref.c_str());
        QString why;
        const QByteArray index = fileFromImage(Engine(m_sock), ref, "site/index.html", &why);
        QVERIFY2(!index.isNull(), qPrintable(why));
        QCOMPARE(index, readFile(m_repo + "/index.html"));
    }

    void commitThroughTheHookBuildsThatCommit()
    {
        QVERIFY(!m_id.empty());
        const QByteArray content = "<h1>built by BuildKit at " +
                                   QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8() + "</h1>\n";
        QByteArray out;
        const std::string sha = gitCommit(m_repo, "index.html", content, "feat: new page", true, gitEnv(), &out);
        QVERIFY2(!sha.empty(), out.constData());
        const json op = waitForCiOp(m_app, m_id, sha, 600000);
        QVERIFY2(!op.is_null(), readFile(m_repo + "/.git/paas-hook.log").constData());
        QVERIFY2(op.value("status", "") == "completed", op.dump(2).c_str());
        QCOMPARE(op["trigger"].value("source", ""), std::string("hook"));
        const std::string ref = "paas/" + m_id + ":" + sha.substr(0, 12);
        m_images.push_back(ref);
        m_sha = sha;
        m_ref = ref;
        m_opId = op.value("id", "");

        // The image exists in the engine, and its layer holds the committed file.
        const Engine engine(m_sock);
        const std::string imageId = engine.imageId(ref);
        QVERIFY2(!imageId.empty(), (ref + " is not in GET /images/json").c_str());
        m_imageId = imageId;
        QString why;
        const QByteArray index = fileFromImage(engine, ref, "site/index.html", &why);
        QVERIFY2(!index.isNull(), qPrintable(why));
        QCOMPARE(index, content);

        // A second notification of the same commit is deduped.
        const HttpResult again =
            m_app.post("/api/webhooks/source", {{"project_id", m_id}, {"branch", "main"}, {"commit", sha}});
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json().value("reason", ""), std::string("ignored: commit already processed"));
        QCOMPARE(ciOpsFor(m_app, m_id, sha).size(), size_t(1));
    }

    void buildArtifactsDescribeTheImage()
    {
        QVERIFY(!m_imageId.empty());
        const QString build = projectDir() + "/build/";
        const QList<QByteArray> imageTxt = readFile(build + "image.txt").trimmed().split('\n');
        QCOMPARE(imageTxt.value(0).toStdString(), m_ref);
        QCOMPARE(imageTxt.value(1).toStdString(), m_imageId);
        const QByteArray summary = readFile(build + "buildkit-summary.txt");
        QVERIFY2(summary.contains(QByteArray::fromStdString("image: " + m_ref)), summary.constData());
        QVERIFY2(summary.contains(QByteArray::fromStdString("digest: " + m_imageId)), summary.constData());
        QVERIFY(summary.contains("vertices: ") && summary.contains("cached_vertices: ") &&
                summary.contains("duration_s: "));
        const json metadata = json::parse(readFile(build + "buildkit-metadata.json").toStdString(), nullptr, false);
        QVERIFY2(metadata.is_object() && !metadata.empty(), readFile(build + "buildkit-metadata.json").constData());
        const json publish = json::parse(readFile(build + "publish-local-daemon.json").toStdString(), nullptr, false);
        QCOMPARE(publish.value("requested_mode", ""), std::string("buildkit"));
        QCOMPARE(publish.value("effective_mode", ""), std::string("buildkit"));
        QCOMPARE(publish.value("published", false), true);
        QCOMPARE(publish.value("digest", ""), m_imageId);
        QCOMPARE(publish.value("commit", ""), m_sha);
        const QByteArray buildLog = readFile(build + "buildkit.log");
        QVERIFY2(buildLog.contains("COPY index.html"), buildLog.constData());

        // The context went through the session, and only the changed file's
        // bytes crossed it: BuildKit kept the project's previous context.
        const QByteArray changed = readFile(m_repo + "/index.html");
        QVERIFY2(summary.contains("transport: session\n"), summary.constData());
        QVERIFY2(summary.contains("context_files_sent: 1\n"), summary.constData());
        QVERIFY2(summary.contains("context_bytes_sent: " + QByteArray::number(changed.size()) + "\n"),
                 summary.constData());
        const json op = m_app.get("/api/ops/" + QString::fromStdString(m_opId)).json();
        const json transfer = op["steps"][0]["outputs"]["context_transfer"];
        QCOMPARE(transfer.value("files_sent", -1), 1);
        QCOMPARE(transfer.value("bytes_sent", -1), static_cast<int>(changed.size()));
        QVERIFY(transfer.value("context_files", 0) >= 2);
    }

    void runStepsUseTheChosenNetwork()
    {
        // build.network in the spec wins over PAAS_BUILD_NETWORK (host here):
        // with "none" a RUN step sees only the loopback interface.
        QVERIFY2(QFile::exists("/bin/busybox"), "busybox-static is not installed (installer/deps-debian.sh --test)");
        QFile busybox(QStringLiteral("/bin/busybox"));
        QVERIFY(busybox.open(QIODevice::ReadOnly));
        const QByteArray tool = busybox.readAll();
        const std::string dockerfile =
            "FROM scratch\nCOPY --chmod=0755 busybox /bin/busybox\n"
            "RUN [\"/bin/busybox\", \"cp\", \"/proc/net/dev\", \"/netdev\"]\n";
        std::map<std::string, QByteArray> interfaces;
        for (const std::string network : {"none", "host"}) {
            json spec = specFor("ci-bk-net-" + network);
            if (network == "none")
                spec["build"] = {{"network", "none"}};
            std::string error;
            const json created = createProject(m_app, spec.value("name", ""), {{"spec", spec}}, &error, 600000);
            QVERIFY2(!created.is_null() && created.value("status", "") == "completed",
                     (error + created.dump()).c_str());
            const std::string id = created.value("project_id", "");
            const QString repo = sourceRepo(m_app, id);
            QByteArray out;
            QVERIFY(!gitCommit(repo, "busybox", tool, "add busybox", false).empty());
            const std::string sha = gitCommit(repo, "Dockerfile", QByteArray::fromStdString(dockerfile), "RUN a step",
                                              true, gitEnv(), &out);
            QVERIFY2(!sha.empty(), out.constData());
            const json op = waitForCiOp(m_app, id, sha, 600000);
            QVERIFY2(!op.is_null() && op.value("status", "") == "completed", op.dump(2).c_str());
            const std::string ref = "paas/" + id + ":" + sha.substr(0, 12);
            m_images.push_back(ref);
            QString why;
            interfaces[network] = fileFromImage(Engine(m_sock), ref, "netdev", &why);
            QVERIFY2(!interfaces[network].isNull(), qPrintable(why));
        }
        const auto names = [](const QByteArray& table) {
            QStringList out;
            for (const QByteArray& line : table.split('\n'))
                if (line.contains(':'))
                    out << QString::fromUtf8(line.left(line.indexOf(':')).trimmed());
            return out;
        };
        QCOMPARE(names(interfaces["none"]), QStringList({"lo"}));
        QVERIFY2(names(interfaces["host"]).size() > 1, interfaces["host"].constData());
    }

    void buildKitProgressArrivedAsStepLogs()
    {
        QVERIFY(!m_opId.empty());
        // step.log events carried BuildKit's progress while the step ran:
        // in the replay they sit between the step's start and its end.
        const std::vector<SseEvent> events = opEvents(m_app, m_opId);
        int started = -1, completed = -1, buildkitLines = 0;
        const QRegularExpression vertexLine(QStringLiteral("^#\\d+ "));
        for (int i = 0; i < static_cast<int>(events.size()); ++i) {
            const SseEvent& e = events[i];
            const bool builder = e.data.is_object() && e.data.value("step", "") == "imageBuilder";
            if (e.event == "step.started" && builder)
                started = i;
            else if (e.event == "step.completed" && builder)
                completed = i;
            else if (e.event == "step.log" && builder && started >= 0 && completed < 0 &&
                     vertexLine.match(QString::fromStdString(e.data.value("line", ""))).hasMatch())
                ++buildkitLines;
        }
        QVERIFY2(started >= 0 && completed > started, "imageBuilder started and completed in the event stream");
        QVERIFY2(buildkitLines >= 2, qPrintable(QString("BuildKit step.log lines: %1").arg(buildkitLines)));
        bool sawCopy = false;
        for (int i = started; i < completed; ++i)
            sawCopy |= events[i].event == "step.log" &&
                       events[i].data.value("line", "").find("COPY index.html") != std::string::npos;
        QVERIFY(sawCopy);
        QCOMPARE(events.back().event, QByteArray("op.completed"));
    }

    void brokenDockerfileFailsWithBuildKitError()
    {
        QVERIFY(!m_id.empty());
        const QByteArray before = readFile(projectDir() + "/build/image.txt");
        QByteArray out;
        const std::string sha = gitCommit(m_repo, "Dockerfile", "FROM scratch\nFROBNICATE everything\n",
                                          "broken Dockerfile", true, gitEnv(), &out);
        QVERIFY2(!sha.empty(), out.constData());
        const json op = waitForCiOp(m_app, m_id, sha, 600000);
        QVERIFY2(!op.is_null(), readFile(m_repo + "/.git/paas-hook.log").constData());
        QCOMPARE(op.value("status", ""), std::string("failed"));
        const std::string message = op["error"].value("message", "");
        QVERIFY2(message.find("unknown instruction") != std::string::npos, op.dump(2).c_str());
        QVERIFY2(QString::fromStdString(message).contains("FROBNICATE", Qt::CaseInsensitive), message.c_str());
        QCOMPARE(op["steps"][0].value("name", ""), std::string("imageBuilder"));
        QCOMPARE(op["steps"][0].value("status", ""), std::string("failed"));
        const std::string ref = "paas/" + m_id + ":" + sha.substr(0, 12);
        QVERIFY2(Engine(m_sock).imageId(ref).empty(), "no image for a failed build");
        QCOMPARE(readFile(projectDir() + "/build/image.txt"), before);  // not claimed
        QVERIFY(m_app.get("/api/projects/" + QString::fromStdString(m_id)).json()["image"].value("commit", "") != sha);
    }

    void cleanupTestCase()
    {
        const Engine engine(m_sock);
        for (const std::string& ref : m_images)
            engine.remove(ref);
        if (!m_sock.isEmpty())
            engine.request("POST", "/images/prune?filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D");
    }
};

QTEST_GUILESS_MAIN(TestCiBuildKit)
#include "tst_cibuildkit.moc"
