// Unit tests for GitRepository (libgit2), checked against the real git CLI
// where that is the more honest oracle.
#include "engine/git/gitrepository.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <thread>

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

}  // namespace

class TestGitRepository : public QObject {
    Q_OBJECT

private slots:
    void initCreatesMainAndIsIdempotent()
    {
        QTemporaryDir tmp;
        const QString path = tmp.path() + "/nested/repo";
        Result<GitRepository> repo = GitRepository::init(path);
        QVERIFY2(repo.isOk(), repo.status().toString().c_str());
        QCOMPARE(git(path, {"symbolic-ref", "HEAD"}), QString("refs/heads/main"));
        QCOMPARE(repo->currentBranch().value(), std::string("main"));
        QCOMPARE(repo->branchHead().status().reason(), std::string("unknown_branch"));
        QVERIFY(repo->commitFiles({{"a.txt", "one\n"}}, "first").isOk());
        Result<GitRepository> again = GitRepository::init(path);
        QVERIFY(again.isOk());
        QCOMPARE(again->branchHead().value(), repo->branchHead().value());
        QVERIFY(!QFile::exists(path + "/.git/hooks/post-commit"));
    }

    void openMissingIsNotFound()
    {
        QTemporaryDir tmp;
        Result<GitRepository> repo = GitRepository::open(tmp.path() + "/none");
        QVERIFY(!repo.isOk());
        QCOMPARE(repo.status().code(), Status::Code::NotFound);
        QCOMPARE(repo.status().reason(), std::string("repo_not_found"));
    }

    void commitFilesWritesCommitsAndStages()
    {
        QTemporaryDir tmp;
        GitRepository repo = std::move(GitRepository::init(tmp.path()).value());
        Result<std::string> sha = repo.commitFiles({{"src/app.py", "print('hi')\n"}, {"run.sh", "#!/bin/sh\n"}},
                                                   "platform-sync: first", {}, {{"run.sh", 0100755}});
        QVERIFY2(sha.isOk(), sha.status().toString().c_str());
        QCOMPARE(QString::fromStdString(*sha), git(tmp.path(), {"rev-parse", "HEAD"}));
        QCOMPARE(git(tmp.path(), {"log", "-1", "--format=%an <%ae>|%s"}),
                 QString("paas platform <platform@paas.local>|platform-sync: first"));
        QCOMPARE(git(tmp.path(), {"status", "--porcelain"}), QString());
        QCOMPARE(git(tmp.path(), {"ls-files", "-s", "run.sh"}).left(6), QString("100755"));
        QVERIFY(QFileInfo(tmp.path() + "/run.sh").isExecutable());
        QCOMPARE(repo.commitSubject(*sha).value(), std::string("platform-sync: first"));
        QVERIFY(GitRepository::isPlatformSync(repo.commitSubject(*sha).value()));
        QVERIFY(!GitRepository::isPlatformSync("fix: platform-sync: nope"));
    }

    void commitFilesIsNoOpWhenUnchanged()
    {
        QTemporaryDir tmp;
        GitRepository repo = std::move(GitRepository::init(tmp.path()).value());
        const std::string first = repo.commitFiles({{"a.txt", "A"}, {"b.txt", "B"}}, "one").value();
        const std::string second = repo.commitFiles({{"a.txt", "A"}}, "two").value();
        QCOMPARE(second, first);
        QCOMPARE(git(tmp.path(), {"rev-list", "--count", "HEAD"}), QString("1"));
        const std::string third = repo.commitFiles({{"a.txt", "A2"}}, "three", {"b.txt"}).value();
        QVERIFY(third != first);
        QCOMPARE(git(tmp.path(), {"ls-tree", "--name-only", "HEAD"}), QString("a.txt"));
        QVERIFY(!QFile::exists(tmp.path() + "/b.txt"));
    }

