// Issue 12 §4: POST /api/ops/{id}/cancel against the real `paas` binary (its
// embedded nats-server, real git repos). A StepGate holds an update's
// repoBootstrap step in the middle, so "queued" and "running" are states the
// test sets up, not races it hopes to win: a queued op never runs and the
// next one does; a running op ends at its step boundary; finished, unknown
// and delete ops are refused; an acknowledged cancel holds across kill -9
// and restarts.
#include "tests/integration/registration/regsupport.h"
#include "tests/integration/registration/stepgate.h"

#include <yaml-cpp/yaml.h>

using namespace paas::test;
using namespace paas::test::reg;
using nlohmann::json;

namespace {

QString opPath(const std::string& id, const char* tail = "")
{
    return "/api/ops/" + QString::fromStdString(id) + QString::fromLatin1(tail);
}

HttpResult cancelOp(const PaasProcess& app, const std::string& opId)
{
    return app.send("POST", opPath(opId, "/cancel"), {});
}

// Registers `name` and waits for its create op; returns that op.
json createdProject(const PaasProcess& app, const std::string& name)
{
    const HttpResult r = app.post("/api/events/registration", regEvent("create", appSpec(name)));
    return r.status == 202 ? app.waitForOp(opIdOf(r)) : json();
}

std::string submitUpdate(const PaasProcess& app, const std::string& id, const std::string& seq)
{
    const HttpResult r =
        app.post("/api/events/registration", regEvent("update", appSpec(id, "static", {{"SEQ", seq}}), id));
    return r.status == 202 ? opIdOf(r) : std::string();
}

std::string stepStatus(const json& op, const std::string& name)
{
    for (const json& step : op.value("steps", json::array()))
        if (step.value("name", "") == name)
            return step.value("status", "");
    return "(no step " + name + ")";
}

// The event types of a finished op, in order: its SSE stream replays them
// and ends after the terminal event.
QStringList eventTypes(const PaasProcess& app, const std::string& opId)
{
    QByteArray out;
    run("curl", {"-sN", "--max-time", "30", app.url() + opPath(opId, "/events")}, {}, &out, 40000);
    QStringList types;
    for (const QByteArray& line : out.split('\n'))
        if (line.startsWith("event: "))
            types << QString::fromUtf8(line.mid(7)).trimmed();
    return types;
}

const char* dump(const json& j)
{
    static std::string text;
    text = j.dump(2);
    return text.c_str();
}

}  // namespace

