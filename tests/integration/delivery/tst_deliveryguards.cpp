// Delivery guardrails and every 4xx on the real paas binary, the in-progress
// guardrail and "no image" with a BuildKit address that never answers (so a
// build holds the project's queue), and 10 concurrent promotions of one
// project: one at a time, in acceptance order, none lost.
#include "deliverytestutil.h"

#include <QTcpServer>
#include <QtTest>

#include <thread>

using namespace paas::test;

namespace {

// Asserting helper: the answer is `status` with error code `code`.
#define EXPECT_ERROR(result, httpStatus, errorCode)                                                  \
    do {                                                                                             \
        const HttpResult r_ = (result);                                                              \
        QVERIFY2(r_.status == (httpStatus), r_.body.constData());                                    \
        QCOMPARE(r_.json()["error"]["code"].get<std::string>(), std::string(errorCode));             \
        QVERIFY(!r_.json()["error"]["message"].get<std::string>().empty());                          \
    } while (0)

std::string createProject(const PaasProcess& app, const nlohmann::json& spec, std::string* status = nullptr)
{
    const HttpResult r = postEvent(app, "registration", {{"action", "create"}, {"spec", spec}});
    const std::string op = acceptedOp(r);
    if (op.empty())
        return {};
    const std::string s = app.waitForOp(op).value("status", "");
    if (status)
        *status = s;
    return r.json()["op"]["project_id"].get<std::string>();
}

std::string detailPath(const HttpResult& r)
{
    const nlohmann::json d = r.json()["error"].value("details", nlohmann::json::array());
    return d.empty() ? std::string() : d[0].value("path", "");
}

}  // namespace

