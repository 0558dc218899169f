// The whole delivery path on the real paas binary (real nats-server, git,
// kubectl): create -> deploy dev -> promote dev->staging -> release
// staging->prod -> a second CI build deployed and promoted up to prod ->
// rollback prod to release 1, with every artifact, release record and
// manifests-repo commit checked; kustomize builds every overlay; diff before
// promote; then ops and release history survive a restart.
#include "deliverytestutil.h"

#include <QtTest>

using namespace paas::test;

namespace {

// Submits, awaits, and returns the finished op (null on a non-202).
nlohmann::json deliver(const PaasProcess& app, const std::string& event, const nlohmann::json& body)
{
    const HttpResult r = postEvent(app, event, body);
    const std::string id = acceptedOp(r);
    if (id.empty()) {
        qWarning() << "not accepted:" << r.status << r.body;
        return nullptr;
    }
    return app.waitForOp(id);
}

nlohmann::json envCurrent(const PaasProcess& app, const std::string& id, const std::string& env)
{
    const nlohmann::json doc = app.get(QString::fromStdString("/api/projects/" + id + "/environments")).json();
    for (const auto& e : doc.value("environments", nlohmann::json::array()))
        if (e.value("name", "") == env)
            return e["current"];
    return nullptr;
}

std::string kustomize(const PaasProcess& app, const std::string& id, const std::string& env, int* code)
{
    QByteArray out;
    *code = run("kubectl", {"kustomize", "overlays/" + QString::fromStdString(env)}, manifestsRepo(app, id), &out);
    return out.toStdString();
}

// A diff line starting with `op` whose rest, trimmed, is `text`.
bool hasLine(const std::string& unified, char op, const std::string& text)
{
    for (const QString& line : QString::fromStdString(unified).split('\n'))
        if (line.startsWith(QChar(op)) && !line.startsWith(QString(3, QChar(op)))
            && line.mid(1).trimmed().startsWith(QString::fromStdString(text)))
            return true;
    return false;
}

bool contains(const QByteArray& text, const std::string& needle)
{
    return text.contains(QByteArray::fromStdString(needle));
}

}  // namespace

class TestDeliveryPath : public QObject {
    Q_OBJECT

    std::string m_id;

    std::string image(const PaasProcess& app) const
    {
        return app.get(QString::fromStdString("/api/projects/" + m_id)).json()["image"].value("ref", "");
    }

    // A second commit on the source repo's main (hooks off) and its CI op.
    std::string secondBuild(const PaasProcess& app)
    {
        const QString src = artifactPath(app, m_id, "repos/source");
        QFile f(src + "/index.html");
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write("<h1>version 2</h1>\n");
        f.close();
        const QStringList git{"-C", src, "-c", "user.name=dev", "-c", "user.email=dev@example.com",
                              "-c", "core.hooksPath=/dev/null"};
        if (run("git", git + QStringList{"add", "index.html"}) != 0
            || run("git", git + QStringList{"commit", "-q", "-m", "version 2"}) != 0)
            return {};
        QByteArray sha;
        run("git", {"-C", src, "rev-parse", "HEAD"}, {}, &sha);
        const HttpResult r = app.post("/api/webhooks/source", {{"project_id", m_id}, {"commit", sha.trimmed().toStdString()}});
        const std::string op = acceptedOp(r);
        return op.empty() ? std::string() : app.waitForOp(op).value("status", "");
    }

private Q_SLOTS:
    void wholePathThenRestart()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        // 1. create
        const HttpResult created = postEvent(app, "registration", {{"action", "create"}, {"spec", deliverySpec("shop")}});
        QCOMPARE(created.status, 202);
        m_id = created.json()["op"]["project_id"].get<std::string>();
        QCOMPARE(app.waitForOp(acceptedOp(created))["status"], "completed");
        const std::string image1 = image(app);
        QVERIFY(!image1.empty());
        QVERIFY(envCurrent(app, m_id, "dev").is_null());

        // 2. deploy dev
        nlohmann::json op = deliver(app, "deployment", {{"project_id", m_id}});
        QCOMPARE(op["status"], "completed");
        QCOMPARE(op["kind"], "deploy");
        const QByteArray devRendered = readArtifact(app, m_id, "deploy/dev/rendered.yaml");
        QVERIFY(contains(devRendered, "image: " + image1));
        QVERIFY(contains(devRendered, "namespace: " + m_id + "-dev"));
        QVERIFY(contains(devRendered, "LOG_LEVEL"));
        QVERIFY(contains(readArtifact(app, m_id, "deploy/dev/deployment.yaml"), "kind: Deployment"));
        QVERIFY(!contains(readArtifact(app, m_id, "deploy/dev/deployment.yaml"), "kind: Service"));
        QVERIFY(contains(readArtifact(app, m_id, "deploy/dev/service.yaml"), "kind: Service"));
        QCOMPARE(readArtifact(app, m_id, "releases/dev/1/rendered.yaml"), devRendered);
        nlohmann::json history = app.get(QString::fromStdString("/api/projects/" + m_id + "/releases?env=dev")).json();
        QCOMPARE(history["releases"].size(), size_t(1));
        QCOMPARE(history["releases"][0]["number"], 1);
        QCOMPARE(history["releases"][0]["image"], image1);
        QCOMPARE(history["releases"][0]["op_id"], op["id"]);
        QCOMPARE(history["releases"][0]["trigger"], "deploy");
        QCOMPARE(history["releases"][0]["rendered_digest"], sha256Of(devRendered));
        QCOMPARE(envCurrent(app, m_id, "dev")["number"], 1);