class TestOpCancel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void queuedOpNeverRunsAndTheNextOpDoes()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        const std::string id = "cancel-queued";
        QCOMPARE(createdProject(app, id).value("status", ""), "completed");
        StepGate gate(projectDir(app, id));
        QVERIFY(gate.close());
        const std::string head = submitUpdate(app, id, "1"), queued = submitUpdate(app, id, "2"),
                          next = submitUpdate(app, id, "3");
        QVERIFY(!head.empty() && !queued.empty() && !next.empty());
        QVERIFY2(gate.waitHeld(), "the first update never reached its repoBootstrap step");

        const HttpResult r = cancelOp(app, queued);
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json()["accepted"], true);
        QVERIFY2(r.json()["op"]["status"] == "cancelled", r.body.constData());  // not started: cancelled at once
        QCOMPARE(app.get(opPath(head)).json()["status"], "running");            // the head is left alone
        QCOMPARE(app.get(projectPath(id)).json()["queue"], json::array({head, next}));

        QVERIFY(gate.release());
        QCOMPARE(app.waitForOp(head)["status"], "completed");
        QCOMPARE(app.waitForOp(next)["status"], "completed");
        const json never = app.get(opPath(queued)).json();
        QCOMPARE(never["status"], "cancelled");
        QVERIFY2(never["started_at"].is_null() && never["finished_at"].is_string(), dump(never));
        QCOMPARE(never["error"]["code"], "cancelled");
        for (const json& step : never["steps"])
            QVERIFY2(step["status"] == "pending" && step["attempt"] == 0, dump(never));
        QCOMPARE(eventTypes(app, queued),
                 QStringList({"op.bootstrap", "op.status", "op.cancel_requested", "op.cancelled"}));
        const json project = settledProject(app, id, next);
        QCOMPARE(project["status"], "ready");
        QCOMPARE(project["last_op"]["id"], next);
        const QByteArray spec = readFile(projectDir(app, id) + "/registration/project.yaml");
        QCOMPARE(YAML::Load(spec.toStdString())["environments"]["dev"]["vars"]["SEQ"].as<std::string>(),
                 std::string("3"));
        QVERIFY(app.stop());
    }

    void runningOpEndsAtItsStepBoundary()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        const std::string id = "cancel-running";
        QCOMPARE(createdProject(app, id).value("status", ""), "completed");
        StepGate gate(projectDir(app, id));
        QVERIFY(gate.close());
        const std::string running = submitUpdate(app, id, "1"), next = submitUpdate(app, id, "2");
        QVERIFY(!running.empty() && !next.empty());
        QVERIFY2(gate.waitHeld(), "the update never reached its repoBootstrap step");

        const HttpResult r = cancelOp(app, running);
        QCOMPARE(r.status, 202);
        const json requested = r.json()["op"];
        QVERIFY2(requested["status"] == "running" && requested["cancel_requested_at"].is_string(), r.body.constData());
        const HttpResult again = cancelOp(app, running);  // idempotent: the first request stands
        QCOMPARE(again.status, 202);
        QCOMPARE(again.json()["op"]["cancel_requested_at"], requested["cancel_requested_at"]);
        const json meanwhile = app.get(opPath(running)).json();  // a git step is not cut off mid-way
        QCOMPARE(meanwhile["status"], "running");
        QCOMPARE(stepStatus(meanwhile, "repoBootstrap"), "running");

        QVERIFY(gate.release());
        const json ended = app.waitForOp(running);
        QVERIFY2(ended["status"] == "cancelled", dump(ended));
        QCOMPARE(ended["error"]["code"], "cancelled");
        QCOMPARE(stepStatus(ended, "repoBootstrap"), "completed");
        QCOMPARE(stepStatus(ended, "imageBuilder"), "pending");
        QCOMPARE(stepStatus(ended, "manifestRenderer"), "pending");
        QCOMPARE(app.waitForOp(next)["status"], "completed");  // the project's next op runs
        const QStringList types = eventTypes(app, running);
        QVERIFY2(types.count("step.started") == 2 && types.last() == "op.cancelled" &&
                     types.indexOf("op.cancel_requested") < types.lastIndexOf("step.completed"),
                 qPrintable(types.join(' ')));
        QCOMPARE(settledProject(app, id, next)["status"], "ready");
        QVERIFY(app.stop());
    }

    void finishedUnknownAndDeleteOpsAreRefused()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        const std::string id = "cancel-refused";
        const json create = createdProject(app, id);
        QCOMPARE(create.value("status", ""), "completed");
        const HttpResult finished = cancelOp(app, create["id"]);
        QCOMPARE(finished.status, 409);
        QCOMPARE(finished.json()["error"]["code"], "op_finished");
        QVERIFY2(finished.json()["error"].value("message", "").find("completed") != std::string::npos,
                 finished.body.constData());
        const HttpResult unknown = cancelOp(app, "op-0000000000000-missing");
        QCOMPARE(unknown.status, 404);
        QCOMPARE(unknown.json()["error"]["code"], "op_not_found");
        QCOMPARE(app.get(opPath(create["id"], "/cancel")).status, 405);

        StepGate gate(projectDir(app, id));
        QVERIFY(gate.close());
        const std::string running = submitUpdate(app, id, "1");
        const HttpResult del = app.post("/api/events/registration", regEvent("delete", nullptr, id));
        QCOMPARE(del.status, 202);
        QVERIFY(gate.waitHeld());
        const HttpResult deleting = cancelOp(app, opIdOf(del));
        QCOMPARE(deleting.status, 409);
        QCOMPARE(deleting.json()["error"]["code"], "op_not_cancellable");
        QCOMPARE(cancelOp(app, running).status, 202);
        QVERIFY(gate.release());
        QCOMPARE(app.waitForOp(running)["status"], "cancelled");
        const HttpResult twice = cancelOp(app, running);  // cancelled is final too
        QCOMPARE(twice.status, 409);
        QCOMPARE(twice.json()["error"]["code"], "op_finished");
        QCOMPARE(app.waitForOp(opIdOf(del))["status"], "completed");  // the delete ran after the cancelled op
        QVERIFY(waitFor([&] { return app.get(projectPath(id)).status == 404; }, 30000));
        QVERIFY(app.stop());
    }

    void acknowledgedCancelHoldsAcrossKillNineAndRestarts()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        const std::string id = "cancel-crash";
        QCOMPARE(createdProject(app, id).value("status", ""), "completed");
        std::string running, next;
        {
            StepGate gate(projectDir(app, id));
            QVERIFY(gate.close());
            running = submitUpdate(app, id, "1");
            next = submitUpdate(app, id, "2");
            QVERIFY(!running.empty() && !next.empty());
            QVERIFY(gate.waitHeld());
            QCOMPARE(cancelOp(app, running).status, 202);
            // The step is still inside repoBootstrap: only JetStream holds the cancel.
            QVERIFY2(app.kill(), "the nats-server child died with the app");
        }  // the gate puts the regular file back

        PaasProcess second(app.root());
        QVERIFY2(second.start(), second.output().constData());
        const json ended = second.waitForOp(running);
        QVERIFY2(ended["status"] == "cancelled", dump(ended));  // recovery did not resume it
        QCOMPARE(stepStatus(ended, "repoBootstrap"), "cancelled");
        QCOMPARE(stepStatus(ended, "imageBuilder"), "pending");
        QCOMPARE(second.waitForOp(next)["status"], "completed");
        QVERIFY(second.stop());

        PaasProcess third(app.root());
        QVERIFY2(third.start(), third.output().constData());
        QCOMPARE(third.get(opPath(running)).json()["status"], "cancelled");
        QCOMPARE(third.get(opPath(next)).json()["status"], "completed");
        const json project = third.get(projectPath(id)).json();
        QVERIFY2(project["queue"].empty() && project["status"] == "ready", dump(project));
        QVERIFY(third.stop());
    }
};

QTEST_MAIN(TestOpCancel)
#include "tst_opcancel.moc"
