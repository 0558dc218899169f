// Delivery guardrails and every 4xx on the real paas binary, the in-progress
// guardrail and "no image" with a BuildKit address that never answers (so a
// build holds the project's queue), and 10 concurrent promotions of one
// project: one at a time, in acceptance order, none lost.
#include "deliverytestutil.h"

#include <QTcpServer>
#include <QtTest>

#include <functional>
#include <thread>

using namespace paas::test;

namespace {

// Asserting helper: the answer is `status` with error code `code`.
#define EXPECT_ERROR(result, httpStatus, errorCode)                                      \
    do {                                                                                 \
        const HttpResult r_ = (result);                                                  \
        QVERIFY2(r_.status == (httpStatus), r_.body.constData());                        \
        QCOMPARE(r_.json()["error"]["code"].get<std::string>(), std::string(errorCode)); \
        QVERIFY(!r_.json()["error"]["message"].get<std::string>().empty());              \
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

    std::unique_ptr<PaasProcess> m_app;
    std::string m_id;
    std::string m_fan;  // the project of the concurrency tests

    HttpResult post(const std::string& event, const nlohmann::json& body) const
    {
        return postEvent(*m_app, event, body);
    }
    QString base() const { return QString::fromStdString("/api/projects/" + m_id); }

    // Ten promotions of m_fan posted at once from ten threads.
    std::vector<HttpResult> tenAtOnce(const std::function<std::string(int)>& target) const
    {
        std::vector<HttpResult> answers(10);
        std::vector<std::thread> threads;
        const QString url = m_app->url() + "/api/events/promotion";
        for (int i = 0; i < 10; ++i) {
            const nlohmann::json body{{"project_id", m_fan}, {"from_env", "dev"}, {"to_env", target(i)}};
            threads.emplace_back(
                [&answers, url, body, i] { answers[i] = http("POST", url, QByteArray::fromStdString(body.dump())); });
        }
        for (auto& t : threads)
            t.join();
        return answers;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_app = std::make_unique<PaasProcess>();
        QVERIFY2(m_app->start(), m_app->output().constData());
        m_id = createProject(*m_app, deliverySpec("guards"));
        QVERIFY(!m_id.empty());
    }

    void badRequests()
    {
        EXPECT_ERROR(post("deployment", {{"project_id", "nope"}}), 404, "project_not_found");
        EXPECT_ERROR(post("deployment", nlohmann::json::object()), 400, "missing_project_id");
        EXPECT_ERROR(post("deployment", {{"project_id", 5}}), 400, "invalid_field");
        EXPECT_ERROR(m_app->send("POST", "/api/events/deployment", "{not json"), 400, "malformed_json");
        HttpResult r = post("deployment", {{"project_id", m_id}, {"environment", "qa"}});
        EXPECT_ERROR(r, 400, "unknown_environment");
        QVERIFY(r.json()["error"]["message"].get<std::string>().find("'qa'") != std::string::npos);
        QCOMPARE(detailPath(r), "/environment");
        r = post("deployment", {{"project_id", m_id}, {"environment", "staging"}});
        EXPECT_ERROR(r, 400, "deploy_dev_only");
        QVERIFY(r.json()["error"]["message"].get<std::string>().find("/api/events/promotion") != std::string::npos);
        EXPECT_ERROR(post("deployment", {{"project_id", m_id}, {"environment", "production"}}), 400, "deploy_dev_only");
    }

    void nothingDeployedYet()
    {
        EXPECT_ERROR(post("promotion", {{"project_id", m_id}, {"from_env", "dev"}, {"to_env", "staging"}}), 409,
                     "nothing_deployed");
        EXPECT_ERROR(post("rollback", {{"project_id", m_id}, {"environment", "dev"}}), 409, "nothing_deployed");
        EXPECT_ERROR(m_app->get(base() + "/diff?from=dev&to=staging"), 409, "nothing_deployed");
        QCOMPARE(m_app->waitForOp(acceptedOp(post("deployment", {{"project_id", m_id}})))["status"], "completed");
    }

    void promotionGuards()
    {
        EXPECT_ERROR(post("promotion", {{"project_id", m_id}, {"from_env", "dev"}, {"to_env", "dev"}}), 409,
                     "same_environment");
        EXPECT_ERROR(post("promotion", {{"project_id", m_id}, {"from", "prod"}, {"to", "production"}}), 409,
                     "same_environment");
        HttpResult r = post("promotion", {{"project_id", m_id}, {"from_env", "dev"}, {"to_env", "qa"}});
        EXPECT_ERROR(r, 400, "unknown_environment");
        QCOMPARE(detailPath(r), "/to_env");
        r = post("promotion", {{"project_id", m_id}, {"from_env", "dev"}});
        EXPECT_ERROR(r, 400, "missing_environment");
        QCOMPARE(detailPath(r), "/to_env");
        EXPECT_ERROR(post("promotion", {{"project_id", m_id}, {"from_env", "staging"}, {"to_env", "prod"}}), 409,
                     "nothing_deployed");
        r = post("release", {{"project_id", m_id}, {"from_env", "dev"}, {"to_env", "staging"}});
        EXPECT_ERROR(r, 400, "not_production");
        QCOMPARE(detailPath(r), "/to_env");
    }

    void rollbackGuards()
    {
        auto rollback = [&](nlohmann::json extra) {
            extra["project_id"] = m_id;
            return post("rollback", extra);
        };
        EXPECT_ERROR(rollback({{"environment", "dev"}}), 409, "no_previous_release");
        EXPECT_ERROR(rollback({{"environment", "dev"}, {"release", 1}}), 409, "already_current");
        EXPECT_ERROR(rollback({{"environment", "dev"}, {"release", 7}}), 404, "release_not_found");
        EXPECT_ERROR(rollback({{"environment", "dev"}, {"release", "1"}}), 400, "invalid_release");
        EXPECT_ERROR(rollback({{"environment", "dev"}, {"release", 0}}), 400, "invalid_release");
        EXPECT_ERROR(rollback(nlohmann::json::object()), 400, "missing_environment");
        EXPECT_ERROR(rollback({{"environment", "staging"}}), 409, "nothing_deployed");
    }

    void readApiErrorsAndFirstDiff()
    {
        EXPECT_ERROR(m_app->get("/api/projects/nope/environments"), 404, "project_not_found");
        EXPECT_ERROR(m_app->get(base() + "/releases?env=qa"), 400, "unknown_environment");
        EXPECT_ERROR(m_app->get(base() + "/diff?from=dev&to=dev"), 409, "same_environment");
        EXPECT_ERROR(m_app->get(base() + "/diff?from=staging&to=prod"), 409, "nothing_deployed");
        EXPECT_ERROR(m_app->get(base() + "/diff?from=dev"), 400, "missing_environment");
        const nlohmann::json diff = m_app->get(base() + "/diff?from=dev&to=staging").json();
        QCOMPARE(diff["changed"], true);  // staging is empty: everything is added
        QCOMPARE(diff["objects"].size(), size_t(3));
        QCOMPARE(diff["objects"][0]["change"], "added");
        QVERIFY(diff["unified"].get<std::string>().find("@@ -0,0 +1,") != std::string::npos);
    }

    void refusedRequestsCreateNoOps()
    {
        const nlohmann::json ops = m_app->get(base() + "/ops").json();
        QCOMPARE(ops["ops"].size(), size_t(2));  // create + deploy
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
        QVERIFY(!deployOp.empty());  // the last build's image, queued behind the update
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
        nlohmann::json spec = deliverySpec("fan");
        spec["environments"] = {{"dev", nlohmann::json::object()}};
        for (int i = 1; i <= 10; ++i)
            spec["environments"]["e" + std::to_string(i)] = nlohmann::json::object();
        m_fan = createProject(*m_app, spec);
        QVERIFY(!m_fan.empty());
        QCOMPARE(m_app->waitForOp(acceptedOp(postEvent(*m_app, "deployment", {{"project_id", m_fan}})))["status"],
                 "completed");
        std::vector<nlohmann::json> done;
        for (const HttpResult& a : tenAtOnce([](int i) { return "e" + std::to_string(i + 1); })) {
            QVERIFY2(a.status == 202, a.body.constData());
            done.push_back(m_app->waitForOp(acceptedOp(a)));
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
        // In acceptance order (the project's op list, oldest last).
        const nlohmann::json ops =
            m_app->get(QString::fromStdString("/api/projects/" + m_fan + "/ops?limit=20")).json()["ops"];
        std::vector<std::string> accepted;
        for (auto it = ops.rbegin(); it != ops.rend(); ++it)
            if ((*it)["kind"] == "promote")
                accepted.push_back((*it)["id"]);
        QCOMPARE(accepted.size(), size_t(10));
        for (size_t i = 0; i < done.size(); ++i)
            QCOMPARE(done[i]["id"].get<std::string>(), accepted[i]);
    }

    void tenConcurrentPromotionsNoneLost()
    {
        QVERIFY(!m_fan.empty());
        const std::string devImage =
            m_app->get(QString::fromStdString("/api/projects/" + m_fan)).json()["image"]["ref"];
        for (int i = 1; i <= 10; ++i) {
            const std::string env = "e" + std::to_string(i);
            const nlohmann::json h =
                m_app->get(QString::fromStdString("/api/projects/" + m_fan + "/releases?env=" + env)).json();
            QCOMPARE(h["releases"].size(), size_t(1));
            QCOMPARE(h["releases"][0]["image"], devImage);
            QVERIFY(!readArtifact(*m_app, m_fan, "promotions/dev-to-" + env + "/rendered.yaml").isEmpty());
        }
        QCOMPARE(deliverySubjects(*m_app, m_fan).size(), 11);  // deploy + 10 promotions
    }

    // Into the SAME environment: each is accepted or refused as in progress;
    // every accepted one becomes a release.
    void tenConcurrentPromotionsIntoOneEnvironment()
    {
        QVERIFY(!m_fan.empty());
        size_t acceptedCount = 0;
        for (const HttpResult& a : tenAtOnce([](int) { return std::string("e1"); })) {
            if (a.status == 202) {
                ++acceptedCount;
                QCOMPARE(m_app->waitForOp(acceptedOp(a))["status"], "completed");
                continue;
            }
            QCOMPARE(a.status, 409);
            QCOMPARE(a.json()["error"]["code"], "delivery_in_progress");
        }
        QVERIFY(acceptedCount >= 1);
        const nlohmann::json e1 =
            m_app->get(QString::fromStdString("/api/projects/" + m_fan + "/releases?env=e1")).json();
        QCOMPARE(e1["releases"].size(), 1 + acceptedCount);
        QCOMPARE(e1["releases"][0]["number"].get<size_t>(), 1 + acceptedCount);
    }

    void cleanupTestCase() { m_app.reset(); }
};

QTEST_GUILESS_MAIN(TestDeliveryGuards)
#include "tst_deliveryguards.moc"
