// Integration test of the generated git hooks: real `git commit` / `git merge`
// (git CLI; libgit2 commits run no hooks), real curl, and a tiny in-test HTTP
// listener (QTcpServer) standing in for the paas API.
#include "engine/git/hookinstaller.h"
#include "engine/git/repobootstrapper.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

using namespace paas;

namespace {

struct Captured {
    QByteArray method, path, body;
    QMap<QByteArray, QByteArray> headers;  // lower-case names
    QPointer<QTcpSocket> socket;
};

// Minimal HTTP/1.1 listener: one request per connection, answers 202 unless
// `silent` (then it never answers, like a hung API).
class Listener : public QObject {
public:
    bool silent = false;
    QList<Captured> requests;

    bool start()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = m_server.nextPendingConnection())
                connect(s, &QTcpSocket::readyRead, this, [this, s] { onData(s); });
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString baseUrl() const { return QString("http://127.0.0.1:%1").arg(m_server.serverPort()); }

private:
    void onData(QTcpSocket* s)
    {
        QByteArray& buf = m_buffers[s];
        buf += s->readAll();
        const int end = buf.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        Captured req;
        const QList<QByteArray> lines = buf.left(end).split('\n');
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        req.method = first.value(0);
        req.path = first.value(1);
        for (int i = 1; i < lines.size(); ++i) {
            const int colon = lines[i].indexOf(':');
            if (colon > 0)
                req.headers[lines[i].left(colon).trimmed().toLower()] = lines[i].mid(colon + 1).trimmed();
        }
        const int length = req.headers.value("content-length", "0").toInt();
        if (buf.size() < end + 4 + length)
            return;
        req.body = buf.mid(end + 4, length);
        req.socket = s;
        requests.append(req);
        m_buffers.remove(s);
        if (!silent) {
            s->write(
                "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 17\r\n"
                "Connection: close\r\n\r\n{\"accepted\":true}");
            s->disconnectFromHost();
        }
    }

    QTcpServer m_server;
    QHash<QTcpSocket*, QByteArray> m_buffers;
};

struct GitRun {
    int exitCode = -1;
    QString out;
    qint64 ms = 0;
};

}  // namespace

class TestHooks : public QObject {
    Q_OBJECT

    QTemporaryDir m_root;
    int m_counter = 0;

    QString apiUrlFile() const { return m_root.path() + "/.paas/api-url"; }

    // A bootstrapped project; returns its source repo path.
    QString bootstrap(const std::string& id, const std::string& defaultBaseUrl = "http://127.0.0.1:9")
    {
        BootstrapRequest req;
        req.projectDir = m_root.path() + '/' + QString::fromStdString(id);
        req.projectId = id;
        req.name = id;
        req.runtime = "static";
        req.port = 8080;
        req.apiUrlFile = apiUrlFile();
        req.defaultBaseUrl = defaultBaseUrl;
        const Status st = RepoBootstrapper::bootstrap(req);
        if (!st)
            qWarning() << "bootstrap failed:" << st.toString().c_str();
        return RepoBootstrapper::sourceRepoPath(req.projectDir);
    }

    GitRun git(const QString& repo, const QStringList& args, const QString& apiBase = QString())
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("PAAS_LOCAL_API_BASE_URL");
        if (!apiBase.isEmpty())
            env.insert("PAAS_LOCAL_API_BASE_URL", apiBase);
        env.insert("HOME", m_root.path());
        env.insert("GIT_CONFIG_NOSYSTEM", "1");
        QProcess p;
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(repo);
        QElapsedTimer timer;
        timer.start();
        p.start("git", QStringList{"-c", "user.name=Test User", "-c", "user.email=test@example.com"} + args);
        GitRun run;
        if (p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit)
            run.exitCode = p.exitCode();
        run.ms = timer.elapsed();
        run.out = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
        if (run.exitCode != 0)
            qWarning() << "git" << args << "failed:" << p.readAllStandardError();
        return run;
    }

    // Edits a file and commits it with the CLI, which runs the hooks.
    GitRun commit(const QString& repo, const QString& subject, const QString& apiBase = QString())
    {
        QFile f(repo + "/change.txt");
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            f.write(QByteArray::number(++m_counter));
        f.close();
        git(repo, {"add", "change.txt"});
        return git(repo, {"commit", "-q", "-m", subject}, apiBase);
    }

    QString head(const QString& repo) { return git(repo, {"rev-parse", "HEAD"}).out; }

    static void verifyWebhook(const Captured& req, const QString& projectId, const QString& sha)
    {
        QCOMPARE(req.method, QByteArray("POST"));
        QCOMPARE(req.path, QByteArray("/api/webhooks/source"));
        QCOMPARE(req.headers.value("content-type"), QByteArray("application/json"));
        QVERIFY2(!req.headers.contains("expect"), "hook must disable Expect: 100-continue");
        const QJsonDocument doc = QJsonDocument::fromJson(req.body);
        QVERIFY2(doc.isObject(), req.body.constData());
        const QJsonObject expected{{"project_id", projectId},  {"repo", "source"}, {"branch", "main"},
                                   {"ref", "refs/heads/main"}, {"commit", sha},    {"trigger", "hook"}};
        QCOMPARE(doc.object(), expected);
    }

