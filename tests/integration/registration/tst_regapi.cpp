// Issue 3, the API's edges against the real `paas` binary: request
// validation (malformed, schema-violating, oversized, YAML, alias bombs,
// unknown action/project, duplicates), the artifacts API (listing, download,
// every traversal form refused), op ETags and the project list's q/sort.
#include "tests/integration/registration/regsupport.h"

using namespace paas::test;
using namespace paas::test::reg;

namespace {

QByteArray yamlHeaders()
{
    return "application/yaml";
}

QByteArray specYaml(const QByteArray& name)
{
    return "apiVersion: platform.example.com/v2\n"
           "kind: App\n"
           "name: " +
           name +
           "  # a comment\n"
           "runtime: static\n"
           "capabilities: [http]\n"
           "environments:\n"
           "  dev:\n"
           "    vars: {LOG_LEVEL: info}\n"
           "networkPolicies: {ingress: internal, egress: none}\n";
}

QByteArray indented(const QByteArray& text)
{
    QByteArray out;
    for (const QByteArray& line : text.split('\n'))
        if (!line.isEmpty())
            out += "  " + line + "\n";
    return out;
}

bool detailsHavePath(const nlohmann::json& body, const std::string& path)
{
    if (!body.is_object() || !body.contains("error") || !body["error"].contains("details"))
        return false;
    for (const auto& d : body["error"]["details"])
        if (d.value("path", "") == path && !d.value("message", "").empty())
            return true;
    return false;
}

bool isErrorShape(const nlohmann::json& body)
{
    return body.is_object() && body.contains("error") && body["error"].is_object() &&
           body["error"]["code"].is_string() && body["error"]["message"].is_string();
}

}  // namespace

