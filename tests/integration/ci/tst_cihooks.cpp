// The CI triggers that come from the source repo itself, end to end on the
// real paas binary (artifact mode): the installed post-commit/post-merge hooks
// run by a real `git commit`/`git merge`, and the in-process commit watcher
// (PAAS_ENABLE_COMMIT_WATCHER) alongside the hooks or alone when the hooks
// cannot reach the API. Every path shares the commit dedupe: one ci op per
// commit, platform-sync commits never built.
#include "tests/integration/ci/citestutil.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QTcpServer>
#include <QThread>
#include <QtTest>

#include <set>

using namespace paas::test;
using nlohmann::json;

namespace {

// A loopback port nothing listens on (bound, then released).
QString deadApiBase()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return "http://127.0.0.1:9";
    const quint16 port = probe.serverPort();
    probe.close();
    return QString("http://127.0.0.1:%1").arg(port);
}

// Polls `path` until it contains `needle` (the hook's curl runs in the background).
bool waitForFileContaining(const QString& path, const QByteArray& needle, int timeoutMs = 20000)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (readFile(path).contains(needle))
            return true;
        QThread::msleep(100);
    }
    return false;
}

std::string createOrFail(const PaasProcess& app, const std::string& name)
{
    std::string error;
    const json op = createProject(app, name, {}, &error);
    if (op.is_null() || op.value("status", "") != "completed") {
        qWarning("create %s: %s %s", name.c_str(), error.c_str(), op.dump().c_str());
        return {};
    }
    return op.value("project_id", "");
}

PaasProcess* startWithWatcher(PaasProcess& app)
{
    app.env().insert("PAAS_ENABLE_COMMIT_WATCHER", "true");
    app.env().insert("PAAS_COMMIT_WATCHER_INTERVAL_MS", "200");
    return app.start() ? &app : nullptr;
}

}  // namespace

