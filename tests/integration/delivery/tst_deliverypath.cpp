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
        if (line.startsWith(QChar(op)) && !line.startsWith(QString(3, QChar(op))) &&
            line.mid(1).trimmed().startsWith(QString::fromStdString(text)))
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

    std::unique_ptr<PaasProcess> m_app;
    std::string m_id, m_image1, m_image2;
    QByteArray m_prod1, m_prod2;
    std::string m_rollbackOp;

    std::string image(const PaasProcess& app) const
    {
        return app.get(QString::fromStdString("/api/projects/" + m_id)).json()["image"].value("ref", "");
    }

    nlohmann::json history(const PaasProcess& app, const std::string& env) const
    {
        return app.get(QString::fromStdString("/api/projects/" + m_id + "/releases?env=" + env)).json();
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
        const QStringList git{
            "-C", src, "-c", "user.name=dev", "-c", "user.email=dev@example.com", "-c", "core.hooksPath=/dev/null"};
        if (run("git", git + QStringList{"add", "index.html"}) != 0 ||
            run("git", git + QStringList{"commit", "-q", "-m", "version 2"}) != 0)
            return {};
        QByteArray sha;
        run("git", {"-C", src, "rev-parse", "HEAD"}, {}, &sha);
        const HttpResult r =
            app.post("/api/webhooks/source", {{"project_id", m_id}, {"commit", sha.trimmed().toStdString()}});
        const std::string op = acceptedOp(r);
        return op.empty() ? std::string() : app.waitForOp(op).value("status", "");
    }