class TestRegApi : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<PaasProcess> m_app;
    const std::string m_artifactsProject = "artifacts-app";

    std::string createAndWait(const nlohmann::json& spec)
    {
        const HttpResult r = m_app->post("/api/events/registration", regEvent("create", spec));
        if (r.status != 202)
            return {};
        const nlohmann::json op = m_app->waitForOp(opIdOf(r));
        return op.value("status", "") == "completed" ? op.value("project_id", "") : std::string();
    }

    HttpResult postRaw(const QByteArray& body, const QByteArray& type = "application/json")
    {
        return m_app->send("POST", "/api/events/registration", body, {{"Content-Type", type}});
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_app = std::make_unique<PaasProcess>();
        QVERIFY2(m_app->start(), m_app->output().constData());
        QCOMPARE(createAndWait(appSpec(m_artifactsProject)), m_artifactsProject);
    }

    void malformedJsonIs400()
    {
        const HttpResult r = postRaw(R"({"action": "create", "spec": {)");
        QCOMPARE(r.status, 400);
        QVERIFY(isErrorShape(r.json()));
        QCOMPARE(r.json()["error"]["code"], "malformed_json");
    }

    void schemaViolationIs422WithPointers()
    {
        nlohmann::json spec = appSpec("Not_A_Label");
        spec["networkPolicies"]["ingress"] = "everywhere";
        const HttpResult r = m_app->post("/api/events/registration", regEvent("create", spec));
        QCOMPARE(r.status, 422);
        const nlohmann::json body = r.json();
        QVERIFY(isErrorShape(body));
        QVERIFY2(detailsHavePath(body, "/spec/name"), r.body.constData());
        QVERIFY2(detailsHavePath(body, "/spec/networkPolicies/ingress"), r.body.constData());
        // The legacy endpoint validates the same way.
        const HttpResult legacy = m_app->send("POST", "/api/projects", QByteArray::fromStdString(spec.dump()));
        QCOMPARE(legacy.status, 422);
        QVERIFY2(detailsHavePath(legacy.json(), "/spec/name"), legacy.body.constData());
    }

    void oversizedBodyIs413()
    {
        nlohmann::json body = regEvent("create", appSpec("too-big"));
        body["padding"] = std::string(2 * 1024 * 1024, 'x');
        const HttpResult r = m_app->post("/api/events/registration", body);
        QCOMPARE(r.status, 413);
        QVERIFY(isErrorShape(r.json()));
        QCOMPARE(m_app->get("/healthz").status, 200);
        QCOMPARE(m_app->get(projectPath("too-big")).status, 404);
    }

    void yamlBodyAccepted()
    {
        const QByteArray yaml = "action: create\nspec:\n" + indented(specYaml("yaml-app"));
        const HttpResult r = postRaw(yaml, yamlHeaders());
        QVERIFY2(r.status == 202, r.body.constData());
        const nlohmann::json op = m_app->waitForOp(opIdOf(r));
        QVERIFY2(op["status"] == "completed", describe(op));
        QCOMPARE(m_app->get(projectPath("yaml-app")).json()["spec"]["networkPolicies"]["egress"], "none");
        // The legacy create takes the bare spec as YAML.
        const HttpResult legacy =
            m_app->send("POST", "/api/projects", specYaml("yaml-legacy"), {{"Content-Type", yamlHeaders()}});
        QVERIFY2(legacy.status == 201, legacy.body.constData());
        QCOMPARE(legacy.json()["project"]["id"], "yaml-legacy");
    }

    void environmentsKeepTheOrderTheUserWrote()
    {
        // Issue 16: a custom middle environment is not sorted alphabetically.
        // The body is raw JSON: nlohmann::json would sort it before sending.
        const QByteArray body =
            R"({"action": "create", "spec": {"apiVersion": "platform.example.com/v2", "kind": "App",
              "name": "ordered-envs", "runtime": "static", "environments": {"prod": {"vars": {}},
              "staging": {"vars": {}}, "qa": {"vars": {}}, "dev": {"vars": {}}}}})";
        const HttpResult r = postRaw(body);
        QVERIFY2(r.status == 202, r.body.constData());
        QVERIFY2(m_app->waitForOp(opIdOf(r))["status"] == "completed", r.body.constData());
        auto names = [this] {
            std::vector<std::string> out;
            const nlohmann::json list = m_app->get(projectPath("ordered-envs", "/environments")).json();
            for (const auto& env : list["environments"])
                out.push_back(env.value("name", ""));
            return out;
        };
        const std::vector<std::string> path{"dev", "staging", "qa", "prod"};
        QCOMPARE(names(), path);
        QCOMPARE(m_app->get(projectPath("ordered-envs")).json()["environment_order"].get<std::vector<std::string>>(),
                 path);
        const QByteArray file = m_app->get(projectPath("ordered-envs", "/artifacts/registration/project.yaml")).body;
        QVERIFY2(file.indexOf("  staging:") < file.indexOf("  qa:"), file.constData());
        // An update in YAML reorders them.
        const QByteArray yaml =
            "action: update\nproject_id: ordered-envs\nspec:\n"
            "  apiVersion: platform.example.com/v2\n  kind: App\n  name: ordered-envs\n"
            "  runtime: static\n  environments:\n    dev: {vars: {}}\n    qa: {vars: {}}\n"
            "    staging: {vars: {}}\n    prod: {vars: {}}\n";
        const HttpResult update = postRaw(yaml, yamlHeaders());
        QVERIFY2(update.status == 202, update.body.constData());
        QVERIFY2(m_app->waitForOp(opIdOf(update))["status"] == "completed", update.body.constData());
        QCOMPARE(names(), (std::vector<std::string>{"dev", "qa", "staging", "prod"}));
    }

    void yamlAliasBombRefused()
    {
        QByteArray bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
        const char* names = "abcdefghi";
        for (int i = 1; i < 9; ++i) {
            QByteArray line = QByteArray(1, names[i]) + ": &" + names[i] + " [";
            for (int k = 0; k < 9; ++k)
                line += QByteArray(k ? "," : "") + "*" + names[i - 1];
            bomb += line + "]\n";
        }
        bomb += "action: create\nspec: *i\n";
        const HttpResult r = postRaw(bomb, yamlHeaders());
        QVERIFY2(r.status >= 400 && r.status < 500, r.body.constData());
        QVERIFY(isErrorShape(r.json()));
        QCOMPARE(m_app->get("/healthz").status, 200);
        QCOMPARE(m_app->get("/healthz").json()["status"], "ok");
    }

    void unknownActionIs400()
    {
        const HttpResult r = m_app->post("/api/events/registration", regEvent("destroy", appSpec("x-app")));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json()["error"]["code"], "invalid_action");
        QVERIFY(detailsHavePath(r.json(), "/action"));
    }

    // Bodies that used to end the server (found while fuzzing): a number
    // beyond the double range escaped jsonBody(); a non-string action or
    // project_id threw from json::value(); a YAML ',' hung yaml-cpp.
    void oddBodiesAre400AndTheServerKeepsServing()
    {
        const struct {
            QByteArray body;
            QByteArray type;
            const char* code;
        } cases[] = {
            {R"({"action":"create","spec":{"replicas":1e999}})", "application/json", "malformed_json"},
            {R"({"action":1,"spec":{}})", "application/json", "invalid_field"},
            {R"({"action":"create","project_id":[1],"spec":{}})", "application/json", "invalid_field"},
            {",", "application/yaml", "malformed_yaml"},
        };
        for (const auto& c : cases) {
            const HttpResult r = postRaw(c.body, c.type);
            QVERIFY2(r.status == 400, r.body.constData());
            QCOMPARE(r.json()["error"]["code"], c.code);
        }
        const HttpResult legacy = m_app->send("POST", "/api/projects", R"({"project_id":7,"spec":{}})");
        QVERIFY2(legacy.status == 400, legacy.body.constData());
        QCOMPARE(legacy.json()["error"]["code"], "invalid_field");
        QCOMPARE(m_app->get("/healthz").status, 200);
    }

    void unknownProjectIs404()
    {
        HttpResult r = m_app->post("/api/events/registration", regEvent("update", appSpec("ghost"), "ghost"));
        QCOMPARE(r.status, 404);
        QVERIFY(isErrorShape(r.json()));
        r = m_app->post("/api/events/registration", regEvent("delete", nullptr, "ghost"));
        QCOMPARE(r.status, 404);
        QCOMPARE(m_app->send("PUT", projectPath("ghost"), QByteArray::fromStdString(appSpec("ghost").dump())).status,
                 404);
        QCOMPARE(m_app->send("DELETE", projectPath("ghost"), {}).status, 404);
        QCOMPARE(m_app->get(projectPath("ghost")).status, 404);
        QCOMPARE(m_app->get(projectPath("ghost", "/ops")).status, 404);
        QCOMPARE(m_app->get("/api/ops/op-0000000000000-nosuchop").status, 404);
    }

    void unsafeProjectIdsRefused()
    {
        for (const char* id : {"../evil", "..", "a/b", "UPPER", "-dash", "x%2f..", ".hidden"}) {
            const HttpResult r = m_app->post("/api/events/registration", regEvent("create", appSpec("safe-name"), id));
            QVERIFY2(r.status == 400, (std::string(id) + ": " + r.body.toStdString()).c_str());
            QCOMPARE(r.json()["error"]["code"], "invalid_project_id");
            QVERIFY(detailsHavePath(r.json(), "/project_id"));
        }
        QVERIFY(!QFileInfo::exists(m_app->root() + "/evil"));
        QCOMPARE(m_app->get(projectPath("safe-name")).status, 404);
        // Ids that are not folders of projects never reach the file system.
        for (const QByteArray& raw :
             {QByteArray("/api/projects/%2e%2e/artifacts"), QByteArray("/api/projects/../artifacts"),
              QByteArray("/api/projects/.trash/artifacts"), QByteArray("/api/projects/.paas/artifacts/api-url"),
              QByteArray("/api/projects/%2e%2e/artifacts/secret.txt")}) {
            const RawResult r = rawGet(*m_app, raw);
            QVERIFY2(r.status == 400 || r.status == 404, (raw + " -> " + QByteArray::number(r.status)).constData());
            QVERIFY2(!r.body.contains("\"files\"") && !r.body.contains("http://"), raw.constData());
        }
    }

    void duplicateCreateIs409()
    {
        HttpResult r = m_app->post("/api/events/registration", regEvent("create", appSpec(m_artifactsProject)));
        QCOMPARE(r.status, 409);
        QVERIFY(isErrorShape(r.json()));
        // Same id under another name, and same name under another id.
        r = m_app->post("/api/events/registration", regEvent("create", appSpec("other-name"), m_artifactsProject));
        QCOMPARE(r.status, 409);
        r = m_app->post("/api/events/registration", regEvent("create", appSpec(m_artifactsProject), "fresh-id"));
        QCOMPARE(r.status, 409);
        QCOMPARE(m_app->get(projectPath("fresh-id")).status, 404);
    }

    void artifactListingAndDownload()
    {
        const HttpResult list = m_app->get(projectPath(m_artifactsProject, "/artifacts"));
        QCOMPARE(list.status, 200);
        std::set<std::string> files, dirs;
        const nlohmann::json listing = list.json();  // keep the document alive while iterating
        for (const auto& f : listing["files"]) {
            const std::string path = f["path"];
            QVERIFY2(path.find(".git") == std::string::npos || path.find(".gitignore") != std::string::npos,
                     path.c_str());
            QVERIFY(f.contains("size") && f["mtime"].is_string());
            (f["dir"] == true ? dirs : files).insert(path);
        }
        for (const char* expected :
             {"registration/project.yaml", "registration/registration.json", "repos/source/Dockerfile",
              "repos/manifests/kustomization.yaml", "repos/manifests/rendered.yaml", "build/Dockerfile",
              "build/image.txt", "build/publish-local-daemon.json"})
            QVERIFY2(files.count(expected),
                     (std::string(expected) + " missing from " + list.body.toStdString()).c_str());
        QVERIFY(dirs.count("repos/source"));

        const HttpResult yaml = m_app->get(projectPath(m_artifactsProject, "/artifacts/registration/project.yaml"));
        QCOMPARE(yaml.status, 200);
        QVERIFY2(yaml.header("Content-Type").contains("yaml"), yaml.header("Content-Type").constData());
        QVERIFY(!yaml.header("ETag").isEmpty());
        QCOMPARE(yaml.body, readFile(projectDir(*m_app, m_artifactsProject) + "/registration/project.yaml"));
        const HttpResult again = m_app->get(projectPath(m_artifactsProject, "/artifacts/registration/project.yaml"),
                                            {{"If-None-Match", yaml.header("ETag")}});
        QCOMPARE(again.status, 304);
        QCOMPARE(m_app
                     ->get(projectPath(m_artifactsProject, "/artifacts/registration/project.yaml"),
                           {{"If-None-Match", "\"stale\", " + yaml.header("ETag")}})
                     .status,
                 304);
        const HttpResult json =
            m_app->get(projectPath(m_artifactsProject, "/artifacts/build/publish-local-daemon.json"));
        QCOMPARE(json.status, 200);
        QVERIFY(json.header("Content-Type").startsWith("application/json"));
        QCOMPARE(m_app->get(projectPath(m_artifactsProject, "/artifacts/nope.txt")).status, 404);
        QCOMPARE(m_app->get(projectPath(m_artifactsProject, "/artifacts/repos/source/.git/config")).status, 404);
    }

    void artifactTraversalRefused()
    {
        const QByteArray secret = "TOP-SECRET-" + QByteArray::number(QDateTime::currentMSecsSinceEpoch());
        const QString outside = m_app->artifactsRoot() + "/secret.txt";  // beside the project folders
        QFile f(outside);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(secret);
        f.close();
        const QString dir = projectDir(*m_app, m_artifactsProject);
        QVERIFY(QFile::link(outside, dir + "/leak.txt"));
        QVERIFY(QFile::link(m_app->artifactsRoot(), dir + "/leakdir"));
        const QByteArray base = "/api/projects/" + QByteArray::fromStdString(m_artifactsProject) + "/artifacts/";
        const QByteArray cases[] = {
            "../secret.txt",
            "registration/../../secret.txt",
            "%2e%2e/secret.txt",
            "%2E%2E%2Fsecret.txt",
            "registration%2f..%2f..%2fsecret.txt",
            "..%5csecret.txt",
            "/etc/passwd",
            "%2fetc%2fpasswd",
            "%2F" + QUrl::toPercentEncoding(outside),
            "registration/project.yaml%00.txt",
            "%00",
            "leak.txt",
            "leakdir/secret.txt",
            "./../secret.txt",
        };
        for (const QByteArray& c : cases) {
            const RawResult r = rawGet(*m_app, base + c);
            QVERIFY2(r.status == 400 || r.status == 404, (c + " -> " + QByteArray::number(r.status)).constData());
            QVERIFY2(!r.body.contains(secret) && !r.body.contains("root:x:0:0"), c.constData());
        }
        // The symlinks are not listed either.
        const nlohmann::json listing = m_app->get(projectPath(m_artifactsProject, "/artifacts")).json();
        QVERIFY(listing["files"].size() > 5);
        for (const auto& file : listing["files"])
            QVERIFY(file["path"] != "leak.txt" && file["path"] != "leakdir");
        QCOMPARE(m_app->get("/healthz").status, 200);
    }

    void projectOpsPaginateNewestFirst()
    {
        const std::string id = m_artifactsProject;
        for (int i = 0; i < 2; ++i) {
            const HttpResult r = m_app->post("/api/events/registration",
                                             regEvent("update", appSpec(id, "static", {{"N", std::to_string(i)}}), id));
            QCOMPARE(r.status, 202);
            QCOMPARE(m_app->waitForOp(opIdOf(r))["status"], "completed");
        }
        const nlohmann::json all = projectOps(*m_app, id);
        QVERIFY(all.size() >= 3);
        QCOMPARE(all.back()["kind"], "create");
        for (size_t i = 1; i < all.size(); ++i)
            QVERIFY(all[i - 1]["created_at"].get<std::string>() >= all[i]["created_at"].get<std::string>());
        const nlohmann::json page = m_app->get(projectPath(id, "/ops?offset=1&limit=1")).json();
        QCOMPARE(page["offset"], 1);
        QCOMPARE(page["limit"], 1);
        QCOMPARE(page["ops"].size(), size_t(1));
        QCOMPARE(page["ops"][0]["id"], all[1]["id"]);
    }

    void opEtagAndNotModified()
    {
        const std::string opId = projectOps(*m_app, m_artifactsProject).back()["id"];
        const QString path = "/api/ops/" + QString::fromStdString(opId);
        const HttpResult first = m_app->get(path);
        QCOMPARE(first.status, 200);
        const QByteArray etag = first.header("ETag");
        QVERIFY(!etag.isEmpty());
        const HttpResult second = m_app->get(path, {{"If-None-Match", etag}});
        QCOMPARE(second.status, 304);
        QVERIFY(second.body.isEmpty());
        QCOMPARE(m_app->get(path, {{"If-None-Match", "\"other\""}}).status, 200);
        // RFC 9110 13.1.2: a list of tags, "*", and weak comparison.
        QCOMPARE(m_app->get(path, {{"If-None-Match", "\"other\", " + etag}}).status, 304);
        QCOMPARE(m_app->get(path, {{"If-None-Match", "*"}}).status, 304);
        const QByteArray opaque = etag.startsWith("W/") ? etag.mid(2) : etag;
        QCOMPARE(m_app->get(path, {{"If-None-Match", "W/" + opaque}}).status, 304);
        QCOMPARE(m_app->get(path, {{"If-None-Match", opaque}}).status, 304);
    }

    void projectListFilterAndSort()
    {
        for (const char* name : {"zeta-list", "alpha-list", "mid-other"})
            QVERIFY(!createAndWait(appSpec(name)).empty());
        // Update the alphabetically-first one last: it is the most recently updated.
        const HttpResult up =
            m_app->post("/api/events/registration",
                        regEvent("update", appSpec("alpha-list", "static", {{"LOG_LEVEL", "x"}}), "alpha-list"));
        QCOMPARE(up.status, 202);
        QCOMPARE(m_app->waitForOp(opIdOf(up))["status"], "completed");

        auto names = [&](const QString& query) {
            std::vector<std::string> out;
            const HttpResult r = m_app->get("/api/projects" + query);
            const nlohmann::json doc = r.json();
            for (const auto& p : doc["projects"])
                out.push_back(p["id"]);
            return out;
        };
        QVERIFY2(names("?q=list&sort=name") == (std::vector<std::string>{"alpha-list", "zeta-list"}),
                 m_app->get("/api/projects?q=list&sort=name").body.constData());
        QCOMPARE(names("?q=LIST&sort=name"), (std::vector<std::string>{"alpha-list", "zeta-list"}));
        QCOMPARE(names("?q=no-such-project"), std::vector<std::string>{});
        const std::vector<std::string> byUpdate = names("?sort=updated");
        QVERIFY(!byUpdate.empty());
        QCOMPARE(byUpdate.front(), std::string("alpha-list"));
        const std::vector<std::string> byName = names("?sort=name");
        QVERIFY(std::is_sorted(byName.begin(), byName.end()));
        QVERIFY(byName.size() >= 4);
        const nlohmann::json all = m_app->get("/api/projects").json();
        QCOMPARE(all["count"], all["projects"].size());
        QVERIFY(!all.contains("next_cursor"));  // unpaged: the reference shape
    }

    // Issue 11: ?limit= and ?cursor= walk the list in pages; a bad limit or
    // cursor is a 400 naming the field.
    void projectListPages()
    {
        const nlohmann::json all = m_app->get("/api/projects?sort=name").json();
        std::vector<std::string> expected;
        for (const auto& p : all["projects"])
            expected.push_back(p["id"]);
        QVERIFY(expected.size() >= 4);
        std::vector<std::string> walked;
        std::string cursor;
        int pages = 0;
        do {
            const std::string query = "/api/projects?sort=name&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor);
            const HttpResult r = m_app->get(QByteArray::fromStdString(query));
            QVERIFY2(r.status == 200, r.body.constData());
            const nlohmann::json page = r.json();
            QVERIFY(page["projects"].size() <= 2);
            QCOMPARE(page["count"], page["projects"].size());
            QCOMPARE(page["limit"], 2);
            QCOMPARE(page["total"].get<size_t>(), expected.size());
            for (const auto& p : page["projects"])
                walked.push_back(p["id"]);
            cursor = page["next_cursor"].is_string() ? page["next_cursor"].get<std::string>() : "";
            QVERIFY(++pages <= int(expected.size()));
        } while (!cursor.empty());
        QCOMPARE(walked, expected);
        const std::vector<std::string> byUpdate = [&] {
            std::vector<std::string> out;
            const nlohmann::json page = m_app->get("/api/projects?sort=updated&limit=1").json();
            for (const auto& p : page["projects"])
                out.push_back(p["id"]);
            return out;
        }();
        QVERIFY2(byUpdate == std::vector<std::string>{"alpha-list"},
                 m_app->get("/api/projects?sort=updated").body.constData());
        for (const char* bad : {"?limit=0", "?limit=501", "?limit=x", "?limit=-1", "?limit=", "?limit=2e1"}) {
            const HttpResult r = m_app->get(QByteArray("/api/projects") + bad);
            QVERIFY2(r.status == 400 && detailsHavePath(r.json(), "/limit"),
                     (QByteArray(bad) + " " + r.body).constData());
        }
        const std::string nameCursor = m_app->get("/api/projects?limit=1").json()["next_cursor"];
        for (const std::string& bad : {std::string("%%%"), std::string("bm90IGpzb24"), std::string(2000, 'A'),
                                       std::string("e30")}) {  // e30 = "{}"
            const HttpResult r = m_app->get(QByteArray::fromStdString("/api/projects?cursor=" + bad));
            QVERIFY2(r.status == 400 && detailsHavePath(r.json(), "/cursor"), r.body.constData());
        }
        const HttpResult otherOrder =
            m_app->get(QByteArray::fromStdString("/api/projects?sort=updated&cursor=" + nameCursor));
        QVERIFY2(otherOrder.status == 400 && detailsHavePath(otherOrder.json(), "/cursor"),
                 otherOrder.body.constData());
    }

    void cleanupTestCase() { QVERIFY2(m_app->stop(), m_app->output().right(3000).constData()); }
};

QTEST_GUILESS_MAIN(TestRegApi)
#include "tst_regapi.moc"
