// Structural tests of ManifestRenderer / renderManifestsRepo output, parsed
// back with yaml-cpp.
#include "engine/render/manifestrenderer.h"
#include "engine/render/manifestsrepo.h"
#include "engine/render/yamlemit.h"
#include "tests/unit/render/rendertestdata.h"

#include <QtTest>

#include <yaml-cpp/yaml.h>

using namespace paas;

namespace {

std::string str(const YAML::Node& node)
{
    return node.as<std::string>();
}

// The Tag() of a quoted scalar is "!": it reads back as a string.
bool isQuotedString(const YAML::Node& node)
{
    return node.IsScalar() && node.Tag() == "!";
}

}  // namespace

class TstManifestRenderer : public QObject {
    Q_OBJECT
private slots:
    void deploymentShape()
    {
        const ProjectSpec spec = testdata::webSpec();
        Result<RenderedEnvironment> out =
            ManifestRenderer::render(spec, "platform-app", "prod", "paas/platform-app:abc123def456");
        QVERIFY2(out.isOk(), out.status().toString().c_str());
        QCOMPARE(out->namespaceName, std::string("platform-app-prod"));
        const YAML::Node d = YAML::Load(out->deployment);
        QCOMPARE(str(d["apiVersion"]), std::string("apps/v1"));
        QCOMPARE(str(d["kind"]), std::string("Deployment"));
        QCOMPARE(str(d["metadata"]["name"]), std::string("platform-app"));
        QCOMPARE(str(d["metadata"]["namespace"]), std::string("platform-app-prod"));
        for (const YAML::Node& labels : {d["metadata"]["labels"], d["spec"]["template"]["metadata"]["labels"]}) {
            QCOMPARE(str(labels["app.kubernetes.io/name"]), std::string("platform-app"));
            QCOMPARE(str(labels["app.kubernetes.io/instance"]), std::string("platform-app-prod"));
            QCOMPARE(str(labels["paas.dev/project"]), std::string("platform-app"));
            QCOMPARE(str(labels["paas.dev/environment"]), std::string("prod"));
        }
        QCOMPARE(d["spec"]["replicas"].as<int>(), 3);
        QCOMPARE(d["spec"]["selector"]["matchLabels"].size(), std::size_t(2));
        const YAML::Node c = d["spec"]["template"]["spec"]["containers"][0];
        QCOMPARE(str(c["image"]), std::string("paas/platform-app:abc123def456"));
        QCOMPARE(c["ports"][0]["containerPort"].as<int>(), 9090);
        QCOMPARE(str(c["ports"][0]["name"]), std::string("http"));
        // Env vars sorted by name; "true" stays a string.
        QCOMPARE(c["env"].size(), std::size_t(3));
        QCOMPARE(str(c["env"][0]["name"]), std::string("A_FIRST"));
        QCOMPARE(str(c["env"][1]["name"]), std::string("FEATURE_X"));
        QCOMPARE(str(c["env"][2]["name"]), std::string("LOG_LEVEL"));
        QVERIFY(isQuotedString(c["env"][0]["value"]));
        QVERIFY(isQuotedString(c["env"][1]["value"]));
        QCOMPARE(str(c["env"][2]["value"]), std::string("warn"));
        for (const char* probe : {"readinessProbe", "livenessProbe"}) {
            QCOMPARE(str(c[probe]["httpGet"]["path"]), std::string("/healthz"));
            QCOMPARE(str(c[probe]["httpGet"]["port"]), std::string("http"));
        }
        const YAML::Node ann = d["spec"]["template"]["metadata"]["annotations"];
        QCOMPARE(str(ann["prometheus.io/port"]), std::string("9090"));
        QVERIFY(isQuotedString(ann["prometheus.io/port"]));
        QVERIFY(isQuotedString(ann["prometheus.io/scrape"]));
    }

    void serviceAndRenderedDocs()
    {
        Result<RenderedEnvironment> out = ManifestRenderer::render(testdata::webSpec(), "platform-app", "dev", "img:1");
        QVERIFY(out.isOk());
        const YAML::Node s = YAML::Load(out->service);
        QCOMPARE(str(s["apiVersion"]), std::string("v1"));
        QCOMPARE(str(s["kind"]), std::string("Service"));
        QCOMPARE(s["spec"]["ports"][0]["port"].as<int>(), 8080);
        QCOMPARE(str(s["spec"]["ports"][0]["targetPort"]), std::string("http"));
        QCOMPARE(str(s["spec"]["selector"]["app.kubernetes.io/instance"]), std::string("platform-app-dev"));
        const std::vector<YAML::Node> docs = YAML::LoadAll(out->rendered);
        QCOMPARE(docs.size(), std::size_t(3));
        QCOMPARE(str(docs[0]["kind"]), std::string("Deployment"));
        QCOMPARE(str(docs[1]["kind"]), std::string("Service"));
        QCOMPARE(str(docs[2]["kind"]), std::string("NetworkPolicy"));
        QVERIFY(out->rendered.find("\n---\n") != std::string::npos);
    }

