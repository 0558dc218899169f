// POST /api/webhooks/source on the real paas binary (artifact mode): which
// events run CI, the answers for everything else, commit resolution, dedupe
// under 50 concurrent identical webhooks, GitHub/Gitea push payloads and the
// X-Hub-Signature-256 check. Also the image builder startup policy with no
// BuildKit reachable (explicit -> builder_unavailable, implicit -> artifact).
// Commits are made with the git CLI with hooks disabled, so the only CI
// triggers are the webhooks these tests send.
#include "tests/integration/ci/citestutil.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QMessageAuthenticationCode>
#include <QtTest>

using namespace paas::test;
using nlohmann::json;

namespace {

constexpr const char* kHook = "/api/webhooks/source";

QByteArray signatureFor(const QByteArray& body, const QByteArray& secret)
{
    return "sha256=" + QMessageAuthenticationCode::hash(body, secret, QCryptographicHash::Sha256).toHex();
}

json githubPush(const std::string& repoName, const std::string& ref, const std::string& after)
{
    return {{"ref", ref},
            {"before", std::string(40, '0')},
            {"after", after},
            {"repository", {{"id", 1}, {"name", repoName}, {"full_name", "someone/" + repoName}}},
            {"pusher", {{"name", "someone"}}},
            {"commits", json::array()}};
}

}  // namespace

class TestCiWebhook : public QObject {
    Q_OBJECT

    PaasProcess m_app;
    std::string m_id;
    QString m_repo;
    int m_seq = 0;
    std::string m_signedId;  // the project with a webhook secret
    QByteArray m_secret;

    std::string commitNoHooks()
    {
        QByteArray out;
        const QString n = QString::number(++m_seq);
        const std::string sha = gitCommit(m_repo, "notes/change-" + n + ".txt", "change " + n.toUtf8() + "\n",
                                          "change " + n, false, gitEnv(), &out);
        if (sha.empty())
            qWarning("git commit failed: %s", out.constData());
        return sha;
    }