        // 3. promote dev -> staging: the build moves, staging keeps its config.
        op = deliver(app, "promotion", {{"project_id", m_id}, {"from_env", "dev"}, {"to_env", "staging"}});
        QCOMPARE(op["status"], "completed");
        QCOMPARE(op["kind"], "promote");
        QCOMPARE(op["classification"], "promote");
        const QByteArray stagingRendered = readArtifact(app, m_id, "promotions/dev-to-staging/rendered.yaml");
        QVERIFY(contains(stagingRendered, "image: " + image1));
        QVERIFY(contains(stagingRendered, "namespace: " + m_id + "-staging"));
        QVERIFY(contains(stagingRendered, "GREETING"));
        QVERIFY(!contains(stagingRendered, "LOG_LEVEL"));
        QCOMPARE(readArtifact(app, m_id, "releases/staging/1/rendered.yaml"), stagingRendered);
        QVERIFY(!QFile::exists(artifactPath(app, m_id, "deploy/staging/rendered.yaml")));

        // 4. release staging -> prod (from/to aliases)
        op = deliver(app, "release", {{"project_id", m_id}, {"from", "staging"}, {"to", "prod"}});
        QCOMPARE(op["status"], "completed");
        QCOMPARE(op["kind"], "release");
        QCOMPARE(op["classification"], "release");
        const QByteArray prod1 = readArtifact(app, m_id, "releases/staging-to-prod/rendered.yaml");
        QVERIFY(contains(prod1, "image: " + image1));
        QVERIFY(contains(prod1, "replicas: 2"));
        QVERIFY(contains(prod1, "containerPort: 9090"));
        QCOMPARE(readArtifact(app, m_id, "releases/prod/1/rendered.yaml"), prod1);

        // Diff before promote for a known change: staging's GREETING changes in the spec.
        const HttpResult updated = postEvent(app, "registration",
            {{"action", "update"}, {"project_id", m_id}, {"spec", deliverySpec("shop", "hola", 3)}});
        QCOMPARE(app.waitForOp(acceptedOp(updated))["status"], "completed");
        QCOMPARE(deliver(app, "deployment", {{"project_id", m_id}})["status"], "completed");
        const nlohmann::json diff = app.get(QString::fromStdString("/api/projects/" + m_id + "/diff?from=dev&to=staging")).json();
        QCOMPARE(diff["from"], "dev");
        QCOMPARE(diff["to"], "staging");
        QCOMPARE(diff["changed"], true);
        const std::string unified = diff["unified"].get<std::string>();
        QVERIFY2(hasLine(unified, '-', "value: hello"), unified.c_str());
        QVERIFY2(hasLine(unified, '+', "value: hola"), unified.c_str());
        QVERIFY2(!hasLine(unified, '-', "image:") && !hasLine(unified, '+', "image:"), unified.c_str());
        QVERIFY(unified.rfind("--- staging/current/rendered.yaml\n+++ ", 0) == 0);
        QCOMPARE(diff["objects"].size(), size_t(1));
        QCOMPARE(diff["objects"][0]["kind"], "Deployment");
        QCOMPARE(diff["objects"][0]["change"], "changed");
        QCOMPARE(diff["objects"][0]["fields"].size(), size_t(1));
        QCOMPARE(diff["objects"][0]["fields"][0]["from"], "hello");
        QCOMPARE(diff["objects"][0]["fields"][0]["to"], "hola");

        // 5. a second CI build, deployed to dev and promoted up to prod
        QCOMPARE(secondBuild(app), "completed");
        const std::string image2 = image(app);
        QVERIFY(!image2.empty() && image2 != image1);
        QCOMPARE(deliver(app, "deployment", {{"project_id", m_id}, {"environment", "dev"}})["status"], "completed");
        QCOMPARE(envCurrent(app, m_id, "dev")["number"], 3);
        QCOMPARE(envCurrent(app, m_id, "dev")["image"], image2);
        QCOMPARE(deliver(app, "promotion", {{"project_id", m_id}, {"from_env", "dev"}, {"to_env", "staging"}})["status"],
                 "completed");
        // A promotion into production is classified and handled as a release.
        op = deliver(app, "promotion", {{"project_id", m_id}, {"from_env", "staging"}, {"to_env", "production"}});
        QCOMPARE(op["status"], "completed");
        QCOMPARE(op["kind"], "release");
        QCOMPARE(op["classification"], "release");
        const QByteArray prod2 = readArtifact(app, m_id, "releases/staging-to-prod/rendered.yaml");
        QVERIFY(contains(prod2, "image: " + image2));
        QVERIFY(contains(prod2, "replicas: 3"));
        QVERIFY(contains(prod2, "value: hola"));
        QCOMPARE(readArtifact(app, m_id, "releases/prod/2/rendered.yaml"), prod2);

