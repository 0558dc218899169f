// Issue 3, the happy paths as a real client sees them: the real `paas`
// binary (embedded nats-server, artifact builder mode), driven over HTTP.
// create/update/delete through the event API and the legacy API with every
// artifact path checked, `kubectl kustomize` on the manifests repo, and the
// source repo's hooks fired by real `git commit`s.
#include "tests/integration/registration/regsupport.h"

#include <QDirIterator>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

using namespace paas::test;
using namespace paas::test::reg;

namespace {

QProcessEnvironment gitEnv()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("GIT_AUTHOR_NAME", "Reg Test");
    env.insert("GIT_AUTHOR_EMAIL", "regtest@example.com");
    env.insert("GIT_COMMITTER_NAME", "Reg Test");
    env.insert("GIT_COMMITTER_EMAIL", "regtest@example.com");
    env.remove("PAAS_LOCAL_API_BASE_URL");  // the hook must find the app by itself
    return env;
}

QByteArray git(const QString& repo, const QStringList& args, int* rc = nullptr)
{
    QByteArray out;
    const int code = run("git", args, repo, &out, 60000, gitEnv());
    if (rc)
        *rc = code;
    return out.trimmed();
}

// All YAML documents of a file, as (kind -> node).
std::map<std::string, YAML::Node> docsByKind(const QByteArray& text)
{
    std::map<std::string, YAML::Node> out;
    for (const YAML::Node& doc : YAML::LoadAll(text.toStdString()))
        if (doc.IsMap() && doc["kind"])
            out[doc["kind"].as<std::string>()] = doc;
    return out;
}

std::string envVar(const YAML::Node& deployment, const std::string& name)
{
    for (const YAML::Node& e : deployment["spec"]["template"]["spec"]["containers"][0]["env"])
        if (e["name"].as<std::string>() == name)
            return e["value"].as<std::string>();
    return {};
}

}  // namespace