    // A commit rewrites only the working-tree files whose bytes change (no
    // temp file, no disk sync for the others); a mode change alone still
    // reaches the file.
    void commitRewritesOnlyChangedFiles()
    {
        QTemporaryDir tmp;
        GitRepository repo = std::move(GitRepository::init(tmp.path()).value());
        QVERIFY(repo.commitFiles({{"same.yaml", "a: 1\n"}, {"moves.yaml", "b: 1\n"}, {"run.sh", "x"}}, "one"));
        const QString same = tmp.path() + "/same.yaml";
        const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-3600);
        {
            QFile file(same);
            QVERIFY(file.open(QIODevice::ReadWrite));
            QVERIFY(file.setFileTime(before, QFileDevice::FileModificationTime));
        }
        QVERIFY(repo.commitFiles({{"same.yaml", "a: 1\n"}, {"moves.yaml", "b: 2\n"}, {"run.sh", "x"}}, "two", {},
                                 {{"run.sh", 0100755}}));
        QCOMPARE(QFileInfo(same).lastModified().toSecsSinceEpoch(), before.toSecsSinceEpoch());
        QCOMPARE(git(tmp.path(), {"show", "HEAD:moves.yaml"}), QString("b: 2"));
        QVERIFY(QFileInfo(tmp.path() + "/run.sh").isExecutable());
        QCOMPARE(git(tmp.path(), {"status", "--porcelain"}), QString());
    }

    void commitDoesNotSweepInUserStagedChanges()
    {
        QTemporaryDir tmp;
        GitRepository repo = std::move(GitRepository::init(tmp.path()).value());
        repo.commitFiles({{"a.txt", "A"}}, "one").value();
        QFile user(tmp.path() + "/user.txt");
        QVERIFY(user.open(QIODevice::WriteOnly));
        user.write("mine");
        user.close();
        git(tmp.path(), {"add", "user.txt"});
        QVERIFY(repo.commitFiles({{"a.txt", "A2"}}, "platform-sync: two").isOk());
        QCOMPARE(git(tmp.path(), {"ls-tree", "--name-only", "HEAD"}), QString("a.txt"));
        QCOMPARE(git(tmp.path(), {"status", "--porcelain"}), QString("A  user.txt"));
    }

    void commitRefusesWhenNotOnMain()
    {
        QTemporaryDir tmp;
        GitRepository repo = std::move(GitRepository::init(tmp.path()).value());
        repo.commitFiles({{"a.txt", "A"}}, "one").value();
        git(tmp.path(), {"checkout", "-q", "-b", "feature"});
        Result<std::string> sha = repo.commitFiles({{"a.txt", "B"}}, "two");
        QVERIFY(!sha.isOk());
        QCOMPARE(sha.status().reason(), std::string("not_on_main"));
        QCOMPARE(repo.currentBranch().value(), std::string("feature"));
    }

    void rejectsUnsafePaths()
    {
        QTemporaryDir tmp;
        GitRepository repo = std::move(GitRepository::init(tmp.path()).value());
        for (const std::string bad : {"../x", "/abs", "a/../b", ".git/config", "a//b", "a\\b", ""}) {
            Result<std::string> sha = repo.commitFiles({{bad, "x"}}, "bad");
            QVERIFY2(!sha.isOk(), bad.c_str());
            QCOMPARE(sha.status().reason(), std::string("invalid_path"));
        }
        QVERIFY(isSafeRepoPath("a/b.c/.hidden"));
    }

    void readTreeReturnsCommittedBytesNotWorkingTree()
    {
        QTemporaryDir tmp;
        GitRepository repo = std::move(GitRepository::init(tmp.path()).value());
        const std::string binary("\x00\x01\xff bin", 7);
        const std::string sha =
            repo.commitFiles({{"bin/tool", "#!/bin/sh\necho hi\n"}, {"data.bin", binary}, {"README.md", "committed\n"}},
                             "one", {}, {{"bin/tool", 0100755}})
                .value();
        QFile edit(tmp.path() + "/README.md");
        QVERIFY(edit.open(QIODevice::WriteOnly));
        edit.write("uncommitted edit\n");
        edit.close();
        QVERIFY(QFile::link("README.md", tmp.path() + "/link"));
        git(tmp.path(), {"add", "link"});
        git(tmp.path(), {"commit", "-q", "-m", "add link"});  // README edit stays uncommitted
        const std::string head = repo.branchHead().value();

        Result<TreeListing> tree = repo.listTree(sha);
        QVERIFY2(tree.isOk(), tree.status().toString().c_str());
        std::map<std::string, TreeEntryRef> byPath;
        for (const TreeEntryRef& f : *tree)
            byPath[f.path] = f;
        QCOMPARE(byPath.size(), std::size_t(3));
        QCOMPARE(repo.readBlob(byPath["README.md"].blobId).value(), std::string("committed\n"));
        QCOMPARE(repo.readBlob(byPath["data.bin"].blobId).value(), binary);
        QCOMPARE(byPath["data.bin"].size, std::uint64_t(binary.size()));
        QCOMPARE(byPath["bin/tool"].mode, std::uint32_t(0100755));
        QCOMPARE(byPath["README.md"].mode, std::uint32_t(0100644));
        QCOMPARE(repo.readBlob(std::string(40, 'e')).status().reason(), std::string("unknown_blob"));
        QCOMPARE(repo.readBlob("not-a-blob-id").status().reason(), std::string("unknown_blob"));

        Result<TreeListing> later = repo.listTree(head);
        QVERIFY(later.isOk());
        QCOMPARE(later->size(), std::size_t(4));
        for (const TreeEntryRef& f : *later) {
            if (f.path == "link") {
                QCOMPARE(f.mode, std::uint32_t(0120000));
                QCOMPARE(f.linkTarget, std::string("README.md"));
            }
            if (f.path == "README.md")  // the commit's bytes, never the uncommitted edit
                QCOMPARE(repo.readBlob(f.blobId).value(), std::string("committed\n"));
        }
        QCOMPARE(repo.readFileAt(sha, "README.md").value().value(), std::string("committed\n"));
        QVERIFY(!repo.readFileAt(sha, "missing").value().has_value());
    }

    void listTreeIsBounded()
    {
        QTemporaryDir tmp;
        GitRepository repo = std::move(GitRepository::init(tmp.path()).value());
        const std::string sha =
            repo.commitFiles({{"a", std::string(600, 'a')}, {"b", std::string(600, 'b')}}, "big").value();
        Result<TreeListing> tree = repo.listTree(sha, 1);
        QVERIFY(!tree.isOk());
        QCOMPARE(tree.status().code(), Status::Code::TooLarge);
        QCOMPARE(tree.status().reason(), std::string("tree_too_large"));
        QVERIFY(repo.listTree(sha, 2).isOk());
    }

    void resolveCommit()
    {
        QTemporaryDir tmp;
        GitRepository repo = std::move(GitRepository::init(tmp.path()).value());
        const std::string sha = repo.commitFiles({{"a", "1"}}, "one").value();
        QCOMPARE(repo.resolveCommit(sha.substr(0, 8)).value(), sha);
        QCOMPARE(repo.resolveCommit("main").value(), sha);
        QCOMPARE(repo.resolveCommit("HEAD").value(), sha);
        for (const std::string bad : {"deadbeefdeadbeefdeadbeefdeadbeefdeadbeef", "nope", "", "HEAD~5", "main:a"}) {
            Result<std::string> r = repo.resolveCommit(bad);
            QVERIFY2(!r.isOk(), bad.c_str());
            QCOMPARE(r.status().code(), Status::Code::NotFound);
            QCOMPARE(r.status().reason(), std::string("unknown_commit"));
        }
    }

    void commitsBetweenIsOldestFirst()
    {
        QTemporaryDir tmp;
        GitRepository repo = std::move(GitRepository::init(tmp.path()).value());
        std::vector<std::string> shas;
        for (int i = 0; i < 4; ++i)
            shas.push_back(repo.commitFiles({{"f", std::to_string(i)}}, "c" + std::to_string(i)).value());
        Result<std::vector<std::string>> range = repo.commitsBetween(shas[0], shas[3]);
        QVERIFY(range.isOk());
        QCOMPARE(*range, (std::vector<std::string>{shas[1], shas[2], shas[3]}));
        QCOMPARE(repo.commitsBetween("", shas[3]).value(), shas);
        QCOMPARE(repo.commitsBetween(shas[3], shas[3]).value(), std::vector<std::string>{});
        QCOMPARE(repo.commitsBetween("", shas[3], 2).value(), (std::vector<std::string>{shas[2], shas[3]}));
        QCOMPARE(repo.commitsBetween("nope", shas[3]).status().reason(), std::string("unknown_commit"));
    }

    void separateRepositoriesOnParallelThreads()
    {
        QTemporaryDir tmp;
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                Result<GitRepository> repo = GitRepository::init(tmp.path() + "/r" + QString::number(t));
                if (!repo) {
                    ++failures;
                    return;
                }
                for (int i = 0; i < 15; ++i)
                    if (!repo->commitFiles({{"n.txt", std::to_string(i)}}, "c").isOk())
                        ++failures;
                Result<std::vector<std::string>> all = repo->commitsBetween("", "main");
                if (!all || all->size() != 15)
                    ++failures;
            });
        }
        for (std::thread& th : threads)
            th.join();
        QCOMPARE(failures.load(), 0);
    }
};

QTEST_GUILESS_MAIN(TestGitRepository)
#include "tst_gitrepository.moc"