private Q_SLOTS:
    // The stages run in declaration order on one app and one project.
    void s1_create()
    {
        m_app = std::make_unique<PaasProcess>();
        QVERIFY2(m_app->start(), m_app->output().constData());
        const HttpResult created =
            postEvent(*m_app, "registration", {{"action", "create"}, {"spec", deliverySpec("shop")}});
        QCOMPARE(created.status, 202);
        m_id = created.json()["op"]["project_id"].get<std::string>();
        QCOMPARE(m_app->waitForOp(acceptedOp(created))["status"], "completed");
        m_image1 = image(*m_app);
        QVERIFY(!m_image1.empty());
        QVERIFY(envCurrent(*m_app, m_id, "dev").is_null());
    }

    void s2_deployDev()
    {
        QVERIFY(m_app && !m_image1.empty());
        const nlohmann::json op = deliver(*m_app, "deployment", {{"project_id", m_id}});
        QCOMPARE(op["status"], "completed");
        QCOMPARE(op["kind"], "deploy");
        const QByteArray rendered = readArtifact(*m_app, m_id, "deploy/dev/rendered.yaml");
        QVERIFY(contains(rendered, "image: " + m_image1));
        QVERIFY(contains(rendered, "namespace: " + m_id + "-dev"));
        QVERIFY(contains(rendered, "LOG_LEVEL"));
        QVERIFY(contains(readArtifact(*m_app, m_id, "deploy/dev/deployment.yaml"), "kind: Deployment"));
        QVERIFY(!contains(readArtifact(*m_app, m_id, "deploy/dev/deployment.yaml"), "kind: Service"));
        QVERIFY(contains(readArtifact(*m_app, m_id, "deploy/dev/service.yaml"), "kind: Service"));
        QCOMPARE(readArtifact(*m_app, m_id, "releases/dev/1/rendered.yaml"), rendered);
        const nlohmann::json h = history(*m_app, "dev");
        QCOMPARE(h["releases"].size(), size_t(1));
        QCOMPARE(h["releases"][0]["number"], 1);
        QCOMPARE(h["releases"][0]["image"], m_image1);
        QCOMPARE(h["releases"][0]["op_id"], op["id"]);
        QCOMPARE(h["releases"][0]["trigger"], "deploy");
        QCOMPARE(h["releases"][0]["rendered_digest"], sha256Of(rendered));
        QCOMPARE(envCurrent(*m_app, m_id, "dev")["number"], 1);
    }

    // The build moves, staging keeps its own config.
    void s3_promoteDevToStaging()
    {
        QVERIFY(m_app && !m_image1.empty());
        const nlohmann::json op =
            deliver(*m_app, "promotion", {{"project_id", m_id}, {"from_env", "dev"}, {"to_env", "staging"}});
        QCOMPARE(op["status"], "completed");
        QCOMPARE(op["kind"], "promote");
        QCOMPARE(op["classification"], "promote");
        const QByteArray rendered = readArtifact(*m_app, m_id, "promotions/dev-to-staging/rendered.yaml");
        QVERIFY(contains(rendered, "image: " + m_image1));
        QVERIFY(contains(rendered, "namespace: " + m_id + "-staging"));
        QVERIFY(contains(rendered, "GREETING"));
        QVERIFY(!contains(rendered, "LOG_LEVEL"));
        QCOMPARE(readArtifact(*m_app, m_id, "releases/staging/1/rendered.yaml"), rendered);
        QVERIFY(!QFile::exists(artifactPath(*m_app, m_id, "deploy/staging/rendered.yaml")));
    }

    void s4_releaseStagingToProd()
    {
        QVERIFY(m_app && !m_image1.empty());
        const nlohmann::json op =
            deliver(*m_app, "release", {{"project_id", m_id}, {"from", "staging"}, {"to", "prod"}});
        QCOMPARE(op["status"], "completed");
        QCOMPARE(op["kind"], "release");
        QCOMPARE(op["classification"], "release");
        m_prod1 = readArtifact(*m_app, m_id, "releases/staging-to-prod/rendered.yaml");
        QVERIFY(contains(m_prod1, "image: " + m_image1));
        QVERIFY(contains(m_prod1, "replicas: 2"));
        QVERIFY(contains(m_prod1, "containerPort: 9090"));
        QCOMPARE(readArtifact(*m_app, m_id, "releases/prod/1/rendered.yaml"), m_prod1);
    }

    // A known change: staging's GREETING (and prod's replicas) change in the spec.
    void s5_diffBeforePromote()
    {
        QVERIFY(m_app && !m_prod1.isEmpty());
        const HttpResult updated =
            postEvent(*m_app, "registration",
                      {{"action", "update"}, {"project_id", m_id}, {"spec", deliverySpec("shop", "hola", 3)}});
        QCOMPARE(m_app->waitForOp(acceptedOp(updated))["status"], "completed");
        QCOMPARE(deliver(*m_app, "deployment", {{"project_id", m_id}})["status"], "completed");
        const nlohmann::json diff =
            m_app->get(QString::fromStdString("/api/projects/" + m_id + "/diff?from=dev&to=staging")).json();
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
    }

    void s6_secondBuildDeployedAndPromoted()
    {
        QVERIFY(m_app && !m_prod1.isEmpty());
        QCOMPARE(secondBuild(*m_app), "completed");
        m_image2 = image(*m_app);
        QVERIFY(!m_image2.empty() && m_image2 != m_image1);
        QCOMPARE(deliver(*m_app, "deployment", {{"project_id", m_id}, {"environment", "dev"}})["status"], "completed");
        QCOMPARE(envCurrent(*m_app, m_id, "dev")["number"], 3);
        QCOMPARE(envCurrent(*m_app, m_id, "dev")["image"], m_image2);
        QCOMPARE(
            deliver(*m_app, "promotion", {{"project_id", m_id}, {"from_env", "dev"}, {"to_env", "staging"}})["status"],
            "completed");
        // A promotion into production is classified and handled as a release.
        const nlohmann::json op =
            deliver(*m_app, "promotion", {{"project_id", m_id}, {"from_env", "staging"}, {"to_env", "production"}});
        QCOMPARE(op["status"], "completed");
        QCOMPARE(op["kind"], "release");
        QCOMPARE(op["classification"], "release");
        const HttpResult events =
            m_app->get(QString::fromStdString("/api/ops/" + op["id"].get<std::string>() + "/events"));
        QVERIFY2(events.body.contains("\"classification\":\"release\""), events.body.constData());
        m_prod2 = readArtifact(*m_app, m_id, "releases/staging-to-prod/rendered.yaml");
        QVERIFY(contains(m_prod2, "image: " + m_image2));
        QVERIFY(contains(m_prod2, "replicas: 3"));
        QVERIFY(contains(m_prod2, "value: hola"));
        QCOMPARE(readArtifact(*m_app, m_id, "releases/prod/2/rendered.yaml"), m_prod2);
    }

    // The image and the rendered config of release 1 come back.
    void s7_rollbackProdToRelease1()
    {
        QVERIFY(m_app && !m_prod2.isEmpty());
        const nlohmann::json op =
            deliver(*m_app, "rollback", {{"project_id", m_id}, {"environment", "prod"}, {"release", 1}});
        QCOMPARE(op["status"], "completed");
        QCOMPARE(op["kind"], "rollback");
        m_rollbackOp = op["id"].get<std::string>();
        const nlohmann::json prodNow = envCurrent(*m_app, m_id, "prod");
        QCOMPARE(prodNow["number"], 3);
        QCOMPARE(prodNow["image"], m_image1);
        QCOMPARE(readArtifact(*m_app, m_id, "releases/prod/3/rendered.yaml"), m_prod1);
        QCOMPARE(readArtifact(*m_app, m_id, "deploy/prod/rendered.yaml"), m_prod1);
        QVERIFY(contains(readArtifact(*m_app, m_id, "deploy/prod/deployment.yaml"), "replicas: 2"));
        QVERIFY(contains(readArtifact(*m_app, m_id, "deploy/prod/service.yaml"), "port: 9090"));
        const nlohmann::json h = history(*m_app, "production");
        QCOMPARE(h["environment"], "prod");
        QCOMPARE(h["releases"].size(), size_t(3));
        QCOMPARE(h["releases"][0]["number"], 3);
        QCOMPARE(h["releases"][0]["trigger"], "rollback to release 1");
        QCOMPARE(h["releases"][0]["current"], true);
        QCOMPARE(h["releases"][1]["trigger"], "release from staging");
        QCOMPARE(h["releases"][2]["number"], 1);
    }

    // Every delivery is one manifests commit with the platform-sync subject.
    void s8_manifestsCommits()
    {
        QVERIFY(m_app && !m_rollbackOp.empty());
        const QString i1 = QString::fromStdString(m_image1), i2 = QString::fromStdString(m_image2);
        const QStringList expected{"platform-sync: deploy dev " + i1,   "platform-sync: promote staging " + i1,
                                   "platform-sync: release prod " + i1, "platform-sync: deploy dev " + i1,
                                   "platform-sync: deploy dev " + i2,   "platform-sync: promote staging " + i2,
                                   "platform-sync: release prod " + i2, "platform-sync: rollback prod " + i1};
        QCOMPARE(deliverySubjects(*m_app, m_id), expected);
    }

    // kubectl kustomize builds every overlay, pinned to what runs there.
    void s9_kustomizeEveryOverlay()
    {
        QVERIFY(m_app && !m_rollbackOp.empty());
        const std::map<std::string, std::string> runs{{"dev", m_image2}, {"staging", m_image2}, {"prod", m_image1}};
        for (const auto& [env, img] : runs) {
            int code = -1;
            const std::string built = kustomize(*m_app, m_id, env, &code);
            QVERIFY2(code == 0, built.c_str());
            QVERIFY2(built.find("image: " + img) != std::string::npos, built.c_str());
            QVERIFY(built.find("namespace: " + m_id + "-" + env) != std::string::npos);
        }
        int code = -1;
        const std::string prod = kustomize(*m_app, m_id, "prod", &code);
        QVERIFY2(prod.find("replicas: 2") != std::string::npos, prod.c_str());  // the restored config
        QVERIFY(prod.find("value: hello") != std::string::npos);
    }

    // Ops and release history survive a restart; the pipeline goes on.
    void s10_survivesRestart()
    {
        QVERIFY(m_app && !m_rollbackOp.empty());
        QVERIFY(m_app->stop());
        PaasProcess second(m_app->root());
        QVERIFY2(second.start(), second.output().constData());
        const nlohmann::json again = second.get(QString::fromStdString("/api/ops/" + m_rollbackOp)).json();
        QCOMPARE(again["status"], "completed");
        QCOMPARE(again["kind"], "rollback");
        QCOMPARE(history(second, "prod")["releases"].size(), size_t(3));
        QCOMPARE(envCurrent(second, m_id, "prod")["number"], 3);
        const nlohmann::json op = deliver(second, "rollback", {{"project_id", m_id}, {"environment", "prod"}});
        QCOMPARE(op["status"], "completed");  // default: the previous release (2)
        QCOMPARE(envCurrent(second, m_id, "prod")["number"], 4);
        QCOMPARE(envCurrent(second, m_id, "prod")["image"], m_image2);
        QCOMPARE(readArtifact(second, m_id, "deploy/prod/rendered.yaml"), m_prod2);
        const nlohmann::json all = second.get(QString::fromStdString("/api/projects/" + m_id + "/releases")).json();
        QCOMPARE(all["releases"].size(), size_t(3 + 2 + 4));
        QCOMPARE(all["releases"][0]["environment"], "prod");
        QVERIFY(second.stop());
    }

    void cleanupTestCase() { m_app.reset(); }
};

QTEST_GUILESS_MAIN(TestDeliveryPath)
#include "tst_deliverypath.moc"
