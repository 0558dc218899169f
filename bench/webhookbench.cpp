// Source webhook figures (artifact mode, loopback only, bounded loops):
//  - webhook -> 202 latency, p50/p99, one request at a time, unique commits;
//  - webhook -> ci op completed latency (imageBuilder + manifestRenderer);
//  - a burst of 1000 webhooks, 50% duplicates, 50 connections: throughput and
//    the count of ci ops created next to the count of unique commits.
// Commits are made with libgit2 (GitRepository), which runs no hooks, so the
// only CI triggers are the webhooks sent here. Figures only, no assertions.
#include "bench/benchmarks.h"

#include "engine/git/gitrepository.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <random>

namespace paas::bench {

namespace {

using nlohmann::json;

struct Reply {
    int status = 0;
    json body;
};

Reply send(QNetworkAccessManager& nam, const QString& url, const QByteArray& method, const json& body)
{
    QNetworkRequest request{QUrl(url)};
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    QNetworkReply* reply = nam.sendCustomRequest(request, method, QByteArray::fromStdString(body.dump()));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(30000, &loop, &QEventLoop::quit);
    loop.exec();
    Reply out{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
              json::parse(reply->readAll().toStdString(), nullptr, false)};
    reply->deleteLater();
    return out;
}

// Polls the op until it is terminal (bounded); its final status or "".
std::string waitForOp(BenchContext& ctx, const std::string& opId, int timeoutMs, int pollMs = 5)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        const std::string status = ctx.get(QString::fromStdString("/api/ops/" + opId)).value("status", "");
        if (status == "completed" || status == "failed")
            return status;
        QThread::msleep(pollMs);
    }
    return {};
}

// Registers a static project and waits for its create op; its id or "".
std::string createProject(BenchContext& ctx, QNetworkAccessManager& nam, const std::string& name)
{
    const json spec{{"apiVersion", "platform.example.com/v2"}, {"kind", "App"}, {"name", name},
                    {"runtime", "static"}, {"environments", {{"dev", json::object()}}}};
    const Reply r = send(nam, ctx.url() + "/api/events/registration", "POST", {{"action", "create"}, {"spec", spec}});
    if (r.status != 202 || !r.body.is_object()) {
        std::printf("  registration of %s refused: %d %s\n", name.c_str(), r.status, r.body.dump().c_str());
        return {};
    }
    if (waitForOp(ctx, r.body["op"].value("id", ""), 120000, 50) != "completed") {
        std::printf("  create op of %s did not complete\n", name.c_str());
        return {};
    }
    return r.body["op"].value("project_id", "");
}

// `count` new commits on main of the project's source repo (libgit2, no hooks).
std::vector<std::string> makeCommits(BenchContext& ctx, const std::string& projectId, int count)
{
    const json system = ctx.get("/api/system");
    const QString repoPath = QString::fromStdString(system.value("artifacts_root", "") + "/" + projectId + "/repos/source");
    Result<GitRepository> repo = GitRepository::open(repoPath);
    std::vector<std::string> out;
    if (!repo) {
        std::printf("  cannot open %s: %s\n", qPrintable(repoPath), repo.status().message().c_str());
        return out;
    }
    for (int i = 0; i < count; ++i) {
        Result<std::string> sha = repo->commitFiles({{"bench.txt", "bench change " + std::to_string(i) + "\n"}},
                                                     "bench: change " + std::to_string(i));
        if (!sha) {
            std::printf("  commit failed: %s\n", sha.status().message().c_str());
            break;
        }
        out.push_back(*sha);
    }
    return out;
}

json hookBody(const std::string& projectId, const std::string& commit)
{
    return {{"project_id", projectId}, {"repo", "source"}, {"branch", "main"}, {"commit", commit}};
}

// Counts the project's ops of kind ci and waits (bounded) until none is
// queued or running. Returns {ci ops, unfinished}.
std::pair<int, int> drainCiOps(BenchContext& ctx, const std::string& projectId, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    std::pair<int, int> counts{0, 0};
    do {
        const json ops = ctx.get(QString::fromStdString("/api/projects/" + projectId + "/ops?limit=500"));
        counts = {0, 0};
        for (const json& op : ops.value("ops", json::array()))
            if (op.value("kind", "") == "ci") {
                ++counts.first;
                const std::string status = op.value("status", "");
                counts.second += status != "completed" && status != "failed";
            }
        if (counts.second == 0)
            break;
        QThread::msleep(200);
    } while (timer.elapsed() < timeoutMs);
    return counts;
}

}  // namespace

void webhookAcceptLatency(BenchContext& ctx)
{
    constexpr int kSamples = 200;
    QNetworkAccessManager nam;
    const std::string id = createProject(ctx, nam, "bench-webhook-202");
    const std::vector<std::string> commits = id.empty() ? std::vector<std::string>{} : makeCommits(ctx, id, kSamples);
    std::vector<double> ms;
    int other = 0;
    for (const std::string& commit : commits) {
        QElapsedTimer t;
        t.start();
        const Reply r = send(nam, ctx.url() + "/api/webhooks/source", "POST", hookBody(id, commit));
        if (r.status == 202)
            ms.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        else
            ++other;
    }
    BenchContext::figure("webhooks answered 202 (sequential)", static_cast<double>(ms.size()), "requests");
    BenchContext::figure("webhooks answered otherwise", other, "requests");
    BenchContext::figure("webhook -> 202 p50", percentile(ms, 50), "ms");
    BenchContext::figure("webhook -> 202 p99", percentile(ms, 99), "ms");
    BenchContext::figure("webhook -> 202 max", percentile(ms, 100), "ms");
    QElapsedTimer drain;
    drain.start();
    const auto [ops, unfinished] = drainCiOps(ctx, id, 300000);
    BenchContext::figure("ci ops run for them (artifact mode)", ops, "ops");
    BenchContext::figure("  still unfinished after the bounded wait", unfinished, "ops");
    BenchContext::figure("  time to drain the queued ci ops", static_cast<double>(drain.elapsed()) / 1000.0, "s");
}

