// Issue 11, the in-memory views (StateView) proven from outside:
//  - two instances on one JetStream (the second joins the first's NATS with
//    PAAS_NATS_URL): what one writes, the other reads, converged from the
//    store (its own process never made those writes);
//  - two instances accepting ops for one project at once still run them one
//    at a time (the queue is in JetStream, not in either process);
//  - after a restart on the same store the views are rebuilt and answer
//    exactly what they answered before;
//  - a 1,000-op backlog on one project runs one op at a time, in
//    acceptance order, and nothing is lost.
#include "tests/integration/registration/regsupport.h"

#include <future>

using namespace paas::test;
using namespace paas::test::reg;
using nlohmann::json;

namespace {

// The observable state of every project and of its ops: what must converge.
json snapshot(const PaasProcess& app)
{
    json out = json::object();
    const json list = app.get("/api/projects").json();
    for (const auto& p : list.value("projects", json::array())) {
        const std::string id = p.value("id", "");
        json ops = json::array();
        for (int offset = 0;; offset += 500) {
            const json page = app.get(projectPath(id, "/ops?limit=500&offset=") + QString::number(offset)).json();
            const json items = page.value("ops", json::array());
            for (const auto& op : items)
                ops.push_back({op.value("id", ""), op.value("status", ""), op.value("finished_at", json())});
            if (items.size() < 500)
                break;
        }
        out[id] = {{"status", p.value("status", "")},
                   {"updated_at", p.value("updated_at", "")},
                   {"spec", p.value("spec", json())},
                   {"queue", p.value("queue", json())},
                   {"ops", ops}};
    }
    return out;
}

std::string shortDiff(const json& a, const json& b)
{
    return json::diff(a, b).dump().substr(0, 2000);
}

}  // namespace

class TestViewConvergence : public QObject {
    Q_OBJECT

private slots:
    void twoInstancesOnOneJetStreamConverge()
    {
        PaasProcess first;
        QVERIFY2(first.start(), first.output().constData());
        const std::string natsUrl = first.get("/api/system").json()["nats"].value("url", "");
        QVERIFY(!natsUrl.empty());
        PaasProcess second(first.root());
        second.env().insert("PAAS_NATS_URL", QString::fromStdString(natsUrl));
        second.env().insert("PAAS_NATS_STORE_DIR", first.root() + "/nats-unused");
        QVERIFY2(second.start(), second.output().constData());

        // The first instance writes: creates, an update, a delete.
        std::vector<std::string> ops;
        for (int i = 0; i < 12; ++i) {
            const HttpResult r =
                first.post("/api/events/registration", regEvent("create", appSpec("conv-" + std::to_string(i))));
            QVERIFY2(r.status == 202, r.body.constData());
            ops.push_back(opIdOf(r));
        }
        for (const std::string& id : ops)
            QCOMPARE(first.waitForOp(id).value("status", ""), std::string("completed"));
        const HttpResult up =
            first.post("/api/events/registration",
                       regEvent("update", appSpec("conv-3", "static", {{"LOG_LEVEL", "debug"}}), "conv-3"));
        const HttpResult del = first.post("/api/events/registration", regEvent("delete", nullptr, "conv-7"));
        QCOMPARE(first.waitForOp(opIdOf(up)).value("status", ""), std::string("completed"));
        QCOMPARE(first.waitForOp(opIdOf(del)).value("status", ""), std::string("completed"));
        QVERIFY(waitFor([&] { return first.get(projectPath("conv-7")).status == 404; }, 30000));

        // The second reads the same state, from the store.
        json a, b;
        const bool converged = waitFor(
            [&] {
                a = snapshot(first);
                b = snapshot(second);
                return a == b;
            },
            30000);
        QVERIFY2(converged, shortDiff(a, b).c_str());
        QCOMPARE(a.size(), size_t(11));
        QCOMPARE(b["conv-3"]["spec"]["environments"]["dev"]["vars"].value("LOG_LEVEL", ""), std::string("debug"));
        QCOMPARE(second.get(projectPath("conv-7")).status, 404);
        QCOMPARE(second.get("/api/ops/" + QString::fromStdString(opIdOf(del))).json().value("status", ""),
                 std::string("completed"));
        // And the other way round: the second writes, the first reads.
        const HttpResult more = second.post("/api/events/registration", regEvent("create", appSpec("conv-late")));
        QCOMPARE(second.waitForOp(opIdOf(more)).value("status", ""), std::string("completed"));
        QVERIFY(
            waitFor([&] { return first.get(projectPath("conv-late")).json().value("status", "") == "ready"; }, 30000));
        QVERIFY(second.stop());
        QVERIFY(first.stop());
    }