private slots:
    void commitOnMainPostsWebhook()
    {
        Listener api;
        QVERIFY(api.start());
        const QString repo = bootstrap("hook-main");
        const GitRun run = commit(repo, "feat: first change", api.baseUrl());
        QCOMPARE(run.exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(api.requests.size(), 1, 20000);
        verifyWebhook(api.requests.first(), "hook-main", head(repo));
        qInfo("git commit with hook, API up: %lld ms", run.ms);
    }

    void otherBranchAndPlatformSyncPostNothing()
    {
        Listener api;
        QVERIFY(api.start());
        const QString repo = bootstrap("hook-skip");
        QCOMPARE(git(repo, {"checkout", "-q", "-b", "feature"}).exitCode, 0);
        QCOMPARE(commit(repo, "wip on a branch", api.baseUrl()).exitCode, 0);
        QCOMPARE(git(repo, {"checkout", "-q", "main"}).exitCode, 0);
        QCOMPARE(commit(repo, "platform-sync: manual sync", api.baseUrl()).exitCode, 0);
        // Sentinel: a normal main commit. Only it may arrive.
        QCOMPARE(commit(repo, "fix: sentinel", api.baseUrl()).exitCode, 0);
        const QString sentinel = head(repo);
        QTRY_VERIFY_WITH_TIMEOUT(!api.requests.isEmpty(), 20000);
        QTest::qWait(300);  // let a wrongly fired earlier post land too
        QCOMPARE(api.requests.size(), 1);
        verifyWebhook(api.requests.first(), "hook-skip", sentinel);
    }

    void mergeIntoMainPostsViaPostMerge()
    {
        Listener api;
        QVERIFY(api.start());
        const QString repo = bootstrap("hook-merge");
        QCOMPARE(git(repo, {"checkout", "-q", "-b", "topic"}).exitCode, 0);
        QCOMPARE(commit(repo, "topic work", api.baseUrl()).exitCode, 0);
        QCOMPARE(git(repo, {"checkout", "-q", "main"}).exitCode, 0);
        QCOMPARE(git(repo, {"merge", "-q", "--no-ff", "-m", "merge topic", "topic"}, api.baseUrl()).exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(api.requests.size(), 1, 20000);
        verifyWebhook(api.requests.first(), "hook-merge", head(repo));
    }

    void apiUrlFileAndDefaultFallbacks()
    {
        Listener fromFile;
        QVERIFY(fromFile.start());
        const QString repo = bootstrap("hook-file");
        QVERIFY(writeApiUrlFile(apiUrlFile(), fromFile.baseUrl().toStdString()));
        QCOMPARE(commit(repo, "via the api-url file").exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(fromFile.requests.size(), 1, 20000);
        verifyWebhook(fromFile.requests.first(), "hook-file", head(repo));

        Listener fallback;
        QVERIFY(fallback.start());
        QVERIFY(QFile::remove(apiUrlFile()));
        const QString other = bootstrap("hook-default", fallback.baseUrl().toStdString());
        QCOMPARE(commit(other, "via the baked default").exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(fallback.requests.size(), 1, 20000);
        verifyWebhook(fallback.requests.first(), "hook-default", head(other));
    }

    void commitSucceedsWithApiDown()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const QString deadUrl = QString("http://127.0.0.1:%1").arg(probe.serverPort());
        probe.close();
        const QString repo = bootstrap("hook-down");
        const QString before = head(repo);
        const GitRun run = commit(repo, "feat: while the API is down", deadUrl);
        QCOMPARE(run.exitCode, 0);
        QVERIFY(head(repo) != before);
        const QString log = repo + "/.git/paas-hook.log";
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(log) && QFileInfo(log).size() > 0, 20000);
        QFile f(log);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY2(f.readAll().contains("curl"), "curl's error is logged");
        qInfo("git commit with hook, API down: %lld ms", run.ms);
    }

    void commitDoesNotWaitForAHungApi()
    {
        Listener api;
        api.silent = true;
        QVERIFY(api.start());
        const QString repo = bootstrap("hook-hung");
        const GitRun run = commit(repo, "feat: API never answers", api.baseUrl());
        QCOMPARE(run.exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(api.requests.size(), 1, 20000);
        // The commit has returned while curl still waits for the answer: a
        // hook that waited would have let curl time out and hang up first.
        QVERIFY(api.requests.first().socket);
        QCOMPARE(api.requests.first().socket->state(), QAbstractSocket::ConnectedState);
        verifyWebhook(api.requests.first(), "hook-hung", head(repo));
        qInfo("git commit with hook, API hung: %lld ms", run.ms);
    }

    void userHookIsKeptAndStillRuns()
    {
        Listener api;
        QVERIFY(api.start());
        const QString repo = bootstrap("hook-user");
        const QString hookPath = repo + "/.git/hooks/post-commit";
        QVERIFY(QFile::remove(hookPath));
        QFile user(hookPath);
        QVERIFY(user.open(QIODevice::WriteOnly));
        user.write("#!/bin/sh\necho ran >\"$(git rev-parse --git-dir)/user-hook-ran\"\n");
        user.close();
        QVERIFY(user.setPermissions(user.permissions() | QFileDevice::ExeOwner));
        QVERIFY(installHooks(repo, "hook-user", apiUrlFile(), "http://127.0.0.1:9"));
        QVERIFY(QFileInfo(hookPath + ".local").isExecutable());
        QCOMPARE(commit(repo, "feat: with a user hook", api.baseUrl()).exitCode, 0);
        QVERIFY(QFile::exists(repo + "/.git/user-hook-ran"));
        QTRY_COMPARE_WITH_TIMEOUT(api.requests.size(), 1, 20000);
        verifyWebhook(api.requests.first(), "hook-user", head(repo));
        QVERIFY(installHooks(repo, "hook-user", apiUrlFile(), "http://127.0.0.1:9"));  // idempotent
        QVERIFY(!QFile::exists(hookPath + ".pre-paas.1"));
    }
};

QTEST_GUILESS_MAIN(TestHooks)
#include "tst_hooks.moc"
