// Running environments: stop and start (async, 202 with an op) and the
// container's logs, as the last lines or followed as SSE (issue 16).
//
// GET .../logs?tail=N (0..10000, default 200) answers
// {"project_id", "environment", "container_id", "lines": [...]} from the
// engine's logs API (offloaded). With follow=1 it is a text/event-stream:
// one `event: log` frame per line, data {"line": "..."}; the stream ends
// when the container stops or the client leaves. Each follower is one
// thread blocked in the engine's logs call (at most kMaxFollowers at once,
// then 503 "too_many_followers"); it posts its frames to the API thread.
#include "engine/api/apiutil.h"
#include "engine/api/offloader.h"
#include "engine/api/router.h"
#include "engine/api/routes.h"
#include "engine/api/sseconnection.h"
#include "engine/model/specparser.h"
#include "engine/pipeline/deliverystate.h"
#include "engine/pipeline/environmentrunner.h"

#include <atomic>
#include <memory>
#include <thread>

namespace paas::api {

namespace {

using M = QHttpServerRequest::Method;

constexpr int kMaxFollowers = 16;
std::atomic<int> g_followers{0};

// The environment as the spec names it, and its run state, from memory.
Result<std::pair<std::string, nlohmann::json>> runState(const Platform& platform, const std::string& projectId,
                                                        const std::string& envName)
{
    Result<ProjectRecord> project = platform.project(projectId);
    if (!project)
        return project.status();
    Result<ProjectSpec> spec = SpecParser::parseSpec(project->spec, "/spec", project->environmentOrder);
    if (!spec)
        return spec.status();
    Result<std::string> env = DeliveryState::resolveEnv(*spec, envName, "/environment");
    if (!env)
        return env.status();
    nlohmann::json state = platform.runner().state(projectId, *spec->environment(*env));
    if (state["container_id"].is_null())
        return Status::conflict("not_deployed", "environment '" + *env + "' has no container");
    return std::make_pair(*env, std::move(state));
}

void follow(HttpExchange& ex, Platform* platform, const std::string& id, const std::string& env, int tail)
{
    if (g_followers.fetch_add(1) >= kMaxFollowers) {
        g_followers.fetch_sub(1);
        return sendError(ex, Status::unavailable("too_many_followers", "too many log followers; retry later"));
    }
    auto* conn = new SseConnection(std::move(ex.responder));
    auto left = std::make_shared<std::atomic<bool>>(false);
    QObject::connect(conn, &SseConnection::gone, conn, [left] { *left = true; });
    if (!conn->open()) {  // the client already left: no follower thread for nobody
        conn->deleteLater();
        g_followers.fetch_sub(1);
        return;
    }
    // conn is deleted only by the thread's last post, so every post before it
    // finds it alive.
    std::thread([platform, id, env, tail, conn, left] {
        const auto send = [conn](const QByteArray& frame) {
            QMetaObject::invokeMethod(conn, [conn, frame] { conn->send(frame); });
        };
        Status s = platform->runner().followLogs(
            id, env, tail,
            [&](const std::string& line) {
                send(formatSseFrame({0, "log", QByteArray::fromStdString(nlohmann::json{{"line", line}}.dump())}));
            },
            [left] { return left->load(); });
        const nlohmann::json end = s ? nlohmann::json{{"reason", "container_stopped"}}
                                     : nlohmann::json{{"reason", s.reason()}, {"message", s.message()}};
        send(formatSseFrame({0, "end", QByteArray::fromStdString(end.dump())}));
        QMetaObject::invokeMethod(conn, [conn] {
            conn->close();
            conn->deleteLater();
            g_followers.fetch_sub(1);
        });
    }).detach();
}

void logs(HttpExchange& ex, const ApiContext& ctx)
{
    const std::string id = ex.args[0].toStdString();
    Result<std::pair<std::string, nlohmann::json>> target = runState(*ctx.platform, id, ex.args[1].toStdString());
    if (!target)
        return sendError(ex, target.status());
    const int tail = queryInt(ex, "tail", 200, 0, 10000);  // 0 with follow: only new lines
    if (queryString(ex, "follow") == "1" || queryString(ex, "follow") == "true")
        return follow(ex, ctx.platform, id, target->first, tail);
    ex.offloader->run(ex, [ctx, id, env = target->first, state = target->second, tail] {
        Result<std::vector<std::string>> lines = ctx.platform->runner().logs(id, env, tail);
        if (!lines)
            return Reply::error(lines.status());
        return Reply::json(
            200,
            {{"project_id", id}, {"environment", env}, {"container_id", state["container_id"]}, {"lines", *lines}});
    });
}

void control(HttpExchange& ex, const ApiContext& ctx, const std::string& action)
{
    RunControlRequest req{action, ex.args[0].toStdString(), ex.args[1].toStdString()};
    ex.offloader->run(ex, [ctx, req] { return submitted(ctx.platform->submitRunControl(req)); });
}

}  // namespace

void registerRunRoutes(Router& router, const ApiContext& ctx)
{
    router.add(M::Post, QStringLiteral("/api/projects/([^/]+)/environments/([^/]+)/stop"),
               [ctx](HttpExchange& ex) { control(ex, ctx, "stop"); });
    router.add(M::Post, QStringLiteral("/api/projects/([^/]+)/environments/([^/]+)/start"),
               [ctx](HttpExchange& ex) { control(ex, ctx, "start"); });
    router.add(M::Get, QStringLiteral("/api/projects/([^/]+)/environments/([^/]+)/logs"),
               [ctx](HttpExchange& ex) { logs(ex, ctx); });
    // Every environment with a container, for the tray (from memory).
    router.add(M::Get, QStringLiteral("/api/running"), [ctx](HttpExchange& ex) {
        sendJson(ex, 200, {{"environments", ctx.platform->runner().running()}});
    });
}

}  // namespace paas::api