    // Both instances accept ops for one project at once: its queue is in
    // JetStream, so the ops still run one at a time and every one runs.
    void twoInstancesAcceptingForOneProjectRunOneAtATime()
    {
        PaasProcess first;
        QVERIFY2(first.start(), first.output().constData());
        const std::string natsUrl = first.get("/api/system").json()["nats"].value("url", "");
        PaasProcess second(first.root());
        second.env().insert("PAAS_NATS_URL", QString::fromStdString(natsUrl));
        second.env().insert("PAAS_NATS_STORE_DIR", first.root() + "/nats-unused");
        QVERIFY2(second.start(), second.output().constData());
        const HttpResult created = first.post("/api/events/registration", regEvent("create", appSpec("shared")));
        QCOMPARE(first.waitForOp(opIdOf(created)).value("status", ""), std::string("completed"));
        QVERIFY(
            waitFor([&] { return second.get(projectPath("shared")).json().value("status", "") == "ready"; }, 30000));
        constexpr int kOps = 40;
        std::vector<std::string> accepted;
        for (int round = 0; round < kOps / 10; ++round) {
            std::vector<Request> requests;
            for (int i = 0; i < 5; ++i) {
                const json spec = appSpec("shared", "static", {{"N", std::to_string(round * 10 + i)}});
                requests.push_back({"POST", "/api/events/registration",
                                    QByteArray::fromStdString(regEvent("update", spec, "shared").dump())});
            }
            // Five at once on each instance, both at the same time.
            auto onSecond = std::async(std::launch::async, [&] { return parallelRequests(second, requests); });
            std::vector<HttpResult> answers = parallelRequests(first, requests);
            for (const HttpResult& r : onSecond.get())
                answers.push_back(r);
            for (const HttpResult& r : answers) {
                QVERIFY2(r.status == 202, r.body.constData());
                accepted.push_back(opIdOf(r));
            }
        }
        std::vector<json> ops;
        for (const std::string& id : accepted) {
            const json op = first.waitForOp(id, 300000);
            QVERIFY2(op.value("status", "") == "completed", op.dump().c_str());
            ops.push_back(op);
        }
        std::sort(ops.begin(), ops.end(),
                  [](const json& a, const json& b) { return a.value("started_at", "") < b.value("started_at", ""); });
        for (size_t i = 1; i < ops.size(); ++i)
            QVERIFY2(ops[i].value("started_at", "") >= ops[i - 1].value("finished_at", ""),
                     (ops[i - 1].dump() + "\n" + ops[i].dump()).substr(0, 3000).c_str());
        QVERIFY(waitFor([&] { return second.get(projectPath("shared")).json().value("queue_length", 1) == 0; }, 30000));
        for (const PaasProcess* app : {&first, &second})
            QVERIFY2(
                !app->output().contains("its start was not recorded") && !app->output().contains("worker: retrying"),
                app->output().right(3000).constData());
        QVERIFY(second.stop());
        QVERIFY(first.stop());
    }