class TestDeliveryGuards : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void guardrailsAndClientErrors()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        const std::string id = createProject(app, deliverySpec("guards"));
        QVERIFY(!id.empty());
        auto post = [&](const std::string& event, nlohmann::json body) { return postEvent(app, event, body); };

        EXPECT_ERROR(post("deployment", {{"project_id", "nope"}}), 404, "project_not_found");
        EXPECT_ERROR(post("deployment", nlohmann::json::object()), 400, "missing_project_id");
        EXPECT_ERROR(post("deployment", {{"project_id", 5}}), 400, "invalid_field");
        EXPECT_ERROR(app.send("POST", "/api/events/deployment", "{not json"), 400, "malformed_json");
        HttpResult r = post("deployment", {{"project_id", id}, {"environment", "qa"}});
        EXPECT_ERROR(r, 400, "unknown_environment");
        QVERIFY(r.json()["error"]["message"].get<std::string>().find("'qa'") != std::string::npos);
        QCOMPARE(detailPath(r), "/environment");
        r = post("deployment", {{"project_id", id}, {"environment", "staging"}});
        EXPECT_ERROR(r, 400, "deploy_dev_only");
        QVERIFY(r.json()["error"]["message"].get<std::string>().find("/api/events/promotion") != std::string::npos);
        EXPECT_ERROR(post("deployment", {{"project_id", id}, {"environment", "production"}}), 400, "deploy_dev_only");

        // Nothing deployed anywhere yet.
        EXPECT_ERROR(post("promotion", {{"project_id", id}, {"from_env", "dev"}, {"to_env", "staging"}}), 409,
                     "nothing_deployed");
        EXPECT_ERROR(post("rollback", {{"project_id", id}, {"environment", "dev"}}), 409, "nothing_deployed");
        QCOMPARE(app.waitForOp(acceptedOp(post("deployment", {{"project_id", id}})))["status"], "completed");

        EXPECT_ERROR(post("promotion", {{"project_id", id}, {"from_env", "dev"}, {"to_env", "dev"}}), 409,
                     "same_environment");
        EXPECT_ERROR(post("promotion", {{"project_id", id}, {"from", "prod"}, {"to", "production"}}), 409,
                     "same_environment");
        r = post("promotion", {{"project_id", id}, {"from_env", "dev"}, {"to_env", "qa"}});
        EXPECT_ERROR(r, 400, "unknown_environment");
        QCOMPARE(detailPath(r), "/to_env");
        r = post("promotion", {{"project_id", id}, {"from_env", "dev"}});
        EXPECT_ERROR(r, 400, "missing_environment");
        QCOMPARE(detailPath(r), "/to_env");
        EXPECT_ERROR(post("promotion", {{"project_id", id}, {"from_env", "staging"}, {"to_env", "prod"}}), 409,
                     "nothing_deployed");
        r = post("release", {{"project_id", id}, {"from_env", "dev"}, {"to_env", "staging"}});
        EXPECT_ERROR(r, 400, "not_production");
        QCOMPARE(detailPath(r), "/to_env");

        EXPECT_ERROR(post("rollback", {{"project_id", id}, {"environment", "dev"}}), 409, "no_previous_release");
        EXPECT_ERROR(post("rollback", {{"project_id", id}, {"environment", "dev"}, {"release", 1}}), 409,
                     "already_current");
        EXPECT_ERROR(post("rollback", {{"project_id", id}, {"environment", "dev"}, {"release", 7}}), 404,
                     "release_not_found");
        EXPECT_ERROR(post("rollback", {{"project_id", id}, {"environment", "dev"}, {"release", "1"}}), 400,
                     "invalid_release");
        EXPECT_ERROR(post("rollback", {{"project_id", id}, {"environment", "dev"}, {"release", 0}}), 400,
                     "invalid_release");
        EXPECT_ERROR(post("rollback", {{"project_id", id}}), 400, "missing_environment");

        // Read APIs: unknown project / env, and diff guardrails.
        const QString base = QString::fromStdString("/api/projects/" + id);
        EXPECT_ERROR(app.get("/api/projects/nope/environments"), 404, "project_not_found");
        EXPECT_ERROR(app.get(base + "/releases?env=qa"), 400, "unknown_environment");
        EXPECT_ERROR(app.get(base + "/diff?from=dev&to=dev"), 409, "same_environment");
        EXPECT_ERROR(app.get(base + "/diff?from=staging&to=prod"), 409, "nothing_deployed");
        EXPECT_ERROR(app.get(base + "/diff?from=dev"), 400, "missing_environment");
        const nlohmann::json firstDiff = app.get(base + "/diff?from=dev&to=staging").json();
        QCOMPARE(firstDiff["changed"], true);   // staging is empty: everything is added
        QCOMPARE(firstDiff["objects"].size(), size_t(3));
        QCOMPARE(firstDiff["objects"][0]["change"], "added");
        QVERIFY(firstDiff["unified"].get<std::string>().find("@@ -0,0 +1,") != std::string::npos);

        // Nothing was accepted by any refused request.
        const nlohmann::json ops = app.get(base + "/ops").json();
        QCOMPARE(ops["ops"].size(), size_t(2));   // create + deploy
    }

    void inProgressGuardAndNoImage()
    {
        // Build once in artifact mode, then restart with BuildKit explicitly
        // requested at an address that accepts and never answers: every build
        // then holds the project's queue for the probe timeout and fails.
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        const std::string id = createProject(app, deliverySpec("busy"));
        QVERIFY(!id.empty());
        QVERIFY(app.stop());
        QTcpServer blackhole;
        QVERIFY(blackhole.listen(QHostAddress::LocalHost));
        PaasProcess second(app.root());
        second.env().insert("PAAS_IMAGE_BUILDER_MODE", "buildkit");
        second.env().insert("PAAS_BUILDKIT_ADDR", QStringLiteral("tcp://127.0.0.1:%1").arg(blackhole.serverPort()));
        QVERIFY2(second.start(), second.output().constData());

        const HttpResult update = postEvent(second, "registration",
                                            {{"action", "update"}, {"project_id", id}, {"spec", deliverySpec("busy")}});
        const std::string updateOp = acceptedOp(update);
        QVERIFY(!updateOp.empty());
        const std::string deployOp = acceptedOp(postEvent(second, "deployment", {{"project_id", id}}));
        QVERIFY(!deployOp.empty());   // the last build's image, queued behind the update
        HttpResult r = postEvent(second, "deployment", {{"project_id", id}});
        EXPECT_ERROR(r, 409, "delivery_in_progress");
        QVERIFY(r.json()["error"]["message"].get<std::string>().find(deployOp) != std::string::npos);
        QCOMPARE(second.get(QString::fromStdString("/api/ops/" + deployOp)).json()["status"], "queued");
        QCOMPARE(second.waitForOp(updateOp)["status"], "failed");
        QCOMPARE(second.waitForOp(deployOp)["status"], "completed");

        std::string status;
        const std::string noImage = createProject(second, deliverySpec("noimage"), &status);
        QVERIFY(!noImage.empty());
        QCOMPARE(status, "failed");
        EXPECT_ERROR(postEvent(second, "deployment", {{"project_id", noImage}}), 409, "no_image");
        QVERIFY(second.stop());
    }

    void tenConcurrentPromotionsRunOneAtATime()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        nlohmann::json spec = deliverySpec("fan");
        spec["environments"] = {{"dev", nlohmann::json::object()}};
        for (int i = 1; i <= 10; ++i)
            spec["environments"]["e" + std::to_string(i)] = nlohmann::json::object();
        const std::string id = createProject(app, spec);
        QVERIFY(!id.empty());
        QCOMPARE(app.waitForOp(acceptedOp(postEvent(app, "deployment", {{"project_id", id}})))["status"], "completed");

        std::vector<HttpResult> answers(10);
        std::vector<std::thread> threads;
        const QString url = app.url() + "/api/events/promotion";
        for (int i = 0; i < 10; ++i)
            threads.emplace_back([&, i] {
                const nlohmann::json body{{"project_id", id}, {"from_env", "dev"}, {"to_env", "e" + std::to_string(i + 1)}};
                answers[i] = http("POST", url, QByteArray::fromStdString(body.dump()));
            });
        for (auto& t : threads)
            t.join();
        std::vector<nlohmann::json> done;
        for (const HttpResult& a : answers) {
            QVERIFY2(a.status == 202, a.body.constData());
            done.push_back(app.waitForOp(acceptedOp(a)));
            QCOMPARE(done.back()["status"], "completed");
            QCOMPARE(done.back()["classification"], "promote");
        }
        // One at a time: sorted by start, each starts after the previous finished.
        std::sort(done.begin(), done.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
            return a["started_at"].get<std::string>() < b["started_at"].get<std::string>();
        });
        for (size_t i = 1; i < done.size(); ++i)
            QVERIFY2(done[i]["started_at"].get<std::string>() >= done[i - 1]["finished_at"].get<std::string>(),
                     (done[i].dump() + " overlaps " + done[i - 1].dump()).c_str());
        // In acceptance order (the project's op list), and none lost.
        const nlohmann::json ops = app.get(QString::fromStdString("/api/projects/" + id + "/ops?limit=20")).json()["ops"];
        std::vector<std::string> accepted;
        for (auto it = ops.rbegin(); it != ops.rend(); ++it)
            if ((*it)["kind"] == "promote")
                accepted.push_back((*it)["id"]);
        QCOMPARE(accepted.size(), size_t(10));
        for (size_t i = 0; i < done.size(); ++i)
            QCOMPARE(done[i]["id"].get<std::string>(), accepted[i]);
        const std::string devImage = app.get(QString::fromStdString("/api/projects/" + id)).json()["image"]["ref"];
        for (int i = 1; i <= 10; ++i) {
            const std::string env = "e" + std::to_string(i);
            const nlohmann::json h =
                app.get(QString::fromStdString("/api/projects/" + id + "/releases?env=" + env)).json();
            QCOMPARE(h["releases"].size(), size_t(1));
            QCOMPARE(h["releases"][0]["image"], devImage);
            QVERIFY(!readArtifact(app, id, "promotions/dev-to-" + env + "/rendered.yaml").isEmpty());
        }
        QCOMPARE(deliverySubjects(app, id).size(), 11);   // deploy + 10 promotions

        // Ten concurrent promotions into the SAME environment: each is either
        // accepted or refused as in progress; every accepted one becomes a release.
        threads.clear();
        for (int i = 0; i < 10; ++i)
            threads.emplace_back([&, i] {
                const nlohmann::json body{{"project_id", id}, {"from_env", "dev"}, {"to_env", "e1"}};
                answers[i] = http("POST", url, QByteArray::fromStdString(body.dump()));
            });
        for (auto& t : threads)
            t.join();
        size_t acceptedCount = 0;
        for (const HttpResult& a : answers) {
            if (a.status == 202) {
                ++acceptedCount;
                QCOMPARE(app.waitForOp(acceptedOp(a))["status"], "completed");
            } else {
                QCOMPARE(a.status, 409);
                QCOMPARE(a.json()["error"]["code"], "delivery_in_progress");
            }
        }
        QVERIFY(acceptedCount >= 1);
        const nlohmann::json e1 = app.get(QString::fromStdString("/api/projects/" + id + "/releases?env=e1")).json();
        QCOMPARE(e1["releases"].size(), 1 + acceptedCount);
        QCOMPARE(e1["releases"][0]["number"].get<size_t>(), 1 + acceptedCount);
    }
};

QTEST_GUILESS_MAIN(TestDeliveryGuards)
#include "tst_deliveryguards.moc"