        // 6. rollback prod to release 1: image and rendered config restored.
        op = deliver(app, "rollback", {{"project_id", m_id}, {"environment", "prod"}, {"release", 1}});
        QCOMPARE(op["status"], "completed");
        QCOMPARE(op["kind"], "rollback");
        const nlohmann::json prodNow = envCurrent(app, m_id, "prod");
        QCOMPARE(prodNow["number"], 3);
        QCOMPARE(prodNow["image"], image1);
        QCOMPARE(readArtifact(app, m_id, "releases/prod/3/rendered.yaml"), prod1);
        QCOMPARE(readArtifact(app, m_id, "deploy/prod/rendered.yaml"), prod1);
        QVERIFY(contains(readArtifact(app, m_id, "deploy/prod/deployment.yaml"), "replicas: 2"));
        QVERIFY(contains(readArtifact(app, m_id, "deploy/prod/service.yaml"), "port: 9090"));
        history = app.get(QString::fromStdString("/api/projects/" + m_id + "/releases?env=production")).json();
        QCOMPARE(history["environment"], "prod");
        QCOMPARE(history["releases"].size(), size_t(3));
        QCOMPARE(history["releases"][0]["number"], 3);
        QCOMPARE(history["releases"][0]["trigger"], "rollback to release 1");
        QCOMPARE(history["releases"][0]["current"], true);
        QCOMPARE(history["releases"][2]["number"], 1);
        QCOMPARE(history["releases"][1]["trigger"], "release from staging");

        // Every delivery is one manifests commit with the platform-sync subject.
        const QString i1 = QString::fromStdString(image1), i2 = QString::fromStdString(image2);
        const QStringList expected{"platform-sync: deploy dev " + i1, "platform-sync: promote staging " + i1,
                                   "platform-sync: release prod " + i1, "platform-sync: deploy dev " + i1,
                                   "platform-sync: deploy dev " + i2, "platform-sync: promote staging " + i2,
                                   "platform-sync: release prod " + i2, "platform-sync: rollback prod " + i1};
        QCOMPARE(deliverySubjects(app, m_id), expected);

        // kubectl kustomize builds every overlay, pinned to what runs there.
        const std::map<std::string, std::string> runs{{"dev", image2}, {"staging", image2}, {"prod", image1}};
        for (const auto& [env, img] : runs) {
            int code = -1;
            const std::string built = kustomize(app, m_id, env, &code);
            QVERIFY2(code == 0, built.c_str());
            QVERIFY2(built.find("image: " + img) != std::string::npos, built.c_str());
            QVERIFY(built.find("namespace: " + m_id + "-" + env) != std::string::npos);
        }
        int code = -1;
        const std::string prodBuilt = kustomize(app, m_id, "prod", &code);
        QVERIFY2(prodBuilt.find("replicas: 2") != std::string::npos, prodBuilt.c_str());  // restored config
        QVERIFY(prodBuilt.find("value: hello") != std::string::npos);

        // Ops and release history survive a restart; the pipeline goes on.
        const std::string rollbackOp = op["id"].get<std::string>();
        QVERIFY(app.stop());
        PaasProcess second(app.root());
        QVERIFY2(second.start(), second.output().constData());
        const nlohmann::json again = second.get(QString::fromStdString("/api/ops/" + rollbackOp)).json();
        QCOMPARE(again["status"], "completed");
        QCOMPARE(again["kind"], "rollback");
        history = second.get(QString::fromStdString("/api/projects/" + m_id + "/releases?env=prod")).json();
        QCOMPARE(history["releases"].size(), size_t(3));
        QCOMPARE(envCurrent(second, m_id, "prod")["number"], 3);
        op = deliver(second, "rollback", {{"project_id", m_id}, {"environment", "prod"}});  // default: previous (2)
        QCOMPARE(op["status"], "completed");
        QCOMPARE(envCurrent(second, m_id, "prod")["number"], 4);
        QCOMPARE(envCurrent(second, m_id, "prod")["image"], image2);
        QCOMPARE(readArtifact(second, m_id, "deploy/prod/rendered.yaml"), prod2);
        const nlohmann::json all = second.get(QString::fromStdString("/api/projects/" + m_id + "/releases")).json();
        QCOMPARE(all["releases"].size(), size_t(3 + 2 + 4));
        QCOMPARE(all["releases"][0]["environment"], "prod");
        QVERIFY(second.stop());
    }
};

QTEST_GUILESS_MAIN(TestDeliveryPath)
#include "tst_deliverypath.moc"
