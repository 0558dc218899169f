#pragma once
// Shared helpers of the registration integration tests (issue 3): spec and
// request builders, polling, file reads, parallel HTTP and raw-path requests
// (curl --path-as-is, so nothing normalises `..` before the server sees it).
// Thread affinity: the test's main thread, except http() calls made by
// parallelRequests() on its own short-lived QThreads.
#include "tests/support/paasprocess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QStandardPaths>
#include <QThread>
#include <QtTest>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace paas::test::reg {

inline nlohmann::json appSpec(const std::string& name, const std::string& runtime = "static",
                              const nlohmann::json& vars = {{"LOG_LEVEL", "info"}})
{
    return {{"apiVersion", "platform.example.com/v2"},
            {"kind", "App"},
            {"name", name},
            {"runtime", runtime},
            {"capabilities", {"http"}},
            {"environments", {{"dev", {{"vars", vars}}}}},
            {"networkPolicies", {{"ingress", "internal"}, {"egress", "internal"}}}};
}

inline nlohmann::json regEvent(const std::string& action, const nlohmann::json& spec, const std::string& projectId = {})
{
    nlohmann::json body{{"action", action}};
    if (!spec.is_null())
        body["spec"] = spec;
    if (!projectId.empty())
        body["project_id"] = projectId;
    return body;
}

// Polls pred() with the event loop running, until true or timeout.
template <typename Pred>
bool waitFor(Pred pred, int timeoutMs = 60000)
{
    QElapsedTimer t;
    t.start();
    while (!pred() && t.elapsed() < timeoutMs)
        QTest::qWait(50);
    return pred();
}

inline QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline QString projectDir(const PaasProcess& app, const std::string& id)
{
    return app.artifactsRoot() + "/" + QString::fromStdString(id);
}

inline std::string opIdOf(const HttpResult& r)
{
    const nlohmann::json j = r.json();
    if (j.is_object() && j.contains("op") && j["op"].is_object())
        return j["op"].value("id", "");
    return {};
}

inline QString projectPath(const std::string& id, const char* tail = "")
{
    return "/api/projects/" + QString::fromStdString(id) + QString::fromLatin1(tail);
}

// Issues every request at once, each on its own thread with its own
// connection; results in request order.
struct Request {
    QByteArray method;
    QString path;
    QByteArray body;
};

inline std::vector<HttpResult> parallelRequests(const PaasProcess& app, const std::vector<Request>& requests)
{
    std::vector<HttpResult> results(requests.size());
    std::vector<std::unique_ptr<QThread>> threads;
    const QString base = app.url();
    for (size_t i = 0; i < requests.size(); ++i) {
        threads.emplace_back(QThread::create([&results, &requests, base, i] {
            results[i] = http(requests[i].method, base + requests[i].path, requests[i].body, {}, 60000);
        }));
        threads.back()->start();
    }
    for (auto& t : threads)
        t->wait();
    return results;
}

// GET with the path sent byte for byte (no dot-segment removal), via curl.
struct RawResult {
    int status = 0;
    QByteArray body;
};

inline RawResult rawGet(const PaasProcess& app, const QByteArray& rawPath)
{
    QTemporaryDir dir;
    const QString bodyFile = dir.path() + "/body";
    QByteArray out;
    const int rc =
        run(QStringLiteral("curl"),
            {"-s", "--path-as-is", "-o", bodyFile, "-w", "%{http_code}", app.url() + QString::fromLatin1(rawPath)}, {},
            &out, 30000);
    RawResult r;
    r.status = rc == 0 ? out.trimmed().toInt() : -1;
    r.body = readFile(bodyFile);
    return r;
}

// The ops of a project, newest first.
inline nlohmann::json projectOps(const PaasProcess& app, const std::string& id, int limit = 500)
{
    const nlohmann::json j = app.get(projectPath(id, "/ops?limit=") + QString::number(limit)).json();
    return j.is_object() ? j.value("ops", nlohmann::json::array()) : nlohmann::json::array();
}

// The project once it has taken in the end of op `opId`, an op that ran
// (its last_op is that op or a later one; the op left its queue): an op turns
// terminal a moment before the project record follows.
inline nlohmann::json settledProject(const PaasProcess& app, const std::string& id, const std::string& opId)
{
    nlohmann::json project;
    waitFor(
        [&] {
            project = app.get(projectPath(id)).json();
            if (!project.is_object() || !project.contains("queue") || !project["last_op"].is_object())
                return false;
            for (const auto& queued : project["queue"])
                if (queued == opId)
                    return false;
            return project["last_op"].value("id", "") >= opId;
        },
        30000);
    return project;
}

inline bool isTerminal(const nlohmann::json& op)
{
    const std::string s = op.is_object() ? op.value("status", "") : "";
    return s == "completed" || s == "failed" || s == "cancelled";
}

// Compact description of an op for failure messages.
inline QByteArray describe(const nlohmann::json& j)
{
    return QByteArray::fromStdString(j.dump()).left(4000);
}

}  // namespace paas::test::reg