class TestCiHooks : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void realCommitOnMainRunsCiForThatCommit()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        const std::string id = createOrFail(app, "ci-hooked");
        QVERIFY(!id.empty());
        const QString repo = sourceRepo(app, id);
        QByteArray out;
        QCOMPARE(run("git", {"symbolic-ref", "--short", "HEAD"}, repo, &out, 60000, gitEnv()), 0);
        QCOMPARE(out.trimmed(), QByteArray("main"));

        const std::string sha =
            gitCommit(repo, "index.html", "<h1>hooked</h1>\n", "feat: hooked change", true, gitEnv(), &out);
        QVERIFY2(!sha.empty(), out.constData());
        QByteArray head;
        QCOMPARE(run("git", {"rev-parse", "HEAD"}, repo, &head, 60000, gitEnv()), 0);
        QCOMPARE(sha, head.trimmed().toStdString());

        const json op = waitForCiOp(app, id, sha);
        QVERIFY2(!op.is_null(), readFile(repo + "/.git/paas-hook.log").constData());
        QCOMPARE(op.value("status", ""), std::string("completed"));
        QCOMPARE(op.value("kind", ""), std::string("ci"));
        QCOMPARE(op["trigger"].value("source", ""), std::string("hook"));
        QCOMPARE(op["trigger"].value("ref", ""), std::string("refs/heads/main"));
        const QString dir = app.artifactsRoot() + "/" + QString::fromStdString(id);
        QVERIFY(readFile(dir + "/build/image.txt")
                    .startsWith(QByteArray::fromStdString("paas/" + id + ":" + sha.substr(0, 12))));
        QCOMPARE(app.get("/api/projects/" + QString::fromStdString(id)).json()["image"].value("commit", ""), sha);
        QVERIFY(waitForFileContaining(repo + "/.git/paas-hook.log", "\"accepted\":true"));

        // A second notification of the same commit is deduped.
        const HttpResult again = app.post(
            "/api/webhooks/source",
            {{"project_id", id}, {"repo", "source"}, {"branch", "main"}, {"commit", sha}, {"trigger", "hook"}});
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json(), (json{{"accepted", false}, {"reason", "ignored: commit already processed"}}));
        QCOMPARE(ciOpsFor(app, id, sha).size(), size_t(1));
        QCOMPARE(ciOps(app, id).size(), size_t(1));
    }

    // Issue 10, item 7: with a webhook secret set, the project's own hooks
    // still start CI (they send the per-project hook token from a 0600 file
    // inside .git); unsigned, forged, or another project's tokens are refused,
    // and the token is never served.
    void hooksAuthenticateWhenAWebhookSecretIsSet()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        std::string error;
        const json created = createProject(app, "ci-secret-hook", {{"webhook_secret", "hook-test-secret"}}, &error);
        QVERIFY2(created.value("status", "") == "completed", error.c_str());
        const std::string id = created.value("project_id", "");
        const std::string other = createOrFail(app, "ci-secret-other");
        QVERIFY(!other.empty());
        const QString repo = sourceRepo(app, id);
        const QString tokenFile = repo + "/.git/paas-hook-token";
        QVERIFY(QFileInfo::exists(tokenFile));
        QCOMPARE(QFileInfo(tokenFile).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther |
                                                       QFileDevice::WriteGroup | QFileDevice::WriteOther),
                 QFileDevice::Permissions());
        QByteArray out;
        QCOMPARE(run("git", {"status", "--porcelain"}, repo, &out, 60000, gitEnv()), 0);
        QVERIFY2(!out.contains("paas-hook-token"), out.constData());

        const std::string sha =
            gitCommit(repo, "index.html", "<h1>signed hook</h1>\n", "feat: hook with secret", true, gitEnv(), &out);
        QVERIFY2(!sha.empty(), out.constData());
        const json op = waitForCiOp(app, id, sha);
        QVERIFY2(!op.is_null(), readFile(repo + "/.git/paas-hook.log").constData());
        QCOMPARE(op["trigger"].value("source", ""), std::string("hook"));

        const QByteArray tokenLine = readFile(tokenFile).trimmed();
        QVERIFY(tokenLine.startsWith("X-Paas-Hook-Token: "));
        const QByteArray token = tokenLine.mid(int(sizeof("X-Paas-Hook-Token: ")) - 1);
        const QByteArray otherToken = readFile(sourceRepo(app, other) + "/.git/paas-hook-token").trimmed().mid(19);
        QVERIFY(!otherToken.isEmpty() && otherToken != token);
        const json body{{"project_id", id}, {"repo", "source"}, {"branch", "main"}, {"trigger", "hook"}};
        const Headers jsonType{{"Content-Type", "application/json"}};
        for (const QByteArray& wrong :
             {QByteArray(), QByteArray("0000"), otherToken, token.left(token.size() - 1) + "x"}) {
            const HttpResult r =
                app.send("POST", "/api/webhooks/source", QByteArray::fromStdString(body.dump()),
                         wrong.isEmpty() ? jsonType : jsonType + Headers{{"X-Paas-Hook-Token", wrong}});
            QCOMPARE(r.status, 401);
            QCOMPARE(r.json()["error"]["code"], "invalid_signature");
        }
        // Never served: the artifacts API refuses .git, and the install secret is not an artifact path.
        for (const QString& path :
             {"/api/projects/" + QString::fromStdString(id) + "/artifacts/repos/source/.git/paas-hook-token",
              QString("/api/projects/" + QString::fromStdString(id) + "/artifacts/../.paas/hook-secret")}) {
            const HttpResult r = app.get(path);
            QVERIFY2(r.status >= 400 && !r.body.contains(token), qPrintable(path));
        }
        QVERIFY(!app.get("/api/projects/" + QString::fromStdString(id)).body.contains(token));
    }

    // Issue 10, item 8: with an API token, the hooks send the app's
    // Authorization header from <root>/.paas/api-auth-header (0600).
    void hooksAuthenticateWhenTheApiNeedsAToken()
    {
        PaasProcess app;
        const QByteArray token = "ci-hooks-token-0123456789abcdef";
        app.env().insert("PAAS_API_TOKEN", QString::fromLatin1(token));
        QVERIFY2(app.start(), app.output().constData());
        QCOMPARE(app.get("/api/projects").status, 401);
        app.setDefaultHeaders({{"Authorization", "Bearer " + token}});
        const std::string id = createOrFail(app, "ci-token-hook");
        QVERIFY(!id.empty());
        const QString header = app.artifactsRoot() + "/.paas/api-auth-header";
        QCOMPARE(QFileInfo(header).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        const QString repo = sourceRepo(app, id);
        QByteArray out;
        const std::string sha =
            gitCommit(repo, "index.html", "<h1>token</h1>\n", "feat: behind a token", true, gitEnv(), &out);
        QVERIFY2(!sha.empty(), out.constData());
        const json op = waitForCiOp(app, id, sha);
        QVERIFY2(!op.is_null(), readFile(repo + "/.git/paas-hook.log").constData());
        QCOMPARE(op["trigger"].value("source", ""), std::string("hook"));
        QVERIFY(app.stop());

        // Without a token the header file goes, so nothing stale is sent.
        PaasProcess again(app.root());
        QVERIFY2(again.start(), again.output().constData());
        QVERIFY(!QFileInfo::exists(header));
    }

    void hooksFireOnlyOnMainAndOnMerge()
    {
        PaasProcess app;
        QVERIFY2(app.start(), app.output().constData());
        const std::string id = createOrFail(app, "ci-branches");
        QVERIFY(!id.empty());
        const QString repo = sourceRepo(app, id);
        QByteArray out;
        QCOMPARE(run("git", {"switch", "-q", "-c", "topic"}, repo, &out, 60000, gitEnv()), 0);
        const std::string topic = gitCommit(repo, "topic.txt", "topic\n", "topic work", true, gitEnv(), &out);
        QVERIFY2(!topic.empty(), out.constData());
        QCOMPARE(run("git", {"switch", "-q", "main"}, repo, &out, 60000, gitEnv()), 0);
        QCOMPARE(run("git", {"merge", "--no-ff", "-q", "-m", "merge topic", "topic"}, repo, &out, 60000, gitEnv()), 0);
        const std::string merged = gitHead(repo);
        QVERIFY(!merged.empty() && merged != topic);

        const json op = waitForCiOp(app, id, merged);  // from post-merge
        QVERIFY2(!op.is_null(), readFile(repo + "/.git/paas-hook.log").constData());
        QCOMPARE(op.value("status", ""), std::string("completed"));
        QCOMPARE(op["trigger"].value("source", ""), std::string("hook"));
        QVERIFY(ciOpsFor(app, id, topic).empty());
        QCOMPARE(ciOps(app, id).size(), size_t(1));
    }

    void watcherAlongsideHooksGivesOneOpPerCommit()
    {
        PaasProcess app;
        QVERIFY2(startWithWatcher(app), app.output().constData());
        const std::string id = createOrFail(app, "ci-watched");
        QVERIFY(!id.empty());
        const QString repo = sourceRepo(app, id);
        std::vector<std::string> commits;
        QByteArray out;
        for (int i = 0; i < 5; ++i) {
            commits.push_back(gitCommit(repo, QString("file-%1.txt").arg(i), QByteArray::number(i) + "\n",
                                        QString("change %1").arg(i), true, gitEnv(), &out));
            QVERIFY2(!commits.back().empty(), out.constData());
        }
        // A commit the hooks do not see: only the watcher can build it. Once it
        // is built, the watcher has looked at every earlier commit too.
        const std::string sentinel = gitCommit(repo, "sentinel.txt", "s\n", "sentinel", false, gitEnv(), &out);
        QVERIFY2(!sentinel.empty(), out.constData());
        const json last = waitForCiOp(app, id, sentinel);
        QVERIFY2(!last.is_null(), app.output().constData());
        QCOMPARE(last["trigger"].value("source", ""), std::string("watcher"));
        QCOMPARE(last.value("status", ""), std::string("completed"));

        std::set<std::string> sources;
        for (const std::string& sha : commits) {
            const json op = waitForCiOp(app, id, sha);
            QVERIFY2(!op.is_null(), sha.c_str());
            QCOMPARE(op.value("status", ""), std::string("completed"));
            sources.insert(op["trigger"].value("source", ""));
            QCOMPARE(ciOpsFor(app, id, sha).size(), size_t(1));
        }
        for (const std::string& s : sources)
            QVERIFY2(s == "hook" || s == "watcher", s.c_str());
        // Exactly the user's commits: the platform-sync bootstrap commit is not built.
        QCOMPARE(ciOps(app, id).size(), commits.size() + 1);
        QCOMPARE(ciOpsFor(app, id, sentinel).size(), size_t(1));
    }

    void watcherAloneWhenHooksCannotReachTheApi()
    {
        PaasProcess app;
        QVERIFY2(startWithWatcher(app), app.output().constData());
        const std::string id = createOrFail(app, "ci-unhooked");
        QVERIFY(!id.empty());
        const QString repo = sourceRepo(app, id);
        const QProcessEnvironment dead = gitEnv(deadApiBase());
        QByteArray out;

        const std::string first =
            gitCommit(repo, "index.html", "<h1>watched</h1>\n", "feat: watched", true, dead, &out);
        QVERIFY2(!first.empty(), out.constData());
        QVERIFY2(waitForFileContaining(repo + "/.git/paas-hook.log", "curl"),
                 "the hook ran and reported that it could not reach the API");
        const json op = waitForCiOp(app, id, first);
        QVERIFY2(!op.is_null(), app.output().constData());
        QCOMPARE(op.value("status", ""), std::string("completed"));
        QCOMPARE(op["trigger"].value("source", ""), std::string("watcher"));
        QCOMPARE(op["trigger"].value("ref", ""), std::string("refs/heads/main"));

        // The webhook path shares the watcher's dedupe.
        const HttpResult dup =
            app.post("/api/webhooks/source", {{"project_id", id}, {"branch", "main"}, {"commit", first}});
        QCOMPARE(dup.status, 200);
        QCOMPARE(dup.json().value("reason", ""), std::string("ignored: commit already processed"));

        // platform-sync commits are never built; the user's next one is.
        const std::string sync =
            gitCommit(repo, "synced.txt", "sync\n", "platform-sync: manual sync", true, dead, &out);
        QVERIFY2(!sync.empty(), out.constData());
        const std::string next = gitCommit(repo, "after.txt", "after\n", "feat: after sync", true, dead, &out);
        QVERIFY2(!next.empty(), out.constData());
        const json nextOp = waitForCiOp(app, id, next);
        QVERIFY(!nextOp.is_null());
        QCOMPARE(nextOp["trigger"].value("source", ""), std::string("watcher"));
        QVERIFY(ciOpsFor(app, id, sync).empty());
        QCOMPARE(ciOps(app, id).size(), size_t(2));
    }
};

QTEST_GUILESS_MAIN(TestCiHooks)
#include "tst_cihooks.moc"