    void viewsAreRebuiltAfterARestart()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        for (int i = 0; i < 5; ++i) {
            const HttpResult r =
                app.post("/api/events/registration", regEvent("create", appSpec("again-" + std::to_string(i))));
            QCOMPARE(app.waitForOp(opIdOf(r)).value("status", ""), std::string("completed"));
        }
        for (int i = 0; i < 60; ++i) {  // more than the view's resident window of one project
            const HttpResult r =
                app.post("/api/events/registration",
                         regEvent("update", appSpec("again-0", "static", {{"N", std::to_string(i)}}), "again-0"));
            QCOMPARE(r.status, 202);
            if (i == 59)
                QCOMPARE(app.waitForOp(opIdOf(r)).value("status", ""), std::string("completed"));
        }
        QVERIFY(waitFor([&] { return app.get(projectPath("again-0")).json().value("queue", json::array()).empty(); },
                        30000));
        const json before = snapshot(app);
        QCOMPARE(before["again-0"]["ops"].size(), size_t(61));
        QVERIFY(app.stop());
        QVERIFY2(app.start(), app.output().constData());
        const json after = snapshot(app);
        QVERIFY2(after == before, shortDiff(before, after).c_str());
        QVERIFY(app.stop());
    }

    void aThousandOpBacklogRunsInAcceptanceOrder()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        const HttpResult created = app.post("/api/events/registration", regEvent("create", appSpec("backlog")));
        QCOMPARE(app.waitForOp(opIdOf(created)).value("status", ""), std::string("completed"));
        constexpr int kOps = 1000;
        std::vector<std::string> accepted;  // in the order the 202s say the ops were accepted
        for (int batch = 0; batch < kOps / 50; ++batch) {
            std::vector<Request> requests;
            for (int i = 0; i < 50; ++i) {
                const json spec = appSpec("backlog", "static", {{"N", std::to_string(batch * 50 + i)}});
                requests.push_back({"POST", "/api/events/registration",
                                    QByteArray::fromStdString(regEvent("update", spec, "backlog").dump())});
            }
            for (const HttpResult& r : parallelRequests(app, requests)) {
                QVERIFY2(r.status == 202, r.body.constData());
                accepted.push_back(opIdOf(r));
            }
        }
        const json queued = app.get(projectPath("backlog")).json();
        const size_t backlog = queued.value("queue_length", size_t(0));
        qInfo() << "backlog right after the last 202:" << backlog << "of" << kOps;
        QVERIFY2(backlog >= kOps / 2, "the test must build a real backlog");
        // The project shows the head of its queue, in acceptance order.
        const json shown = queued.value("queue", json::array());
        QCOMPARE(shown.size(), std::min<size_t>(backlog, 100));
        for (size_t i = 1; i < shown.size(); ++i)
            QVERIFY2(shown[i - 1].get<std::string>() < shown[i].get<std::string>(),
                     queued.dump().substr(0, 2000).c_str());
        // Acceptance order is op id order; each op starts after the one
        // before it ended; every op completed.
        std::sort(accepted.begin(), accepted.end());
        QCOMPARE(app.waitForOp(accepted.back(), 600000).value("status", ""), std::string("completed"));
        json ops = json::array();
        for (int offset = 0; offset < kOps + 1; offset += 500) {
            const json page =
                app.get(projectPath("backlog", "/ops?limit=500&offset=") + QString::number(offset)).json();
            for (const auto& op : page.value("ops", json::array()))
                ops.push_back(op);
        }
        QCOMPARE(ops.size(), size_t(kOps + 1));
        std::vector<json> updates;
        for (auto it = ops.rbegin(); it != ops.rend(); ++it)  // oldest first
            if (it->value("kind", "") == "update")
                updates.push_back(*it);
        QCOMPARE(updates.size(), size_t(kOps));
        for (size_t i = 0; i < updates.size(); ++i) {
            QCOMPARE(updates[i].value("id", ""), accepted[i]);
            QCOMPARE(updates[i].value("status", ""), std::string("completed"));
            if (i > 0)
                QVERIFY2(updates[i].value("started_at", "") >= updates[i - 1].value("finished_at", ""),
                         (updates[i - 1].dump() + "\n" + updates[i].dump()).substr(0, 3000).c_str());
        }
        const json project = settledProject(app, "backlog", accepted.back());
        QCOMPARE(project.value("queue", json::array()).size(), size_t(0));
        QCOMPARE(project.value("queue_length", size_t(1)), size_t(0));
        QCOMPARE(project.value("status", ""), std::string("ready"));
        // Acceptors and enders met at the queue's head all along: none of
        // their writes may have failed and been retried.
        QVERIFY2(!app.output().contains("its start was not recorded") && !app.output().contains("worker: retrying"),
                 app.output().right(3000).constData());
        QVERIFY(app.stop());
    }
};

QTEST_GUILESS_MAIN(TestViewConvergence)
#include "tst_viewconvergence.moc"