void webhookCiLatency(BenchContext& ctx)
{
    constexpr int kSamples = 20;
    QNetworkAccessManager nam;
    const std::string id = createProject(ctx, nam, "bench-webhook-ci");
    const std::vector<std::string> commits = id.empty() ? std::vector<std::string>{} : makeCommits(ctx, id, kSamples);
    std::vector<double> ms;
    int failed = 0;
    for (const std::string& commit : commits) {
        QElapsedTimer t;
        t.start();
        const Reply r = send(nam, ctx.url() + "/api/webhooks/source", "POST", hookBody(id, commit));
        if (r.status != 202) {
            ++failed;
            continue;
        }
        // Polled every 5 ms: the figure includes up to one poll interval.
        if (waitForOp(ctx, r.body["op"].value("id", ""), 60000) == "completed")
            ms.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        else
            ++failed;
    }
    BenchContext::figure("ci ops completed (one at a time)", static_cast<double>(ms.size()), "ops");
    BenchContext::figure("ci ops failed or timed out", failed, "ops");
    BenchContext::figure("webhook -> ci completed p50", percentile(ms, 50), "ms");
    BenchContext::figure("webhook -> ci completed p99", percentile(ms, 99), "ms");
}

namespace {

struct BurstResult {
    size_t answered = 0;
    int accepted = 0, deduped = 0, other = 0;
    double seconds = 0;
};

// Sends every body over `connections` keep-alive connections (bounded wait).
BurstResult fireBurst(BenchContext& ctx, const std::vector<QByteArray>& bodies, int connections)
{
    BurstResult result;
    std::vector<std::unique_ptr<QNetworkAccessManager>> managers;
    size_t next = 0;
    QEventLoop loop;
    const QUrl url(ctx.url() + "/api/webhooks/source");
    std::function<void(QNetworkAccessManager*)> sendNext = [&](QNetworkAccessManager* nam) {
        if (next >= bodies.size())
            return;
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        QNetworkReply* reply = nam->post(request, bodies[next++]);
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply, nam] {
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const json body = json::parse(reply->readAll().toStdString(), nullptr, false);
            reply->deleteLater();
            if (status == 202)
                ++result.accepted;
            else if (status == 200 && body.is_object() && body.value("reason", "") == "ignored: commit already processed")
                ++result.deduped;
            else
                ++result.other;
            if (++result.answered == bodies.size())
                loop.quit();
            sendNext(nam);
        });
    };
    QElapsedTimer t;
    t.start();
    for (int c = 0; c < connections; ++c) {
        managers.push_back(std::make_unique<QNetworkAccessManager>());
        sendNext(managers.back().get());
    }
    QTimer::singleShot(300000, &loop, &QEventLoop::quit);
    if (!bodies.empty())
        loop.exec();
    result.seconds = static_cast<double>(t.nsecsElapsed()) / 1e9;
    return result;
}

}  // namespace

void webhookBurst(BenchContext& ctx)
{
    // 1000 webhooks: 500 unique commits, each sent twice, shuffled, over 50
    // keep-alive connections, spread over 4 projects (125 commits each).
    constexpr int kProjects = 4, kCommitsPerProject = 125, kConnections = 50;
    QNetworkAccessManager setup;
    std::vector<std::string> ids;
    std::vector<QByteArray> bodies;
    int unique = 0;
    for (int p = 0; p < kProjects; ++p) {
        const std::string id = createProject(ctx, setup, "bench-burst-" + std::to_string(p));
        if (id.empty())
            continue;
        ids.push_back(id);
        for (const std::string& commit : makeCommits(ctx, id, kCommitsPerProject)) {
            ++unique;
            for (int copy = 0; copy < 2; ++copy)
                bodies.push_back(QByteArray::fromStdString(hookBody(id, commit).dump()));
        }
    }
    std::shuffle(bodies.begin(), bodies.end(), std::mt19937(20261128));
    const BurstResult r = fireBurst(ctx, bodies, kConnections);
    BenchContext::figure("webhooks sent", static_cast<double>(bodies.size()), "requests");
    BenchContext::figure("webhooks answered", static_cast<double>(r.answered), "requests");
    BenchContext::figure("burst throughput", r.seconds > 0 ? static_cast<double>(r.answered) / r.seconds : 0, "req/s");
    BenchContext::figure("answered 202 accepted", r.accepted, "requests");
    BenchContext::figure("answered 200 commit already processed", r.deduped, "requests");
    BenchContext::figure("answered otherwise", r.other, "requests");
    QElapsedTimer drain;
    drain.start();
    int ops = 0, unfinished = 0;
    for (const std::string& id : ids) {
        const auto [count, open] = drainCiOps(ctx, id, static_cast<int>(std::max<qint64>(1000, 300000 - drain.elapsed())));
        ops += count;
        unfinished += open;
    }
    BenchContext::figure("unique commits", unique, "commits");
    BenchContext::figure("ci ops created (GET /api/projects/{id}/ops)", ops, "ops");
    BenchContext::figure("  still unfinished after the bounded wait", unfinished, "ops");
    BenchContext::figure("  time to drain the queued ci ops", static_cast<double>(drain.elapsed()) / 1000.0, "s");
    std::printf("  ci ops created %s unique commits\n", ops == unique ? "==" : "!=");
}

}  // namespace paas::bench