    void workerHasNoServiceNoProbes()
    {
        const ProjectSpec spec = testdata::workerSpec();
        // "prod" finds the "production" environment.
        Result<RenderedEnvironment> out = ManifestRenderer::render(spec, "queue-worker", "prod", "img:2");
        QVERIFY2(out.isOk(), out.status().toString().c_str());
        QVERIFY(out->service.empty());
        QCOMPARE(out->namespaceName, std::string("queue-worker-production"));
        QCOMPARE(YAML::LoadAll(out->rendered).size(), std::size_t(2));
        const YAML::Node c = YAML::Load(out->deployment)["spec"]["template"]["spec"]["containers"][0];
        QVERIFY(!c["readinessProbe"]);
        QVERIFY(!c["livenessProbe"]);
        QVERIFY(c["env"].IsSequence() && c["env"].size() == 0);
        QCOMPARE(str(c["ports"][0]["name"]), std::string("app"));
        QVERIFY(!YAML::Load(out->deployment)["spec"]["template"]["metadata"]["annotations"]);
    }

    void networkPolicyModes_data()
    {
        QTest::addColumn<QString>("ingress");
        QTest::addColumn<QString>("egress");
        for (const char* in : {"internal", "public", "none"})
            for (const char* eg : {"internal", "public", "none"})
                QTest::newRow(qPrintable(QString("%1/%2").arg(in, eg))) << in << eg;
    }
    void networkPolicyModes()
    {
        QFETCH(QString, ingress);
        QFETCH(QString, egress);
        ProjectSpec spec = testdata::webSpec();
        spec.ingress = ingress.toStdString();
        spec.egress = egress.toStdString();
        Result<RenderedEnvironment> out = ManifestRenderer::render(spec, "p", "dev", "img:1");
        QVERIFY(out.isOk());
        const YAML::Node np = YAML::Load(out->networkPolicy);
        QCOMPARE(str(np["apiVersion"]), std::string("networking.k8s.io/v1"));
        QCOMPARE(str(np["kind"]), std::string("NetworkPolicy"));
        QCOMPARE(np["spec"]["policyTypes"].size(), std::size_t(2));
        QCOMPARE(str(np["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/instance"]), std::string("p-dev"));
        const struct {
            QString mode;
            const char* key;
            const char* peer;
        } dirs[] = {{ingress, "ingress", "from"}, {egress, "egress", "to"}};
        for (const auto& dir : dirs) {
            const YAML::Node rules = np["spec"][dir.key];
            QVERIFY2(rules.IsSequence(), dir.key);
            if (dir.mode == "none") {
                QCOMPARE(rules.size(), std::size_t(0));  // present and empty: deny all
            } else if (dir.mode == "public") {
                QCOMPARE(rules.size(), std::size_t(1));
                QVERIFY(rules[0].IsMap() && rules[0].size() == 0);  // one empty rule: allow all
            } else {
                const YAML::Node peer = rules[0][dir.peer][0];
                QVERIFY(peer["podSelector"].IsMap() && peer["podSelector"].size() == 0);  // same namespace
                QVERIFY(!peer["namespaceSelector"]);
                if (std::string(dir.key) == "egress") {  // plus DNS
                    QCOMPARE(rules.size(), std::size_t(2));
                    QCOMPARE(rules[1]["ports"][0]["port"].as<int>(), 53);
                }
            }
        }
    }

    void unknownEnvironmentIs404()
    {
        Result<RenderedEnvironment> out = ManifestRenderer::render(testdata::webSpec(), "p", "qa", "img:1");
        QVERIFY(!out.isOk());
        QCOMPARE(out.status().code(), Status::Code::NotFound);
        QCOMPARE(out.status().reason(), std::string("unknown_environment"));
    }

    void namespaceStaysALabel()
    {
        const std::string ns = namespaceFor(std::string(40, 'p'), std::string(63, 'e'));
        QVERIFY(ns.size() <= 63);
        QCOMPARE(ns, namespaceFor(std::string(40, 'p'), std::string(63, 'e')));  // stable
        QVERIFY(ns != namespaceFor(std::string(40, 'p'), std::string(62, 'e') + "f"));
        QCOMPARE(namespaceFor("a", "dev"), std::string("a-dev"));
    }

