// Builds the rendered manifests repo with the REAL `kubectl kustomize` and
// checks that every overlay (and the root) produces exactly what
// ManifestRenderer renders for that environment and image.
#include "engine/core/atomicfile.h"
#include "engine/model/documentparser.h"
#include "engine/render/manifestrenderer.h"
#include "engine/render/manifestsrepo.h"
#include "tests/unit/render/rendertestdata.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace paas;
using json = nlohmann::json;

namespace {

struct Build {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Build kustomize(const QString& kubectl, const QString& dir)
{
    QProcess proc;
    proc.start(kubectl, {"kustomize", dir});
    Build b;
    if (!proc.waitForFinished(120000))
        return b;
    b.exitCode = proc.exitStatus() == QProcess::NormalExit ? proc.exitCode() : -1;
    b.out = proc.readAllStandardOutput();
    b.err = proc.readAllStandardError();
    return b;
}

// kind -> object, for order-independent comparison.
std::map<std::string, json> byKind(const std::vector<json>& docs)
{
    std::map<std::string, json> out;
    for (const auto& doc : docs)
        out[doc.value("kind", std::string())] = doc;
    return out;
}

std::vector<json> expectedDocs(const ProjectSpec& spec, const std::string& projectId, const std::string& env,
                               const std::string& image)
{
    Result<ManifestObjects> objects = ManifestRenderer::renderObjects(spec, projectId, env, image);
    std::vector<json> docs;
    for (const auto& doc : objects->all())
        docs.push_back(json::parse(doc.dump()));
    return docs;
}

}  // namespace

class TstKustomize : public QObject {
    Q_OBJECT
private:
    QString m_kubectl;

    void checkRepo(const ProjectSpec& spec, const std::string& projectId,
                   const std::map<std::string, std::string>& envImages, const std::string& defaultImage,
                   const std::map<std::string, std::string>& expectedImages)
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        if (qEnvironmentVariableIsSet("PAAS_KEEP_TEST_DIRS")) {
            dir.setAutoRemove(false);
            qInfo("kept %s", qPrintable(dir.path()));
        }
        const auto files = renderManifestsRepo(spec, projectId, envImages, defaultImage);
        QVERIFY(!files.empty());
        for (const auto& [path, content] : files)
            QVERIFY(writeFileAtomic(dir.filePath(QString::fromStdString(path)), content).isOk());

        std::vector<std::pair<QString, std::string>> targets = {{dir.path(), spec.environments.front().name}};
        for (const auto& env : spec.environments)
            targets.emplace_back(dir.filePath("overlays/" + QString::fromStdString(env.name)), env.name);

        for (const auto& [path, env] : targets) {
            const Build b = kustomize(m_kubectl, path);
            QVERIFY2(b.exitCode == 0, qPrintable(path + ": " + QString::fromUtf8(b.err)));
            Result<std::vector<json>> built = parseYamlDocuments(b.out.toStdString());
            QVERIFY2(built.isOk(), built.status().toString().c_str());
            const std::string image = expectedImages.at(env);
            const auto actual = byKind(*built);
            const auto expected = byKind(expectedDocs(spec, projectId, env, image));
            QCOMPARE(actual.size(), expected.size());
            const json& deployment = actual.at("Deployment");
            const json& ctr = deployment["spec"]["template"]["spec"]["containers"][0];
            // The pinned image and the env's vars made it through kustomize.
            QCOMPARE(ctr["image"].get<std::string>(), image);
            const EnvironmentSpec* envSpec = spec.environment(env);
            QCOMPARE(ctr["env"].size(), envSpec->vars.size());
            for (const auto& var : ctr["env"])
                QCOMPARE(var["value"].get<std::string>(), envSpec->vars.at(var["name"].get<std::string>()));
            QCOMPARE(deployment["spec"]["replicas"].get<int>(), envSpec->replicas);
            QCOMPARE(deployment["metadata"]["namespace"].get<std::string>(), namespaceFor(projectId, envSpec->name));
            // And in fact everything equals the direct render.
            for (const auto& [kind, doc] : expected) {
                QVERIFY2(actual.count(kind), kind.c_str());
                QVERIFY2(actual.at(kind) == doc,
                         qPrintable(QString::fromStdString(env + " " + kind + "\nkustomize: " + actual.at(kind).dump() +
                                                           "\nrender:    " + doc.dump())));
            }
        }
        // The pre-rendered root rendered.yaml is what building the root gives.
        Result<std::vector<json>> rendered = parseYamlDocuments(files.at("rendered.yaml"));
        QVERIFY(rendered.isOk());
        const std::string first = spec.environments.front().name;
        QVERIFY(byKind(*rendered) == byKind(expectedDocs(spec, projectId, first, expectedImages.at(first))));
    }

private slots:
    void initTestCase()
    {
        m_kubectl = QStandardPaths::findExecutable("kubectl");
        if (m_kubectl.isEmpty())
            QFAIL(
                "kubectl not found on PATH: this test needs a real kubectl with kustomize v5 "
                "(kubectl 1.32 is expected on this machine; else install Debian's kubernetes-client)");
        QProcess version;
        version.start(m_kubectl, {"version", "--client"});
        QVERIFY(version.waitForFinished(60000));
        qInfo("%s", version.readAllStandardOutput().trimmed().constData());
    }

    void webAppOverlaysBuild()
    {
        checkRepo(testdata::webSpec(), "platform-app",
                  {{"staging", "paas/platform-app:staging01"},
                   {"prod", "registry.local:5000/paas/platform-app:abc123def456"}},
                  "paas/platform-app:dev0001",
                  {{"dev", "paas/platform-app:dev0001"},
                   {"staging", "paas/platform-app:staging01"},
                   {"prod", "registry.local:5000/paas/platform-app:abc123def456"}});
    }

    void workerOverlaysBuildWithDigest()
    {
        const std::string digest = "sha256:" + std::string(64, 'a');
        checkRepo(testdata::workerSpec(), "queue-worker", {{"prod", "paas/queue-worker@" + digest}},
                  "paas/queue-worker:w1",
                  {{"dev", "paas/queue-worker:w1"}, {"production", "paas/queue-worker@" + digest}});
    }

    void allPolicyModesBuild()
    {
        for (const char* mode : {"internal", "public", "none"}) {
            ProjectSpec spec = testdata::webSpec();
            spec.ingress = mode;
            spec.egress = mode;
            checkRepo(spec, "pol", {}, "paas/pol:1",
                      {{"dev", "paas/pol:1"}, {"staging", "paas/pol:1"}, {"prod", "paas/pol:1"}});
        }
    }
};

QTEST_GUILESS_MAIN(TstKustomize)
#include "tst_kustomize.moc"
