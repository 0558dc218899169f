// Unit tests of walkContext (engine/build/contextwalk.h): fsutil's walk order
// and the receiver's include / exclude / followpaths selection.
#include "engine/build/contextwalk.h"
#include "engine/build/filesyncservice.h"
#include "engine/build/ignorepatterns.h"

#include <QtTest>

using namespace paas;

namespace {

TreeListing listing(const std::vector<std::string>& paths)
{
    TreeListing out;
    for (const std::string& p : paths)
        out.push_back({p, 0100644, std::string(40, 'a'), 1, {}});
    return out;
}

QStringList walked(const TreeListing& files, const ContextFilter& filter = {})
{
    Result<std::vector<WalkItem>> items = walkContext(files, filter);
    if (!items)
        return {QString::fromStdString("error: " + items.status().toString())};
    QStringList out;
    for (const WalkItem& item : *items)
        out << QString::fromStdString(item.path) + (item.entry < 0 ? "/" : "");
    return out;
}

}  // namespace

class TestContextWalk : public QObject {
    Q_OBJECT

private slots:
    void orderIsPreOrderWithEachFolderSortedBytewise()
    {
        // git's tree order would put "a.txt" before "a/"; fsutil walks "a" first.
        const TreeListing files = listing({"a.txt", "a/b", "a/c/d", "B", "a-b", "z/y/x"});
        QCOMPARE(walked(files),
                 QStringList({"B", "a/", "a/b", "a/c/", "a/c/d", "a-b", "a.txt", "z/", "z/y/", "z/y/x"}));
    }

    void excludedFolderIsPrunedWhole()
    {
        const TreeListing files = listing({"big/1", "big/2", "keep", "logs/a.log", "src/x.log", "src/x.c"});
        ContextFilter f;
        f.excludePatterns = {"big", "**/*.log"};
        QCOMPARE(walked(files, f), QStringList({"keep", "logs/", "src/", "src/x.c"}));
    }

    void exceptionReincludesAndItsFolderIsSentFirst()
    {
        const TreeListing files = listing({"big/1", "big/keep.txt", "big/sub/2", "top"});
        ContextFilter f;
        f.excludePatterns = {"big", "!big/keep.txt"};
        QCOMPARE(walked(files, f), QStringList({"big/", "big/keep.txt", "top"}));
    }

    void walkUsesParentResultsLikeFsutil()
    {
        // "[a]" matches the folder "a", but the walk checks it there only
        // while "a" is not yet excluded (MatchesUsingParentResults), so
        // "a/b", re-included by "!a/b", is sent: Docker sends it too, though
        // IgnorePatterns::matches("a/b") (MatchesOrParentMatches) is true.
        // Found by fuzz_contextwalk (corpus: exception-then-parent-class).
        const TreeListing files = listing({"a/b", "a/c"});
        ContextFilter f;
        f.excludePatterns = {"a", "!a/b", "[a]"};
        QCOMPARE(walked(files, f), QStringList({"a/", "a/b"}));
        QVERIFY(IgnorePatterns::compile(f.excludePatterns)->matches("a/b"));
    }

    void includePatternsSelectAndWalkPrefixFolders()
    {
        const TreeListing files =
            listing({".dockerignore", "Dockerfile", "src/a.py", "src/b.txt", "src/sub/c.py", "other/a.py"});
        ContextFilter f;
        f.includePatterns = {"src/*.py"};
        QCOMPARE(walked(files, f), QStringList({"src/", "src/a.py"}));
        f.includePatterns = {"src"};
        QCOMPARE(walked(files, f), QStringList({"src/", "src/a.py", "src/b.txt", "src/sub/", "src/sub/c.py"}));
        ContextFilter follow;
        follow.followPaths = {".dockerignore"};
        QCOMPARE(walked(files, follow), QStringList({".dockerignore"}));
        follow.followPaths = {"."};
        QCOMPARE(walked(files, follow).size(), 9);
        follow.followPaths = {"../outside"};
        QCOMPARE(walked(files, follow), QStringList());
    }

    void followedSymlinkBringsItsTarget()
    {
        TreeListing files = listing({"docker/Dockerfile.real", "src/a"});
        files.push_back({"Dockerfile", 0120000, std::string(40, 'b'), 22, "docker/Dockerfile.real"});
        ContextFilter f;
        f.followPaths = {"Dockerfile"};
        QCOMPARE(walked(files, f), QStringList({"Dockerfile", "docker/", "docker/Dockerfile.real"}));
    }

    void includesAndExcludesCombine()
    {
        const TreeListing files = listing({"app/main.go", "app/vendor/x.go", "app/README.md", "docs/a.md"});
        ContextFilter f;
        f.includePatterns = {"app"};
        f.excludePatterns = {"app/vendor", "*.md", "**/*.md"};
        QCOMPARE(walked(files, f), QStringList({"app/", "app/main.go"}));
    }

    void badPatternIsAnError()
    {
        ContextFilter f;
        f.excludePatterns = {"[unclosed"};
        Result<std::vector<WalkItem>> items = walkContext(listing({"a"}), f);
        QVERIFY(!items);
        QCOMPARE(items.status().reason(), std::string("invalid_ignore_pattern"));
    }

    void statFieldsFollowFsutil()
    {
        const TreeEntryRef exe{"run.sh", 0100755, std::string(40, '0'), 3, {}};
        const TreeEntryRef link{"l", 0120000, std::string(40, '0'), 3, "abc"};
        const TreeEntryRef plain{"f", 0100644, "ffffffffffff" + std::string(28, '0'), 3, {}};
        QCOMPARE(fsutilMode(exe), 0755u);
        QCOMPARE(fsutilMode(plain), 0644u);
        QCOMPARE(fsutilMode(link), (1u << 27) | 0777u);
        // Content-addressed times: stable, distinct per blob, after 2000-01-01.
        QCOMPARE(contentTime(exe.blobId), 946684800LL * 1000000000LL);
        QCOMPARE(contentTime(plain.blobId), 946684800LL * 1000000000LL + 0xffffffffffffLL);
        QVERIFY(contentTime(std::string(40, '1')) != contentTime(std::string(40, '2')));
    }
};

QTEST_GUILESS_MAIN(TestContextWalk)
#include "tst_contextwalk.moc"
