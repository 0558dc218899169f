// Unit tests for RepoBootstrapper: real repos on disk, checked with the git CLI.
#include "engine/git/gitrepository.h"
#include "engine/git/repobootstrapper.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace paas;

namespace {

QString git(const QString& dir, const QStringList& args)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    p.start("git", QStringList{"-c", "user.name=Test User", "-c", "user.email=test@example.com"} + args);
    if (!p.waitForFinished(30000) || p.exitCode() != 0)
        qWarning() << "git" << args << "failed:" << p.readAllStandardError();
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

void writeText(const QString& path, const QByteArray& text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

QByteArray readText(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

}  // namespace

class TestRepoBootstrapper : public QObject {
    Q_OBJECT

    QTemporaryDir m_root;

    BootstrapRequest request(const QString& id, const std::string& runtime = "node_22")
    {
        BootstrapRequest r;
        r.projectDir = m_root.path() + '/' + id;
        r.projectId = id.toStdString();
        r.name = "Shop " + id.toStdString();
        r.runtime = runtime;
        r.port = 3000;
        r.apiUrlFile = m_root.path() + "/.paas/api-url";
        return r;
    }

private slots:
    void bootstrapCreatesBothReposAndHooks()
    {
        const BootstrapRequest req = request("alpha");
        Result<BootstrapOutcome> out = RepoBootstrapper::run(req);
        QVERIFY2(out.isOk(), out.status().toString().c_str());
        const QString src = RepoBootstrapper::sourceRepoPath(req.projectDir);
        const QString man = RepoBootstrapper::manifestsRepoPath(req.projectDir);
        QCOMPARE(git(src, {"symbolic-ref", "HEAD"}), QString("refs/heads/main"));
        QCOMPARE(git(src, {"log", "--format=%s|%an"}),
                 QString("platform-sync: bootstrap node_22 template|paas platform"));
        QCOMPARE(git(src, {"ls-tree", "--name-only", "HEAD"}).split('\n'),
                 (QStringList{"Dockerfile", "README.md", "package.json", "server.js"}));
        QCOMPARE(git(src, {"status", "--porcelain"}), QString());
        QCOMPARE(QString::fromStdString(out->sourceHead), git(src, {"rev-parse", "HEAD"}));
        QVERIFY(readText(src + "/server.js").contains("3000"));
        QCOMPARE(git(man, {"log", "--format=%s"}), QString("platform-sync: initialize manifests repo"));
        QCOMPARE(git(man, {"ls-tree", "--name-only", "HEAD"}), QString("README.md"));
        QCOMPARE(QString::fromStdString(out->manifestsHead), git(man, {"rev-parse", "HEAD"}));
        for (const QString hook : {"post-commit", "post-merge"}) {
            QFileInfo info(src + "/.git/hooks/" + hook);
            QVERIFY2(info.isExecutable(), qPrintable(hook));
            QVERIFY(readText(info.filePath()).contains(qPrintable(req.apiUrlFile)));
        }
        QVERIFY(QFile::exists(RepoBootstrapper::templateStatePath(req.projectDir)));
        QCOMPARE(out->written.size(), std::size_t(4));
    }

    void bootstrapTwiceIsIdempotent()
    {
        const BootstrapRequest req = request("beta", "static");
        const BootstrapOutcome first = RepoBootstrapper::run(req).value();
        const QByteArray record = readText(RepoBootstrapper::templateStatePath(req.projectDir));
        const QByteArray hook = readText(RepoBootstrapper::sourceRepoPath(req.projectDir) + "/.git/hooks/post-commit");
        Result<BootstrapOutcome> second = RepoBootstrapper::run(req);
        QVERIFY2(second.isOk(), second.status().toString().c_str());
        QCOMPARE(second->sourceHead, first.sourceHead);
        QCOMPARE(second->manifestsHead, first.manifestsHead);
        QVERIFY(second->written.empty());
        QVERIFY(second->keptUserEdits.empty());
        QCOMPARE(readText(RepoBootstrapper::templateStatePath(req.projectDir)), record);
        QCOMPARE(readText(RepoBootstrapper::sourceRepoPath(req.projectDir) + "/.git/hooks/post-commit"), hook);
        QCOMPARE(git(RepoBootstrapper::sourceRepoPath(req.projectDir), {"rev-list", "--count", "HEAD"}), QString("1"));
        QCOMPARE(git(RepoBootstrapper::manifestsRepoPath(req.projectDir), {"rev-list", "--count", "HEAD"}),
                 QString("1"));
    }

    void updateKeepsUserEditsAndUpdatesUntouchedFiles()
    {
        BootstrapRequest req = request("gamma");
        QVERIFY(RepoBootstrapper::bootstrap(req));
        const QString src = RepoBootstrapper::sourceRepoPath(req.projectDir);
        writeText(src + "/server.js", "// my own server\n");
        git(src, {"commit", "-q", "-am", "my server"});
        const QByteArray userServer = readText(src + "/server.js");

        req.name = "Renamed Shop";  // changes README.md, server.js, package.json
        req.port = 4000;            // and the Dockerfile
        Result<BootstrapOutcome> out = RepoBootstrapper::run(req);
        QVERIFY2(out.isOk(), out.status().toString().c_str());
        QCOMPARE(readText(src + "/server.js"), userServer);
        QVERIFY(readText(src + "/README.md").startsWith("# Renamed Shop"));
        QVERIFY(readText(src + "/Dockerfile").contains("EXPOSE 4000"));
        QCOMPARE(out->keptUserEdits, std::vector<std::string>{"server.js"});
        QCOMPARE(out->written, (std::vector<std::string>{"Dockerfile", "README.md", "package.json"}));
        QCOMPARE(git(src, {"log", "-1", "--format=%s"}), QString("platform-sync: update node_22 template"));
        QCOMPARE(git(src, {"show", "HEAD:server.js"}).toUtf8() + "\n", userServer);
        QCOMPARE(git(src, {"status", "--porcelain"}), QString());

        // A later update still leaves the user's file alone (the record keeps
        // the hash of what the platform wrote, which HEAD no longer matches).
        req.port = 5000;
        out = RepoBootstrapper::run(req);
        QVERIFY(out.isOk());
        QCOMPARE(readText(src + "/server.js"), userServer);
        QVERIFY(readText(src + "/Dockerfile").contains("EXPOSE 5000"));
    }

    void updateKeepsUncommittedEditsAndDeletions()
    {
        BootstrapRequest req = request("delta", "python_3.13");
        QVERIFY(RepoBootstrapper::bootstrap(req));
        const QString src = RepoBootstrapper::sourceRepoPath(req.projectDir);
        writeText(src + "/app.py", "# work in progress\n");  // not committed
        git(src, {"rm", "-q", "requirements.txt"});
        git(src, {"commit", "-q", "-m", "no requirements"});
        req.port = 9090;
        Result<BootstrapOutcome> out = RepoBootstrapper::run(req);
        QVERIFY(out.isOk());
        QCOMPARE(readText(src + "/app.py"), QByteArray("# work in progress\n"));
        QVERIFY(!QFile::exists(src + "/requirements.txt"));
        QVERIFY(readText(src + "/Dockerfile").contains("EXPOSE 9090"));
        QCOMPARE(out->keptUserEdits, (std::vector<std::string>{"app.py", "requirements.txt"}));
        QCOMPARE(git(src, {"status", "--porcelain"}), QString("M app.py"));
    }

    void runtimeChangeRemovesOnlyUntouchedOldFiles()
    {
        BootstrapRequest req = request("epsilon", "node_22");
        QVERIFY(RepoBootstrapper::bootstrap(req));
        const QString src = RepoBootstrapper::sourceRepoPath(req.projectDir);
        writeText(src + "/package.json", "{\"name\":\"mine\"}\n");
        git(src, {"commit", "-q", "-am", "deps"});
        req.runtime = "go_1.26";
        Result<BootstrapOutcome> out = RepoBootstrapper::run(req);
        QVERIFY2(out.isOk(), out.status().toString().c_str());
        QCOMPARE(out->removed, std::vector<std::string>{"server.js"});
        QCOMPARE(git(src, {"ls-tree", "--name-only", "HEAD"}).split('\n'),
                 (QStringList{"Dockerfile", "README.md", "go.mod", "main.go", "package.json"}));
        QVERIFY(readText(src + "/Dockerfile").contains("golang:1.26"));
    }

    void notOnMainLeavesTemplatesAlone()
    {
        BootstrapRequest req = request("zeta", "static");
        QVERIFY(RepoBootstrapper::bootstrap(req));
        const QString src = RepoBootstrapper::sourceRepoPath(req.projectDir);
        git(src, {"checkout", "-q", "-b", "feature"});
        req.port = 1234;
        Result<BootstrapOutcome> out = RepoBootstrapper::run(req);
        QVERIFY(out.isOk());
        QCOMPARE(out->skippedReason, std::string("not_on_main"));
        QVERIFY(!readText(src + "/Dockerfile").contains("1234"));
        QCOMPARE(git(src, {"rev-list", "--count", "main"}), QString("1"));
    }

    // A create retried after a crash between the template record and the
    // manifests repo heals; an update over a source repo broken by hand is
    // refused with a clear error and touches nothing.
    void retriedCreateHealsButUpdateRefusesABrokenSourceRepo()
    {
        BootstrapRequest req = request("iota", "static");
        QVERIFY(RepoBootstrapper::run(req).isOk());
        const QString manifests = RepoBootstrapper::manifestsRepoPath(req.projectDir);
        QVERIFY(QDir(manifests).removeRecursively());  // the crash left no manifests repo
        QCOMPARE(RepoBootstrapper::checkManifestsRepo(req.projectDir).reason(), std::string("manifests_repo_broken"));
        QVERIFY(RepoBootstrapper::run(req).isOk());  // the create's retry
        QVERIFY(RepoBootstrapper::checkManifestsRepo(req.projectDir).isOk());

        const QString source = RepoBootstrapper::sourceRepoPath(req.projectDir);
        QVERIFY(QDir(source + "/.git").removeRecursively());
        req.existing = true;  // an update
        const Result<BootstrapOutcome> refused = RepoBootstrapper::run(req);
        QCOMPARE(refused.status().reason(), std::string("source_repo_broken"));
        QVERIFY(refused.status().message().find(source.toStdString()) != std::string::npos);
        QVERIFY(!QFileInfo::exists(source + "/.git"));  // not re-initialised over the user's files
    }

    void invalidRequests()
    {
        BootstrapRequest req = request("eta");
        req.projectId = "../evil";
        QCOMPARE(RepoBootstrapper::bootstrap(req).reason(), std::string("invalid_project_id"));
        req = request("eta");
        req.port = 0;
        QCOMPARE(RepoBootstrapper::bootstrap(req).reason(), std::string("invalid_port"));
        QVERIFY(!QFileInfo::exists(m_root.path() + "/eta"));
    }

    void archiveMovesToTrashAndIsIdempotent()
    {
        const BootstrapRequest req = request("theta");
        QVERIFY(RepoBootstrapper::bootstrap(req));
        const QString head = git(RepoBootstrapper::sourceRepoPath(req.projectDir), {"rev-parse", "HEAD"});
        QVERIFY(RepoBootstrapper::archiveProject(m_root.path(), "theta"));
        QVERIFY(!QFileInfo::exists(req.projectDir));
        const QStringList trashed = QDir(m_root.path() + "/.trash").entryList({"theta-*"}, QDir::Dirs);
        QCOMPARE(trashed.size(), 1);
        QVERIFY(QRegularExpression("^theta-\\d{8}T\\d{6}Z$").match(trashed.first()).hasMatch());
        const QString moved = m_root.path() + "/.trash/" + trashed.first() + "/repos/source";
        QCOMPARE(git(moved, {"rev-parse", "HEAD"}), head);
        QVERIFY(RepoBootstrapper::archiveProject(m_root.path(), "theta"));  // already gone
        QVERIFY(RepoBootstrapper::bootstrap(req));  // same id again, archived twice in one second
        QVERIFY(RepoBootstrapper::archiveProject(m_root.path(), "theta"));
        QCOMPARE(QDir(m_root.path() + "/.trash").entryList({"theta-*"}, QDir::Dirs).size(), 2);
        QCOMPARE(RepoBootstrapper::archiveProject(m_root.path(), "..").reason(), std::string("invalid_project_id"));
    }
};

QTEST_GUILESS_MAIN(TestRepoBootstrapper)
#include "tst_repobootstrapper.moc"