    void quotingOfAmbiguousScalars()
    {
        for (const char* text : {"8080", "true", "no", "on", "~", "null", "", "1e3", "-1", ".5", "0x1F", ".inf"})
            QVERIFY2(yamlNeedsQuotes(text), text);
        for (const char* text : {"info", "paas/app:1", "hello world", "-x"})
            QVERIFY2(!yamlNeedsQuotes(text), text);
        const nlohmann::ordered_json doc = {
            {"a", "8080"}, {"b", "yes"}, {"c", 8080}, {"d", "multi\nline"}, {"e", "block\ntext\n"}};
        const YAML::Node back = YAML::Load(emitYaml(doc));
        QVERIFY(isQuotedString(back["a"]));
        QVERIFY(isQuotedString(back["b"]));
        QVERIFY(!isQuotedString(back["c"]));
        QCOMPARE(str(back["d"]), std::string("multi\nline"));
        QCOMPARE(str(back["e"]), std::string("block\ntext\n"));
        QVERIFY(emitYaml(doc).find("e: |") != std::string::npos);
    }

    void imageRefSplitting()
    {
        ImageRef r = splitImageRef("localhost:5000/paas/app:abc");
        QCOMPARE(r.name, std::string("localhost:5000/paas/app"));
        QCOMPARE(r.tag, std::string("abc"));
        r = splitImageRef("localhost:5000/paas/app");
        QCOMPARE(r.name, std::string("localhost:5000/paas/app"));
        QVERIFY(r.tag.empty());
        r = splitImageRef("paas/app@sha256:0123");
        QCOMPARE(r.name, std::string("paas/app"));
        QCOMPARE(r.digest, std::string("sha256:0123"));
    }

    void repoLayout()
    {
        const ProjectSpec spec = testdata::webSpec();
        const auto files =
            renderManifestsRepo(spec, "platform-app", {{"prod", "paas/platform-app:v2"}}, "paas/platform-app:v1");
        std::vector<std::string> paths;
        for (const auto& [path, content] : files)
            paths.push_back(path);
        QCOMPARE(paths, (std::vector<std::string>{"base/deployment.yaml", "base/kustomization.yaml",
                                                  "base/networkpolicy.yaml", "base/service.yaml", "kustomization.yaml",
                                                  "overlays/dev/kustomization.yaml", "overlays/prod/kustomization.yaml",
                                                  "overlays/staging/kustomization.yaml", "rendered.yaml"}));
        const YAML::Node root = YAML::Load(files.at("kustomization.yaml"));
        QCOMPARE(str(root["resources"][0]), std::string("overlays/dev"));
        const YAML::Node base = YAML::Load(files.at("base/kustomization.yaml"));
        QCOMPARE(base["resources"].size(), std::size_t(3));
        QVERIFY(!YAML::Load(files.at("base/deployment.yaml"))["metadata"]["namespace"]);
        const YAML::Node prod = YAML::Load(files.at("overlays/prod/kustomization.yaml"));
        QCOMPARE(str(prod["namespace"]), std::string("platform-app-prod"));
        QCOMPARE(str(prod["resources"][0]), std::string("../../base"));
        QCOMPARE(str(prod["images"][0]["name"]), std::string("paas/platform-app"));
        QCOMPARE(str(prod["images"][0]["newTag"]), std::string("v2"));
        // The Deployment patch sets replicas and env explicitly.
        const YAML::Node ops = YAML::Load(str(prod["patches"][0]["patch"]));
        QCOMPARE(str(prod["patches"][0]["target"]["kind"]), std::string("Deployment"));
        QCOMPARE(str(ops[0]["path"]), std::string("/spec/replicas"));
        QCOMPARE(ops[0]["value"].as<int>(), 3);
        QCOMPARE(str(ops[1]["path"]), std::string("/spec/template/spec/containers/0/env"));
        QCOMPARE(ops[1]["value"].size(), std::size_t(3));
        // Root rendered.yaml is the dev render with the dev (default) image.
        const std::vector<YAML::Node> docs = YAML::LoadAll(files.at("rendered.yaml"));
        QCOMPARE(str(docs[0]["spec"]["template"]["spec"]["containers"][0]["image"]),
                 std::string("paas/platform-app:v1"));
        QCOMPARE(str(docs[0]["metadata"]["namespace"]), std::string("platform-app-dev"));
        // Deterministic.
        QVERIFY(files ==
                renderManifestsRepo(spec, "platform-app", {{"prod", "paas/platform-app:v2"}}, "paas/platform-app:v1"));
    }

    void digestPinning()
    {
        const auto files = renderManifestsRepo(testdata::workerSpec(), "queue-worker",
                                               {{"prod", "paas/queue-worker@sha256:abcd"}}, "paas/queue-worker:v1");
        QVERIFY(!files.count("base/service.yaml"));
        const YAML::Node prod = YAML::Load(files.at("overlays/production/kustomization.yaml"));
        QCOMPARE(str(prod["images"][0]["digest"]), std::string("sha256:abcd"));
        QVERIFY(!prod["images"][0]["newTag"]);
    }
};

QTEST_GUILESS_MAIN(TstManifestRenderer)
#include "tst_manifestrenderer.moc"
