#include "tests/integration/ci/citestutil.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThread>
#include <QTimer>

#include <memory>

namespace paas::test {

nlohmann::json specFor(const std::string& name, const std::string& runtime)
{
    return {{"apiVersion", "platform.example.com/v2"},
            {"kind", "App"},
            {"name", name},
            {"runtime", runtime},
            {"capabilities", {"http"}},
            {"environments", {{"dev", {{"vars", {{"LOG_LEVEL", "info"}}}}}}},
            {"networkPolicies", {{"ingress", "internal"}, {"egress", "internal"}}}};
}

nlohmann::json createProject(const PaasProcess& app, const std::string& name, const nlohmann::json& extra,
                             std::string* error, int timeoutMs)
{
    nlohmann::json body{{"action", "create"}, {"spec", specFor(name)}};
    if (extra.is_object())
        body.update(extra);
    const HttpResult r = app.post("/api/events/registration", body);
    const nlohmann::json j = r.json();
    if (r.status != 202 || !j.is_object() || !j.contains("op")) {
        if (error)
            *error = "registration refused: " + std::to_string(r.status) + " " + r.body.toStdString();
        return nullptr;
    }
    return app.waitForOp(j["op"].value("id", ""), timeoutMs);
}

QString sourceRepo(const PaasProcess& app, const std::string& projectId)
{
    return app.artifactsRoot() + "/" + QString::fromStdString(projectId) + "/repos/source";
}

QProcessEnvironment gitEnv(const QString& apiBaseOverride)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* key : {"GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"})
        env.insert(key, "CI Test");
    for (const char* key : {"GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"})
        env.insert(key, "ci-test@example.invalid");
    env.insert("GIT_CONFIG_NOSYSTEM", "1");
    env.remove("PAAS_LOCAL_API_BASE_URL");
    if (!apiBaseOverride.isEmpty())
        env.insert("PAAS_LOCAL_API_BASE_URL", apiBaseOverride);
    return env;
}

std::string gitCommit(const QString& repo, const QString& file, const QByteArray& content, const QString& message,
                      bool hooks, const QProcessEnvironment& env, QByteArray* output)
{
    const QString path = repo + "/" + file;
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(content) != content.size()) {
        if (output)
            *output = "cannot write " + path.toUtf8();
        return {};
    }
    f.close();
    QByteArray out;
    if (run("git", {"add", "--", file}, repo, &out, 60000, env) != 0) {
        if (output)
            *output = out;
        return {};
    }
    QStringList args;
    if (!hooks)
        args << "-c"
             << "core.hooksPath=/nonexistent-paas-hooks";
    args << "commit"
         << "-q"
         << "-m" << message;
    if (run("git", args, repo, &out, 60000, env) != 0) {
        if (output)
            *output = out;
        return {};
    }
    return gitHead(repo);
}

std::string gitHead(const QString& repo)
{
    QByteArray out;
    if (run("git", {"rev-parse", "HEAD"}, repo, &out, 60000, gitEnv()) != 0)
        return {};
    return out.trimmed().toStdString();
}

std::vector<nlohmann::json> ciOps(const PaasProcess& app, const std::string& projectId)
{
    std::vector<nlohmann::json> out;
    const HttpResult r = app.get("/api/projects/" + QString::fromStdString(projectId) + "/ops?limit=500");
    const nlohmann::json j = r.json();
    if (r.status != 200 || !j.is_object() || !j["ops"].is_array())
        return out;
    for (const nlohmann::json& op : j["ops"])
        if (op.value("kind", "") == "ci")
            out.push_back(op);
    return out;
}

std::vector<nlohmann::json> ciOpsFor(const PaasProcess& app, const std::string& projectId, const std::string& commit)
{
    std::vector<nlohmann::json> out;
    for (const nlohmann::json& op : ciOps(app, projectId))
        if (op["trigger"].is_object() && op["trigger"].value("commit", "") == commit)
            out.push_back(op);
    return out;
}

nlohmann::json waitForCiOp(const PaasProcess& app, const std::string& projectId, const std::string& commit,
                           int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const std::vector<nlohmann::json> ops = ciOpsFor(app, projectId, commit);
        if (!ops.empty()) {
            const nlohmann::json op = app.waitForOp(ops.front().value("id", ""),
                                                    static_cast<int>(std::max<qint64>(1, deadline.remainingTime())));
            const std::string status = op.value("status", "");
            return status == "completed" || status == "failed" || status == "cancelled" ? op : nlohmann::json();
        }
        QThread::msleep(100);
    }
    return nullptr;
}

std::vector<HttpResult> postConcurrently(const QString& url, const std::vector<QByteArray>& bodies,
                                         const Headers& headers, int timeoutMs)
{
    return postConcurrently(std::vector<QString>(bodies.size(), url), bodies, headers, timeoutMs);
}

std::vector<HttpResult> postConcurrently(const std::vector<QString>& urls, const std::vector<QByteArray>& bodies,
                                         const Headers& headers, int timeoutMs)
{
    // One QNetworkAccessManager per request: each has its own connection
    // pool, so every request gets its own TCP connection at the same time.
    std::vector<std::unique_ptr<QNetworkAccessManager>> managers;
    std::vector<QNetworkReply*> replies;
    QEventLoop loop;
    int pending = static_cast<int>(std::min(bodies.size(), urls.size()));
    for (size_t i = 0; i < bodies.size() && i < urls.size(); ++i) {
        const QByteArray& body = bodies[i];
        managers.push_back(std::make_unique<QNetworkAccessManager>());
        QNetworkRequest request{QUrl(urls[i])};
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        for (const auto& [k, v] : headers)
            request.setRawHeader(k, v);
        QNetworkReply* reply = managers.back()->post(request, body);
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&] {
            if (--pending == 0)
                loop.quit();
        });
        replies.push_back(reply);
    }
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    if (pending > 0)
        loop.exec();
    std::vector<HttpResult> results;
    for (QNetworkReply* reply : replies) {
        HttpResult r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        for (const auto& pair : reply->rawHeaderPairs())
            r.headers << pair;
        results.push_back(std::move(r));
        reply->deleteLater();
    }
    return results;
}

std::vector<SseEvent> opEvents(const PaasProcess& app, const std::string& opId, int timeoutMs)
{
    const HttpResult r = http("GET", app.url() + "/api/ops/" + QString::fromStdString(opId) + "/events", {},
                              {{"Accept", "text/event-stream"}}, timeoutMs);
    std::vector<SseEvent> out;
    SseEvent current;
    QByteArray data;
    for (const QByteArray& rawLine : r.body.split('\n')) {
        const QByteArray line = rawLine.endsWith('\r') ? rawLine.chopped(1) : rawLine;
        if (line.isEmpty()) {
            if (!current.event.isEmpty() || !data.isEmpty()) {
                current.data = nlohmann::json::parse(data.toStdString(), nullptr, false);
                out.push_back(current);
            }
            current = {};
            data.clear();
        } else if (line.startsWith("event:")) {
            current.event = line.mid(6).trimmed();
        } else if (line.startsWith("data:")) {
            if (!data.isEmpty())
                data += '\n';
            data += line.mid(5).startsWith(' ') ? line.mid(6) : line.mid(5);
        }
    }
    return out;
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace paas::test