class TestRegPipeline : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<PaasProcess> m_app;

    // 202 + op id, then waits for the op; returns the final op.
    nlohmann::json runEvent(const nlohmann::json& body)
    {
        const HttpResult r = m_app->post("/api/events/registration", body);
        if (r.status != 202 || r.json().value("accepted", false) != true)
            return {{"http_status", r.status}, {"body", r.body.toStdString()}};
        return m_app->waitForOp(opIdOf(r));
    }

    // Every artifact of a completed create/update, checked on disk.
    void verifyArtifacts(const std::string& id, const std::string& logLevel)
    {
        const QString dir = projectDir(*m_app, id);
        const YAML::Node project = YAML::Load(readFile(dir + "/registration/project.yaml").toStdString());
        QCOMPARE(project["name"].as<std::string>(), id);
        QCOMPARE(project["kind"].as<std::string>(), std::string("App"));
        QCOMPARE(project["environments"]["dev"]["vars"]["LOG_LEVEL"].as<std::string>(), logLevel);
        const nlohmann::json reg =
            nlohmann::json::parse(readFile(dir + "/registration/registration.json").toStdString());
        QCOMPARE(reg.value("project_id", ""), id);
        QCOMPARE(reg["spec"]["environments"]["dev"]["vars"]["LOG_LEVEL"], logLevel);

        const QString source = dir + "/repos/source";
        QVERIFY(QFile::exists(source + "/Dockerfile"));
        QVERIFY(readFile(source + "/Dockerfile").contains("FROM scratch"));  // static template
        QCOMPARE(git(source, {"symbolic-ref", "--short", "HEAD"}), QByteArray("main"));
        const QByteArray head = git(source, {"rev-parse", "main"});
        QCOMPARE(head.size(), 40);
        QVERIFY(QFileInfo(source + "/.git/hooks/post-commit").isExecutable());
        QVERIFY(QFileInfo(source + "/.git/hooks/post-merge").isExecutable());
        QVERIFY(git(source, {"log", "-1", "--format=%s", "main"}).startsWith("platform-sync:"));

        const QString manifests = dir + "/repos/manifests";
        QVERIFY(QFile::exists(manifests + "/kustomization.yaml"));
        QCOMPARE(git(manifests, {"status", "--porcelain"}), QByteArray());  // rendered files are committed
        QVERIFY(git(manifests, {"log", "-1", "--format=%s", "main"}).startsWith("platform-sync:"));
        const auto rendered = docsByKind(readFile(manifests + "/rendered.yaml"));
        QVERIFY(rendered.count("Deployment") && rendered.count("Service") && rendered.count("NetworkPolicy"));
        const YAML::Node deployment = rendered.at("Deployment");
        const std::string image = "paas/" + id + ":" + head.left(12).toStdString();
        QCOMPARE(deployment["spec"]["template"]["spec"]["containers"][0]["image"].as<std::string>(), image);
        QCOMPARE(envVar(deployment, "LOG_LEVEL"), logLevel);

        QVERIFY(readFile(dir + "/build/Dockerfile").contains("FROM scratch"));
        QCOMPARE(readFile(dir + "/build/image.txt").trimmed().toStdString(), image);
        const nlohmann::json publish =
            nlohmann::json::parse(readFile(dir + "/build/publish-local-daemon.json").toStdString(), nullptr, false);
        QVERIFY2(publish.is_object(), readFile(dir + "/build/publish-local-daemon.json").constData());
        QCOMPARE(publish.value("requested_mode", ""), std::string("artifact"));
        QCOMPARE(publish.value("effective_mode", ""), std::string("artifact"));
        QCOMPARE(publish.value("image", ""), image);
        QCOMPARE(publish.value("commit", ""), head.toStdString());
    }

    void verifyTrashed(const std::string& id)
    {
        QVERIFY(!QFileInfo::exists(projectDir(*m_app, id)));
        const QStringList trashed =
            QDir(m_app->artifactsRoot() + "/.trash").entryList({QString::fromStdString(id) + "-*"}, QDir::Dirs);
        QCOMPARE(trashed.size(), 1);
        const QString kept = m_app->artifactsRoot() + "/.trash/" + trashed.first();
        QVERIFY(QFile::exists(kept + "/repos/source/Dockerfile"));  // the user's source survives
        QVERIFY(QFile::exists(kept + "/registration/project.yaml"));
        // The record goes right after the op turns completed.
        QVERIFY(waitFor([&] { return m_app->get(projectPath(id)).status == 404; }, 30000));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_app = std::make_unique<PaasProcess>();
        QVERIFY2(m_app->start(), m_app->output().constData());
    }

    void eventApiCreateUpdateDelete()
    {
        const std::string id = "evt-life";
        const HttpResult accepted = m_app->post("/api/events/registration", regEvent("create", appSpec(id)));
        QCOMPARE(accepted.status, 202);
        const nlohmann::json body = accepted.json();
        QCOMPARE(body["accepted"], true);
        QCOMPARE(body["op"]["kind"], "create");
        QCOMPARE(body["op"]["project_id"], id);  // derived from the name
        QVERIFY(body["op"]["status"] == "queued" || body["op"]["status"] == "running");
        nlohmann::json op = m_app->waitForOp(opIdOf(accepted));
        QVERIFY2(op["status"] == "completed", describe(op));
        std::vector<std::string> steps;
        for (const auto& s : op["steps"]) {
            steps.push_back(s["name"]);
            QCOMPARE(s["status"], "completed");
            QVERIFY(s["started_at"].is_string() && s["finished_at"].is_string());
        }
        QCOMPARE(steps, (std::vector<std::string>{"registrar", "repoBootstrap", "imageBuilder", "manifestRenderer"}));
        verifyArtifacts(id, "info");
        const nlohmann::json project = settledProject(*m_app, id, op["id"]);
        QCOMPARE(project["status"], "ready");
        QCOMPARE(project["last_op"]["id"], op["id"]);

        op = runEvent(regEvent("update", appSpec(id, "static", {{"LOG_LEVEL", "debug"}}), id));
        QVERIFY2(op["status"] == "completed" && op["kind"] == "update", describe(op));
        verifyArtifacts(id, "debug");
        QCOMPARE(m_app->get(projectPath(id)).json()["spec"]["environments"]["dev"]["vars"]["LOG_LEVEL"], "debug");

        op = runEvent(regEvent("delete", nullptr, id));
        QVERIFY2(op["status"] == "completed" && op["kind"] == "delete", describe(op));
        QCOMPARE(op["steps"].size(), 2u);
        verifyTrashed(id);
    }

    // Issue 10, item 3: a project folder broken by hand (source repo deleted,
    // or its .git removed) makes its webhooks (409) and update ops fail with
    // an error naming the path; nothing is re-initialised over the user's
    // files, other projects are unaffected, the server keeps serving.
    void brokenProjectFolderFailsClearly()
    {
        const std::map<std::string, QString> broken = {{"broken-gone", ""}, {"broken-nogit", "/.git"}};
        for (const std::string id : {"broken-gone", "broken-nogit", "broken-peer"}) {
            const nlohmann::json op = runEvent(regEvent("create", appSpec(id)));
            QVERIFY2(op["status"] == "completed", describe(op));
        }
        for (const auto& [id, part] : broken)
            QVERIFY(QDir(m_app->artifactsRoot() + "/" + QString::fromStdString(id) + "/repos/source" + part)
                        .removeRecursively());
        QVERIFY(QFile::exists(m_app->artifactsRoot() + "/broken-nogit/repos/source/Dockerfile"));

        for (const auto& [id, part] : broken) {
            const QByteArray path =
                (m_app->artifactsRoot() + "/" + QString::fromStdString(id) + "/repos/source").toUtf8();
            const HttpResult hook =
                m_app->post("/api/webhooks/source", {{"project_id", id}, {"repo", "source"}, {"branch", "main"}});
            QCOMPARE(hook.status, 409);
            QCOMPARE(hook.json()["error"]["code"], "source_repo_broken");
            QVERIFY2(hook.body.contains(path), hook.body.constData());
            const nlohmann::json update =
                runEvent(regEvent("update", appSpec(id, "static", {{"LOG_LEVEL", "debug"}}), id));
            QVERIFY2(update["status"] == "failed", describe(update));
            QCOMPARE(update["error"]["code"], "source_repo_broken");
            QVERIFY2(update["error"].value("message", "").find(path.toStdString()) != std::string::npos,
                     describe(update));
        }
        QVERIFY(!QFileInfo::exists(m_app->artifactsRoot() + "/broken-nogit/repos/source/.git"));  // not re-initialised
        QVERIFY(!QFileInfo::exists(m_app->artifactsRoot() + "/broken-gone/repos/source"));

        const HttpResult peer = m_app->post("/api/webhooks/source",
                                            {{"project_id", "broken-peer"}, {"repo", "source"}, {"branch", "main"}});
        QCOMPARE(peer.status, 202);
        QVERIFY2(m_app->waitForOp(opIdOf(peer))["status"] == "completed", peer.body.constData());
        QCOMPARE(m_app->get("/healthz").status, 200);
    }

    void recreateAfterDeleteStartsFresh()
    {
        const std::string id = "phoenix";
        QVERIFY2(runEvent(regEvent("create", appSpec(id)))["status"] == "completed", "create");
        QVERIFY2(runEvent(regEvent("delete", nullptr, id))["status"] == "completed", "delete");
        const nlohmann::json op = runEvent(regEvent("create", appSpec(id, "static", {{"LOG_LEVEL", "again"}})));
        QVERIFY2(op["status"] == "completed", describe(op));
        verifyArtifacts(id, "again");
        QCOMPARE(git(projectDir(*m_app, id) + "/repos/source", {"rev-list", "--count", "main"}), QByteArray("1"));
        const nlohmann::json ops = projectOps(*m_app, id);
        QCOMPARE(ops.size(), size_t(1));  // the old project's history went with it
        QCOMPARE(settledProject(*m_app, id, op["id"])["status"], "ready");
    }

    void legacyApiCreateUpdateDelete()
    {
        const std::string id = "legacy-life";
        HttpResult r = m_app->send("POST", "/api/projects", QByteArray::fromStdString(appSpec(id).dump()));
        QVERIFY2(r.status == 201, r.body.constData());
        nlohmann::json body = r.json();
        QCOMPARE(body["project"]["id"], id);
        QCOMPARE(body["project"]["status"], "ready");
        QCOMPARE(body["op"]["status"], "completed");
        QCOMPARE(body["op_id"], body["op"]["id"]);
        QCOMPARE(m_app->get("/api/ops/" + QString::fromStdString(body["op_id"])).json()["kind"], "create");
        verifyArtifacts(id, "info");

        r = m_app->send("PUT", projectPath(id),
                        QByteArray::fromStdString(appSpec(id, "static", {{"LOG_LEVEL", "warn"}}).dump()));
        QVERIFY2(r.status == 200, r.body.constData());
        body = r.json();
        QCOMPARE(body["op"]["kind"], "update");
        QCOMPARE(body["op"]["status"], "completed");
        QCOMPARE(body["project"]["spec"]["environments"]["dev"]["vars"]["LOG_LEVEL"], "warn");
        verifyArtifacts(id, "warn");

        r = m_app->send("DELETE", projectPath(id), {});
        QVERIFY2(r.status == 200, r.body.constData());
        body = r.json();
        QCOMPARE(body["op"]["kind"], "delete");
        QCOMPARE(body["op"]["status"], "completed");
        QVERIFY(body["op_id"].is_string());
        // The deleted project as it was last, marked deleted.
        QVERIFY2(body["project"].is_object(), r.body.constData());
        QCOMPARE(body["project"]["id"], id);
        QCOMPARE(body["project"]["status"], "deleted");
        QCOMPARE(body["project"]["last_op"]["id"], body["op_id"]);
        verifyTrashed(id);
    }

    void updateNeverClobbersUserEdits()
    {
        const std::string id = "user-edits";
        QVERIFY2(runEvent(regEvent("create", appSpec(id)))["status"] == "completed", "create");
        const QString source = projectDir(*m_app, id) + "/repos/source";
        QFile page(source + "/index.html");
        QVERIFY(page.open(QIODevice::WriteOnly | QIODevice::Truncate));
        page.write("<h1>mine</h1>\n");
        page.close();
        int rc = -1;
        git(source, {"commit", "-am", "feat: my page"}, &rc);
        QCOMPARE(rc, 0);
        QFile scratch(source + "/notes.txt");  // uncommitted work in progress
        QVERIFY(scratch.open(QIODevice::WriteOnly));
        scratch.write("wip\n");
        scratch.close();
        const QByteArray readmeBefore = readFile(source + "/README.md");

        // Same runtime: nothing the user changed is touched.
        nlohmann::json op = runEvent(regEvent("update", appSpec(id, "static", {{"LOG_LEVEL", "debug"}}), id));
        QVERIFY2(op["status"] == "completed", describe(op));
        QCOMPARE(readFile(source + "/index.html"), QByteArray("<h1>mine</h1>\n"));
        QCOMPARE(readFile(source + "/notes.txt"), QByteArray("wip\n"));
        QCOMPARE(readFile(source + "/README.md"), readmeBefore);
        // Runtime change: template-owned files follow, user-edited ones stay.
        op = runEvent(regEvent("update", appSpec(id, "node_22"), id));
        QVERIFY2(op["status"] == "completed", describe(op));
        QCOMPARE(readFile(source + "/index.html"), QByteArray("<h1>mine</h1>\n"));
        QCOMPARE(readFile(source + "/notes.txt"), QByteArray("wip\n"));
        QVERIFY(QFile::exists(source + "/package.json"));
        QVERIFY(!readFile(source + "/Dockerfile").contains("FROM scratch"));
        QVERIFY(git(source, {"log", "--format=%s", "main"}).contains("feat: my page"));
        QCOMPARE(git(source, {"status", "--porcelain", "--untracked-files=no"}), QByteArray());
        QCOMPARE(git(source, {"symbolic-ref", "--short", "HEAD"}), QByteArray("main"));
    }

    void kubectlKustomizeBuildsManifests()
    {
        const QString kubectl = QStandardPaths::findExecutable("kubectl");
        QVERIFY2(!kubectl.isEmpty(),
                 "kubectl is not on PATH (install the kubectl package or Debian's kubernetes-client)");
        const std::string id = "kustomized";
        nlohmann::json spec = appSpec(id);
        spec["environments"]["prod"] = {{"replicas", 3}, {"port", 9090}, {"vars", {{"LOG_LEVEL", "warn"}}}};
        const nlohmann::json op = runEvent(regEvent("create", spec));
        QVERIFY2(op["status"] == "completed", describe(op));
        QByteArray out;
        const QString manifests = projectDir(*m_app, id) + "/repos/manifests";
        QCOMPARE(run(kubectl, {"kustomize", manifests}, {}, &out, 120000), 0);
        const auto built = docsByKind(out);
        QVERIFY2(built.count("Deployment") && built.count("Service") && built.count("NetworkPolicy"), out.constData());
        QCOMPARE(built.at("Deployment")["metadata"]["name"].as<std::string>(), id);
        // The pre-rendered file is what kustomize builds.
        QCOMPARE(docsByKind(readFile(manifests + "/rendered.yaml")).size(), built.size());
        out.clear();
        QCOMPARE(run(kubectl, {"kustomize", manifests + "/overlays/prod"}, {}, &out, 120000), 0);
        QCOMPARE(docsByKind(out).at("Deployment")["spec"]["replicas"].as<int>(), 3);
    }

    void gitCommitOnMainFiresHookAndCi()
    {
        const std::string id = "hooked";
        QVERIFY2(runEvent(regEvent("create", appSpec(id)))["status"] == "completed", "create");
        const QString source = projectDir(*m_app, id) + "/repos/source";
        QFile file(source + "/index.html");
        QVERIFY(file.open(QIODevice::Append));
        file.write("<!-- user change -->\n");
        file.close();
        int rc = -1;
        git(source, {"commit", "-am", "feat: user change"}, &rc);
        QCOMPARE(rc, 0);
        const std::string commit = git(source, {"rev-parse", "HEAD"}).toStdString();
        nlohmann::json ci;
        QVERIFY2(waitFor([&] {
                     for (const auto& op : projectOps(*m_app, id))
                         if (op["kind"] == "ci")
                             ci = op;
                     return ci.is_object();
                 }),
                 "no ci op appeared after a real git commit on main");
        QCOMPARE(ci["trigger"]["commit"], commit);
        QCOMPARE(ci["trigger"]["source"], "hook");
        ci = m_app->waitForOp(ci["id"]);
        QVERIFY2(ci["status"] == "completed", describe(ci));
        const std::string image = "paas/" + id + ":" + commit.substr(0, 12);
        QCOMPARE(readFile(projectDir(*m_app, id) + "/build/image.txt").trimmed().toStdString(), image);
        QCOMPARE(m_app->get(projectPath(id)).json()["image"]["ref"], image);
    }

    void platformSyncAndOtherBranchCommitsPostNothing()
    {
        const std::string id = "quiet-hooks";
        QVERIFY2(runEvent(regEvent("create", appSpec(id)))["status"] == "completed", "create");
        const QString source = projectDir(*m_app, id) + "/repos/source";
        int rc = -1;
        git(source, {"commit", "--allow-empty", "-m", "platform-sync: manual sync"}, &rc);
        QCOMPARE(rc, 0);
        const QByteArray syncCommit = git(source, {"rev-parse", "HEAD"});
        git(source, {"switch", "-c", "feature"}, &rc);
        QCOMPARE(rc, 0);
        git(source, {"commit", "--allow-empty", "-m", "feat: on a branch"}, &rc);
        QCOMPARE(rc, 0);
        const QByteArray branchCommit = git(source, {"rev-parse", "HEAD"});
        git(source, {"switch", "main"}, &rc);
        QCOMPARE(rc, 0);
        // A marker commit that must post: once its ci op exists, the hooks of
        // the two commits above (started earlier) have had their chance.
        git(source, {"commit", "--allow-empty", "-m", "chore: marker"}, &rc);
        QCOMPARE(rc, 0);
        const std::string marker = git(source, {"rev-parse", "HEAD"}).toStdString();
        auto ciCommits = [&] {
            std::set<std::string> commits;
            for (const auto& op : projectOps(*m_app, id))
                if (op["kind"] == "ci")
                    commits.insert(op["trigger"].value("commit", ""));
            return commits;
        };
        QVERIFY2(waitFor([&] { return ciCommits().count(marker) == 1; }), "the marker commit's hook did not post");
        QTest::qWait(2000);  // settle: a stray post would land in this window
        const std::set<std::string> commits = ciCommits();
        QVERIFY2(!commits.count(syncCommit.toStdString()), "a platform-sync: commit triggered ci");
        QVERIFY2(!commits.count(branchCommit.toStdString()), "a commit on another branch triggered ci");
        QCOMPARE(commits.size(), size_t(1));
    }

    void cleanupTestCase() { QVERIFY2(m_app->stop(), m_app->output().right(3000).constData()); }
};

QTEST_GUILESS_MAIN(TestRegPipeline)
#include "tst_regpipeline.moc"