    HttpResult hook(const json& body, const Headers& headers = {}, const QString& query = {})
    {
        return m_app.send("POST", QString(kHook) + query, QByteArray::fromStdString(body.dump()), headers);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_app.start(), m_app.output().constData());
        std::string error;
        const json op = createProject(m_app, "ci-rules", {}, &error);
        QVERIFY2(!op.is_null(), error.c_str());
        QCOMPARE(op.value("status", ""), std::string("completed"));
        m_id = op.value("project_id", "");
        m_repo = sourceRepo(m_app, m_id);
        QVERIFY(QFileInfo::exists(m_repo + "/.git/hooks/post-commit"));
        QVERIFY(ciOps(m_app, m_id).empty());
    }

    void otherReposAreRejected()
    {
        for (const char* repo : {"manifests", "other", "SOURCE"}) {
            const HttpResult r = hook({{"project_id", m_id}, {"repo", repo}, {"branch", "main"}});
            QCOMPARE(r.status, 400);
            QCOMPARE(r.json()["error"].value("code", ""), std::string("invalid_repo"));
        }
        QVERIFY(ciOps(m_app, m_id).empty());
    }

    void mainSpellingsAreAccepted_data()
    {
        QTest::addColumn<QString>("branch");
        QTest::addColumn<QString>("ref");
        QTest::addColumn<QString>("repo");
        QTest::newRow("branch main") << "main"
                                     << ""
                                     << "source";
        QTest::newRow("branch heads/main") << "heads/main"
                                           << ""
                                           << "source";
        QTest::newRow("branch refs/heads/main") << "refs/heads/main"
                                                << ""
                                                << "";
        QTest::newRow("ref refs/heads/main") << ""
                                             << "refs/heads/main"
                                             << "";
        QTest::newRow("ref heads/main, repo omitted") << ""
                                                      << "heads/main"
                                                      << "";
    }

    void mainSpellingsAreAccepted()
    {
        QFETCH(QString, branch);
        QFETCH(QString, ref);
        QFETCH(QString, repo);
        const std::string sha = commitNoHooks();
        QVERIFY(!sha.empty());
        json body{{"project_id", m_id}, {"commit", sha}};
        if (!branch.isEmpty())
            body["branch"] = branch.toStdString();
        if (!ref.isEmpty())
            body["ref"] = ref.toStdString();
        if (!repo.isEmpty())
            body["repo"] = repo.toStdString();
        const HttpResult r = hook(body);
        QCOMPARE(r.status, 202);
        const json j = r.json();
        QCOMPARE(j.value("accepted", false), true);
        const json& op = j["op"];
        QCOMPARE(op.value("kind", ""), std::string("ci"));
        QCOMPARE(op.value("project_id", ""), m_id);
        QCOMPARE(op["trigger"].value("source", ""), std::string("webhook"));
        QCOMPARE(op["trigger"].value("commit", ""), sha);
        QCOMPARE(op["trigger"].value("ref", ""), std::string("refs/heads/main"));
        QCOMPARE(r.header("Location").toStdString(), "/api/ops/" + op.value("id", ""));

        const json done = m_app.waitForOp(op.value("id", ""));
        QCOMPARE(done.value("status", ""), std::string("completed"));
        std::vector<std::string> steps;
        for (const json& s : done["steps"])
            steps.push_back(s.value("name", ""));
        QCOMPARE(steps, (std::vector<std::string>{"imageBuilder", "manifestRenderer"}));
        const QString image = QString::fromStdString("paas/" + m_id + ":" + sha.substr(0, 12));
        const QString dir = m_app.artifactsRoot() + "/" + QString::fromStdString(m_id);
        QVERIFY(readFile(dir + "/build/image.txt").startsWith(image.toUtf8()));
        const json publish =
            json::parse(readFile(dir + "/build/publish-local-daemon.json").toStdString(), nullptr, false);
        QCOMPARE(publish.value("commit", ""), sha);
        QCOMPARE(publish.value("effective_mode", ""), std::string("artifact"));
        QCOMPARE(publish.value("requested_mode", ""), std::string("artifact"));
        QCOMPARE(ciOpsFor(m_app, m_id, sha).size(), size_t(1));
    }

    void otherBranchesAreIgnored()
    {
        const size_t before = ciOps(m_app, m_id).size();
        const std::string sha = gitHead(m_repo);
        const std::vector<std::pair<json, std::string>> cases = {
            {{{"project_id", m_id}, {"branch", "feature"}, {"commit", sha}}, "feature"},
            {{{"project_id", m_id}, {"ref", "refs/heads/develop"}, {"commit", sha}}, "develop"},
            {{{"project_id", m_id}, {"branch", "refs/heads/main-old"}}, "main-old"},
            {{{"project_id", m_id}, {"repo", "source"}, {"branch", "heads/release/1.0"}}, "release/1.0"},
        };
        for (const auto& [body, branch] : cases) {
            const HttpResult r = hook(body);
            QCOMPARE(r.status, 200);
            QCOMPARE(r.json(), (json{{"accepted", false}, {"reason", "ignored: branch " + branch + " is not main"}}));
        }
        QCOMPARE(ciOps(m_app, m_id).size(), before);
    }

    void unknownProjectIs404()
    {
        const HttpResult r = hook({{"project_id", "no-such-project"}, {"branch", "main"}, {"commit", "abc123"}});
        QCOMPARE(r.status, 404);
        QVERIFY(r.json()["error"].is_object());
        QVERIFY(!r.json()["error"].value("code", "").empty());
    }

    void malformedIs400()
    {
        const std::vector<QByteArray> bodies = {
            "{not json",
            "",
            "[1,2]",
            "\"main\"",
            R"({"project_id": 5, "branch": "main"})",
            R"({"project_id": "x", "commit": ["a"]})",
            R"({"branch": "main"})",
        };
        for (const QByteArray& body : bodies) {
            const HttpResult r = m_app.send("POST", kHook, body, {{"Content-Type", "application/json"}});
            QVERIFY2(r.status == 400, (body + " -> " + QByteArray::number(r.status) + " " + r.body).constData());
            QVERIFY2(r.json()["error"].is_object() && !r.json()["error"].value("code", "").empty(), r.body.constData());
        }
    }

    void unknownCommitFailsTheOp()
    {
        const std::string missing = "0123456789abcdef0123456789abcdef01234567";
        const HttpResult r = hook({{"project_id", m_id}, {"branch", "main"}, {"commit", missing}});
        QCOMPARE(r.status, 202);
        const json op = m_app.waitForOp(r.json()["op"].value("id", ""));
        QCOMPARE(op.value("status", ""), std::string("failed"));
        QCOMPARE(op["error"].value("code", ""), std::string("unknown_commit"));
        const std::string message = op["error"].value("message", "");
        QVERIFY2(message.find(missing) != std::string::npos, message.c_str());
        QCOMPARE(op["steps"][0].value("name", ""), std::string("imageBuilder"));
        QCOMPARE(op["steps"][0].value("status", ""), std::string("failed"));
        QVERIFY(op["steps"][1].value("status", "") != "completed");
    }

    void noCommitBuildsMainHead()
    {
        const std::string sha = commitNoHooks();
        QVERIFY(!sha.empty());
        const HttpResult r = hook({{"project_id", m_id}, {"repo", "source"}, {"branch", "main"}});
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json()["op"]["trigger"].value("commit", ""), sha);
        QCOMPARE(m_app.waitForOp(r.json()["op"].value("id", "")).value("status", ""), std::string("completed"));
        // HEAD is now processed: the same empty-commit webhook is a duplicate.
        const HttpResult again = hook({{"project_id", m_id}, {"branch", "main"}});
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json().value("reason", ""), std::string("ignored: commit already processed"));
    }

    void shortShaResolvesToFullAndDedupes()
    {
        const std::string sha = commitNoHooks();
        QVERIFY(!sha.empty());
        const HttpResult r = hook({{"project_id", m_id}, {"branch", "main"}, {"commit", sha.substr(0, 10)}});
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json()["op"]["trigger"].value("commit", ""), sha);
        for (const std::string& spelling : {sha, sha.substr(0, 7)}) {
            const HttpResult dup = hook({{"project_id", m_id}, {"ref", "refs/heads/main"}, {"commit", spelling}});
            QCOMPARE(dup.status, 200);
            QCOMPARE(dup.json(), (json{{"accepted", false}, {"reason", "ignored: commit already processed"}}));
        }
        QCOMPARE(m_app.waitForOp(r.json()["op"].value("id", "")).value("status", ""), std::string("completed"));
        QCOMPARE(ciOpsFor(m_app, m_id, sha).size(), size_t(1));
    }

    void fiftyConcurrentIdenticalWebhooksMakeOneOp()
    {
        const std::string sha = commitNoHooks();
        QVERIFY(!sha.empty());
        const size_t before = ciOps(m_app, m_id).size();
        const QByteArray body = QByteArray::fromStdString(
            json{{"project_id", m_id}, {"repo", "source"}, {"branch", "main"}, {"commit", sha}}.dump());
        const std::vector<HttpResult> results =
            postConcurrently(m_app.url() + kHook, std::vector<QByteArray>(50, body));
        QCOMPARE(results.size(), size_t(50));
        int accepted = 0, deduped = 0;
        std::string opId;
        for (const HttpResult& r : results) {
            if (r.status == 202) {
                ++accepted;
                opId = r.json()["op"].value("id", "");
            } else if (r.status == 200 && r.json().value("reason", "") == "ignored: commit already processed") {
                ++deduped;
            } else {
                QFAIL(("unexpected answer " + QByteArray::number(r.status) + " " + r.body).constData());
            }
        }
        QCOMPARE(accepted, 1);
        QCOMPARE(deduped, 49);
        QCOMPARE(m_app.waitForOp(opId).value("status", ""), std::string("completed"));
        QCOMPARE(ciOps(m_app, m_id).size(), before + 1);
        const std::vector<json> forCommit = ciOpsFor(m_app, m_id, sha);
        QCOMPARE(forCommit.size(), size_t(1));
        QCOMPARE(forCommit.front().value("id", ""), opId);
    }

    void concurrentWebhooksAcrossTwoInstancesMakeOneOp()
    {
        // A second instance joins the first one's NATS (PAAS_NATS_URL) and
        // shares its artifacts root: one JetStream, two API processes. The
        // dedupe marker must hold across them, not just inside one process.
        const json nats = m_app.get("/api/system").json()["nats"];
        const std::string natsUrl = nats.is_object() ? nats.value("url", "") : "";
        QVERIFY2(!natsUrl.empty(), nats.dump().c_str());
        PaasProcess second(m_app.root());
        second.env().insert("PAAS_NATS_URL", QString::fromStdString(natsUrl));
        second.env().insert("PAAS_NATS_STORE_DIR", m_app.root() + "/nats-unused");
        QVERIFY2(second.start(), second.output().constData());
        QCOMPARE(second.get("/api/system").json()["nats"].value("mode", ""), std::string("external"));

        for (int round = 0; round < 3; ++round) {
            const std::string sha = commitNoHooks();
            QVERIFY(!sha.empty());
            const QByteArray body =
                QByteArray::fromStdString(json{{"project_id", m_id}, {"branch", "main"}, {"commit", sha}}.dump());
            std::vector<QString> urls;
            for (int i = 0; i < 50; ++i)
                urls.push_back((i % 2 ? second.url() : m_app.url()) + kHook);
            const std::vector<HttpResult> results = postConcurrently(urls, std::vector<QByteArray>(50, body));
            int accepted = 0, deduped = 0;
            std::string opId;
            for (const HttpResult& r : results) {
                if (r.status == 202) {
                    ++accepted;
                    opId = r.json()["op"].value("id", "");
                }
                deduped += r.status == 200 && r.json().value("reason", "") == "ignored: commit already processed";
            }
            QCOMPARE(accepted, 1);
            QCOMPARE(deduped, 49);
            QCOMPARE(m_app.waitForOp(opId).value("status", ""), std::string("completed"));
            QCOMPARE(ciOpsFor(m_app, m_id, sha).size(), size_t(1));
            QCOMPARE(ciOpsFor(second, m_id, sha).size(), size_t(1));
        }
        QVERIFY(second.stop());
    }

    void forgePushPayloadsAreAccepted()
    {
        // GitHub/Gitea push: project from repository.name ...
        const std::string a = commitNoHooks();
        HttpResult r = hook(githubPush(m_id, "refs/heads/main", a), {{"X-GitHub-Event", "push"}});
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json()["op"].value("kind", ""), std::string("ci"));
        QCOMPARE(r.json()["op"]["trigger"].value("commit", ""), a);
        QCOMPARE(r.json()["op"]["trigger"].value("ref", ""), std::string("refs/heads/main"));
        QCOMPARE(m_app.waitForOp(r.json()["op"].value("id", "")).value("status", ""), std::string("completed"));
        // ... or from ?project_id= when the forge repository is named differently.
        const std::string b = commitNoHooks();
        json gitea = githubPush("my-forge-repo", "refs/heads/main", b);
        gitea["repository"]["owner"] = {{"login", "someone"}};
        r = hook(gitea, {{"X-Gitea-Event", "push"}}, "?project_id=" + QString::fromStdString(m_id));
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json()["op"]["trigger"].value("commit", ""), b);
        QCOMPARE(m_app.waitForOp(r.json()["op"].value("id", "")).value("status", ""), std::string("completed"));
        // A push to another branch is ignored; a re-delivery is deduped.
        r = hook(githubPush(m_id, "refs/heads/topic", b));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value("reason", ""), std::string("ignored: branch topic is not main"));
        r = hook(githubPush(m_id, "refs/heads/main", a));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value("reason", ""), std::string("ignored: commit already processed"));
        r = hook(githubPush("unknown-forge-repo", "refs/heads/main", a));
        QCOMPARE(r.status, 404);
    }

    void webhookSecretIsStoredButNeverReturned()
    {
        m_secret = "s3cr3t-" + QByteArray::number(QDateTime::currentMSecsSinceEpoch());
        std::string error;
        const json created = createProject(m_app, "ci-signed", {{"webhook_secret", m_secret.toStdString()}}, &error);
        QVERIFY2(!created.is_null(), error.c_str());
        QCOMPARE(created.value("status", ""), std::string("completed"));
        m_signedId = created.value("project_id", "");

        const HttpResult project = m_app.get("/api/projects/" + QString::fromStdString(m_signedId));
        QCOMPARE(project.status, 200);
        QVERIFY(!project.body.contains(m_secret));
        QVERIFY(!project.json().contains("webhook_secret"));
        QCOMPARE(project.json().value("webhook_secret_set", false), true);
        QVERIFY(!m_app.get("/api/projects").body.contains(m_secret));
        QVERIFY(!m_app.get("/api/ops/" + QString::fromStdString(created.value("id", ""))).body.contains(m_secret));
        QDirIterator it(m_app.artifactsRoot() + "/" + QString::fromStdString(m_signedId), QDir::Files | QDir::Hidden,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            QVERIFY2(!readFile(file).contains(m_secret), qPrintable("secret leaked into " + file));
        }
    }

    void webhookSecretRequiresAValidSignature()
    {
        QVERIFY(!m_signedId.empty());
        QByteArray out;
        const std::string sha =
            gitCommit(sourceRepo(m_app, m_signedId), "signed.txt", "signed\n", "signed change", false, gitEnv(), &out);
        QVERIFY2(!sha.empty(), out.constData());
        const QByteArray body = QByteArray::fromStdString(githubPush(m_signedId, "refs/heads/main", sha).dump());
        const Headers jsonType{{"Content-Type", "application/json"}};
        HttpResult r = m_app.send("POST", kHook, body, jsonType);
        QCOMPARE(r.status, 401);
        QCOMPARE(r.json()["error"].value("code", ""), std::string("invalid_signature"));
        for (const QByteArray& wrong :
             {signatureFor(body, "not-the-secret"), signatureFor(body + " ", m_secret),
              signatureFor(body, m_secret).toUpper(), QByteArray("sha256="), signatureFor(body, m_secret).mid(7)}) {
            r = m_app.send("POST", kHook, body, jsonType + Headers{{"X-Hub-Signature-256", wrong}});
            QVERIFY2(r.status == 401, wrong.constData());
        }
        // Plain (non-forge) payloads are checked too.
        const QByteArray plain =
            QByteArray::fromStdString(json{{"project_id", m_signedId}, {"branch", "main"}, {"commit", sha}}.dump());
        QCOMPARE(m_app.send("POST", kHook, plain, jsonType).status, 401);
        QVERIFY(ciOps(m_app, m_signedId).empty());

        r = m_app.send("POST", kHook, body, jsonType + Headers{{"X-Hub-Signature-256", signatureFor(body, m_secret)}});
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json()["op"]["trigger"].value("commit", ""), sha);
        QCOMPARE(m_app.waitForOp(r.json()["op"].value("id", "")).value("status", ""), std::string("completed"));
    }

    void updateReplacesTheWebhookSecret()
    {
        QVERIFY(!m_signedId.empty());
        const QByteArray rotated = m_secret + "-rotated";
        const HttpResult update = m_app.post("/api/events/registration", {{"action", "update"},
                                                                          {"project_id", m_signedId},
                                                                          {"spec", specFor("ci-signed")},
                                                                          {"webhook_secret", rotated.toStdString()}});
        QCOMPARE(update.status, 202);
        QCOMPARE(m_app.waitForOp(update.json()["op"].value("id", "")).value("status", ""), std::string("completed"));
        QByteArray out;
        const std::string next = gitCommit(sourceRepo(m_app, m_signedId), "signed.txt", "signed again\n",
                                           "signed change 2", false, gitEnv(), &out);
        QVERIFY2(!next.empty(), out.constData());
        const QByteArray body = QByteArray::fromStdString(githubPush(m_signedId, "refs/heads/main", next).dump());
        const Headers jsonType{{"Content-Type", "application/json"}};
        HttpResult r =
            m_app.send("POST", kHook, body, jsonType + Headers{{"X-Hub-Signature-256", signatureFor(body, m_secret)}});
        QCOMPARE(r.status, 401);
        r = m_app.send("POST", kHook, body, jsonType + Headers{{"X-Hub-Signature-256", signatureFor(body, rotated)}});
        QCOMPARE(r.status, 202);
        QCOMPARE(m_app.waitForOp(r.json()["op"].value("id", "")).value("status", ""), std::string("completed"));
        QVERIFY(!m_app.get("/api/projects/" + QString::fromStdString(m_signedId)).body.contains(rotated));
    }

    // --- image builder policy without any BuildKit ---------------------------

    void explicitBuildKitUnreachableFailsBuildsWithPolicyError()
    {
        PaasProcess app;
        app.env().insert("PAAS_IMAGE_BUILDER_MODE", "buildkit");
        app.env().insert("PAAS_BUILDKIT_ADDR", "unix:///nonexistent.sock");
        QVERIFY2(app.start(), app.output().constData());
        QCOMPARE(app.get("/healthz").status, 200);
        QVERIFY2(app.output().contains("Image builder: requested=buildkit (explicit) effective=buildkit"),
                 app.output().constData());
        const json builder = app.get("/api/system").json()["image_builder"];
        QCOMPARE(builder.value("requested", ""), std::string("buildkit"));
        QCOMPARE(builder.value("requested_explicitly", false), true);
        const std::string reason = builder.value("reason", "");
        QVERIFY2(reason.find("policy") != std::string::npos && reason.find("unreachable") != std::string::npos,
                 reason.c_str());

        std::string error;
        const json op = createProject(app, "ci-explicit", {}, &error);
        QVERIFY2(!op.is_null(), error.c_str());
        QCOMPARE(op.value("status", ""), std::string("failed"));
        QCOMPARE(op["error"].value("code", ""), std::string("builder_unavailable"));
        const std::string message = op["error"].value("message", "");
        QVERIFY2(message.find("PAAS_IMAGE_BUILDER_MODE=buildkit") != std::string::npos, message.c_str());
        const std::string id = op.value("project_id", "");
        const QString dir = app.artifactsRoot() + "/" + QString::fromStdString(id);
        QVERIFY2(!QFileInfo::exists(dir + "/build/image.txt"), "no image may be claimed");
        QVERIFY(app.get("/api/projects/" + QString::fromStdString(id)).json()["image"].is_null());

        // A ci op fails the same way; the app keeps serving.
        const HttpResult r = app.post(kHook, {{"project_id", id}, {"branch", "main"}});
        QCOMPARE(r.status, 202);
        const json ci = app.waitForOp(r.json()["op"].value("id", ""));
        QCOMPARE(ci.value("status", ""), std::string("failed"));
        QCOMPARE(ci["error"].value("code", ""), std::string("builder_unavailable"));
        QCOMPARE(app.get("/healthz").status, 200);
    }

    void implicitBuildKitUnreachableFallsBackToArtifact()
    {
        PaasProcess app;
        app.env().remove("PAAS_IMAGE_BUILDER_MODE");
        app.env().insert("PAAS_BUILDKIT_ADDR", "unix:///nonexistent.sock");
        QVERIFY2(app.start(), app.output().constData());
        QVERIFY2(app.output().contains("Image builder: requested=buildkit (implicit) effective=artifact"),
                 app.output().constData());
        const json builder = app.get("/api/system").json()["image_builder"];
        QCOMPARE(builder.value("requested", ""), std::string("buildkit"));
        QCOMPARE(builder.value("requested_explicitly", true), false);
        QCOMPARE(builder.value("effective", ""), std::string("artifact"));
        const std::string reason = builder.value("reason", "");
        QVERIFY2(reason.find("fallback") != std::string::npos, reason.c_str());

        std::string error;
        const json op = createProject(app, "ci-implicit", {}, &error);
        QVERIFY2(!op.is_null(), error.c_str());
        QCOMPARE(op.value("status", ""), std::string("completed"));
        const QString dir = app.artifactsRoot() + "/" + op.value("project_id", "").c_str();
        const json publish =
            json::parse(readFile(dir + "/build/publish-local-daemon.json").toStdString(), nullptr, false);
        QCOMPARE(publish.value("requested_mode", ""), std::string("buildkit"));
        QCOMPARE(publish.value("requested_explicitly", true), false);
        QCOMPARE(publish.value("effective_mode", ""), std::string("artifact"));
        QCOMPARE(publish.value("published", true), false);
        QVERIFY(!QFileInfo::exists(dir + "/build/buildkit-summary.txt"));
    }
};

QTEST_GUILESS_MAIN(TestCiWebhook)
#include "tst_ciwebhook.moc"
