// Unit tests: .dockerignore parsing and matching. Cases are ported from
// moby/patternmatcher (patternmatcher_test.go, ignorefile/ignorefile_test.go)
// and tonistiigi/fsutil (filter_test.go), plus our own edges.
#include "engine/build/ignorepatterns.h"

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <span>
#include <thread>

using namespace paas;

namespace {

// A data tag without raw newlines, so the log stays one line per row.
QByteArray tag(const char* text)
{
    return QByteArray(text).replace('\n', "\\n");
}

std::vector<std::string> toStd(const QStringList& list)
{
    std::vector<std::string> out;
    for (const QString& s : list)
        out.push_back(s.toStdString());
    return out;
}

// What patternmatcher's tests do for MatchesUsingParentResults: feed every
// parent directory first, top-down, then the path itself.
bool matchWalking(const IgnorePatterns& pm, const std::string& path)
{
    IgnorePatterns::MatchInfo info;
    for (std::size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) {
        IgnorePatterns::MatchInfo next;
        pm.matchesUsingParent(path.substr(0, pos), info, &next);
        info = std::move(next);
    }
    return pm.matchesUsingParent(path, info);
}

struct SingleCase {
    const char* pattern;
    const char* path;
    bool match;
};

const SingleCase kPatternMatcherCases[] = {
    // patternmatcher TestMatches
    {"**", "file", true},
    {"**", "file/", true},
    {"**/", "file", true},
    {"**/", "file/", true},
    {"**", "/", true},
    {"**/", "/", true},
    {"**", "dir/file", true},
    {"**/", "dir/file", true},
    {"**", "dir/file/", true},
    {"**/", "dir/file/", true},
    {"**/**", "dir/file", true},
    {"**/**", "dir/file/", true},
    {"dir/**", "dir/file", true},
    {"dir/**", "dir/file/", true},
    {"dir/**", "dir/dir2/file", true},
    {"dir/**", "dir/dir2/file/", true},
    {"**/dir", "dir", true},
    {"**/dir", "dir/file", true},
    {"**/dir2/*", "dir/dir2/file", true},
    {"**/dir2/*", "dir/dir2/file/", true},
    {"**/dir2/**", "dir/dir2/dir3/file", true},
    {"**/dir2/**", "dir/dir2/dir3/file/", true},
    {"**file", "file", true},
    {"**file", "dir/file", true},
    {"**/file", "dir/file", true},
    {"**file", "dir/dir/file", true},
    {"**/file", "dir/dir/file", true},
    {"**/file*", "dir/dir/file", true},
    {"**/file*", "dir/dir/file.txt", true},
    {"**/file*txt", "dir/dir/file.txt", true},
    {"**/file*.txt", "dir/dir/file.txt", true},
    {"**/file*.txt*", "dir/dir/file.txt", true},
    {"**/**/*.txt", "dir/dir/file.txt", true},
    {"**/**/*.txt2", "dir/dir/file.txt", false},
    {"**/*.txt", "file.txt", true},
    {"**/**/*.txt", "file.txt", true},
    {"a**/*.txt", "a/file.txt", true},
    {"a**/*.txt", "a/dir/file.txt", true},
    {"a**/*.txt", "a/dir/dir/file.txt", true},
    {"a/*.txt", "a/dir/file.txt", false},
    {"a/*.txt", "a/file.txt", true},
    {"a/*.txt**", "a/file.txt", true},
    {"a[b-d]e", "ae", false},
    {"a[b-d]e", "ace", true},
    {"a[b-d]e", "aae", false},
    {"a[^b-d]e", "aze", true},
    {".*", ".foo", true},
    {".*", "foo", false},
    {"abc.def", "abcdef", false},
    {"abc.def", "abc.def", true},
    {"abc.def", "abcZdef", false},
    {"abc?def", "abcZdef", true},
    {"abc?def", "abcdef", false},
    {"a\\\\", "a\\", true},
    {"**/foo/bar", "foo/bar", true},
    {"**/foo/bar", "dir/foo/bar", true},
    {"**/foo/bar", "dir/dir2/foo/bar", true},
    {"abc/**", "abc", false},
    {"abc/**", "abc/def", true},
    {"abc/**", "abc/def/ghi", true},
    {"**/.foo", ".foo", true},
    {"**/.foo", "bar.foo", false},
    {"a(b)c/def", "a(b)c/def", true},
    {"a(b)c/def", "a(b)c/xyz", false},
    {"a.|)$(}+{bc", "a.|)$(}+{bc", true},
    {"dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
     true},
    {"dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true},
    {"a\\*b", "a*b", true},
    // patternmatcher TestMatch (from Go's filepath.Match tests), valid patterns
    {"abc", "abc", true},
    {"*", "abc", true},
    {"*c", "abc", true},
    {"a*", "a", true},
    {"a*", "abc", true},
    {"a*", "ab/c", true},
    {"a*/b", "abc/b", true},
    {"a*/b", "a/c/b", false},
    {"a*b*c*d*e*/f", "axbxcxdxe/f", true},
    {"a*b*c*d*e*/f", "axbxcxdxexxx/f", true},
    {"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false},
    {"a*b*c*d*e*/f", "axbxcxdxexxx/fff", false},
    {"a*b?c*x", "abxbbxdbxebxczzx", true},
    {"a*b?c*x", "abxbbxdbxebxczzy", false},
    {"ab[c]", "abc", true},
    {"ab[b-d]", "abc", true},
    {"ab[e-g]", "abc", false},
    {"ab[^c]", "abc", false},
    {"ab[^b-d]", "abc", false},
    {"ab[^e-g]", "abc", true},
    {"a\\*b", "ab", false},
    {"a?b",
     "a\xE2\x98\xBA"
     "b",
     true},
    {"a[^a]b",
     "a\xE2\x98\xBA"
     "b",
     true},
    {"a???b",
     "a\xE2\x98\xBA"
     "b",
     false},
    {"a[^a][^a][^a]b",
     "a\xE2\x98\xBA"
     "b",
     false},
    {"[a-\xCE\xB6]*", "\xCE\xB1", true},
    {"*[a-\xCE\xB6]", "A", false},
    {"a?b", "a/b", false},
    {"a*b", "a/b", false},
    {"[\\]a]", "]", true},
    {"[\\-]", "-", true},
    {"[x\\-]", "x", true},
    {"[x\\-]", "-", true},
    {"[x\\-]", "z", false},
    {"[\\-x]", "x", true},
    {"[\\-x]", "-", true},
    {"[\\-x]", "a", false},
    {"*x", "xxx", true},
};

const SingleCase kOurCases[] = {
    // parents, cleaning, escapes, classes (ours)
    {"node_modules", "node_modules/x/y", true},
    {"node_modules", "a/node_modules", false},
    {"**/node_modules", "a/b/node_modules/c", true},
    {"/abs/x/", "abs/x/y", false},
    {"./a/../b", "b/c", true},
    {"a/**/b", "a/b", true},
    {"a/**/b", "a/x/y/b", true},
    {"a/**/b", "a/xb", false},
    {"a**b", "ab", true},
    {"a**b", "ax/b", true},
    {"a**b", "axb", false},
    {"**foo", "xfoo", true},
    {"*", "a/b/c", true},
    {"*/b", "a/b/c", true},
    {"*/b", "b", false},
    {"[!a]", "!", true},
    {"[!a]", "b", false},
    {"[*]", "*", false},
    {"[*]", "[]", true},
    {"a\\?", "a?", true},
    {"a\\?", "ab", false},
    {"\\[x]", "[x]", true},
    {"\\#x", "#x", true},
    {"a\\d", "a1", true},
    {"a\\d", "ad", false},
    {"a\\_b", "a_b", true},
    {"^a*", "ab", true},
    {"x^a*", "x^ab", false},
    {"a b*", "a bc", true},
    {"*.go", "main.go\n", false},
    {"**/x", "a\nb/x", true},
    {"a/**/x", "a/b\nc/x", false},
    {"[[:digit:]]", "7", true},
    {"\xE2\x98\xBA*",
     "\xE2\x98\xBA"
     "z",
     true},
    {"*", "\xFF\xFE", true},
    {"?", "\xFF", true},
    {"docs/", "docs/README.md", true},
    {"a/*", "a", false},
    {"a/*", "a/b/c", true},
};

struct Entry {
    std::string path;
    bool dir;
};

// A pre-order walk like fsutil's filterFS.Walk over exclude patterns: an
// excluded directory is pruned when allowed, else walked and sent only ahead
// of the first thing sent below it. Returns what is sent, in order.
QStringList walk(const IgnorePatterns& pm, const std::vector<Entry>& tree)
{
    struct Parent {
        std::string slash;
        std::string path;
        IgnorePatterns::MatchInfo info;
        bool sent;
    };
    std::vector<Parent> parents;
    QStringList sent;
    std::string prunedBelow;  // "dir/" while skipping a pruned subtree
    for (const Entry& e : tree) {
        if (!prunedBelow.empty() && e.path.starts_with(prunedBelow))
            continue;
        prunedBelow.clear();
        while (!parents.empty() && !e.path.starts_with(parents.back().slash))
            parents.pop_back();
        IgnorePatterns::MatchInfo info;
        const bool excluded =
            pm.matchesUsingParent(e.path, parents.empty() ? IgnorePatterns::MatchInfo{} : parents.back().info, &info);
        if (excluded && e.dir && pm.canPruneExcludedDir(e.path)) {
            prunedBelow = e.path + "/";
            continue;
        }
        if (!excluded) {
            for (Parent& p : parents) {
                if (!p.sent)
                    sent << QString::fromStdString(p.path);
                p.sent = true;
            }
            sent << QString::fromStdString(e.path);
        }
        if (e.dir)
            parents.push_back({e.path + "/", e.path, std::move(info), !excluded});
    }
    return sent;
}

}  // namespace

class TestIgnorePatterns : public QObject {
    Q_OBJECT
private slots:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("ignorefile-ReadAll")
            << "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! "
            << QStringList{"test1", "test2", "a/file/here", "lastfile", "!inverted/abs/path", "!", "!"};
        QTest::newRow("empty") << "" << QStringList{};
        QTest::newRow("only-comments") << "# a\n#b\n\n   \n" << QStringList{};
        QTest::newRow("bom-first-line") << "\xEF\xBB\xBFnode_modules\n\xEF\xBB\xBF"
                                           "b"
                                        << QStringList{"node_modules",
                                                       "\xEF\xBB\xBF"
                                                       "b"};
        QTest::newRow("bom-then-comment") << "\xEF\xBB\xBF# c\nx" << QStringList{"x"};
        QTest::newRow("crlf") << "a\r\nb/\r\n!c\r\n" << QStringList{"a", "b", "!c"};
        QTest::newRow("comment-needs-column-0") << "  # not a comment\n#comment" << QStringList{"# not a comment"};
        QTest::newRow("clean") << "./a//b/../c/\n/\n.\n./\n/..\n../x\n!./y/\n!/\n!  /z/./"
                               << QStringList{"a/c", "/", ".", ".", "/", "../x", "!y", "!/", "!z"};
        QTest::newRow("trim-unicode-space") << "\t a b \xC2\xA0\n\xE3\x80\x80q" << QStringList{"a b", "q"};
        QTest::newRow("no-final-newline") << "x\ny" << QStringList{"x", "y"};
        QTest::newRow("keeps-globs-and-escapes")
            << "**/*.o\n a\\*b \n[ab]/c" << QStringList{"**/*.o", "a\\*b", "[ab]/c"};
    }
    void parse()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, expected);
        const auto got = parseDockerignore(text.toStdString());
        QStringList actual;
        for (const auto& s : got)
            actual << QString::fromStdString(s);
        QCOMPARE(actual, expected);
    }

    void single_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("match");
        for (std::span<const SingleCase> table :
             {std::span<const SingleCase>(kPatternMatcherCases), std::span<const SingleCase>(kOurCases)}) {
            for (const SingleCase& c : table)
                QTest::addRow("%s | %s", tag(c.pattern).constData(), tag(c.path).constData())
                    << QString::fromUtf8(c.pattern) << QString::fromUtf8(c.path) << c.match;
        }
    }
    void single()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, path);
        QFETCH(bool, match);
        auto pm = IgnorePatterns::compile({pattern.toStdString()});
        QVERIFY2(pm.isOk(), pm.status().toString().c_str());
        const std::string p = path.toStdString();
        QCOMPARE(pm->matches(p), match);
        QCOMPARE(pm->matchesUsingParent(p, {}), match);
        QCOMPARE(matchWalking(*pm, p), match);
    }

    void multi_data()
    {
        QTest::addColumn<QStringList>("patterns");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("match");
        auto row = [](const char* name, QStringList p, const char* path, bool m) {
            QTest::newRow(name) << p << QString(path) << m;
        };
        // patternmatcher multiPatternTests and the Test*Exclusion* cases
        row("star-except-dir", {"**", "!util/docker/web"}, "util/docker/web/foo", false);
        row("star-except-reexclude", {"**", "!util/docker/web", "util/docker/web/foo"}, "util/docker/web/foo", true);
        row("star-except-whl", {"**", "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"},
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", false);
        row("star-except-glob", {"**", "!dist/*.whl"}, "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", false);
        row("exception-before", {"!fileutils.go", "*.go"}, "fileutils.go", true);
        row("folder-exception", {"docs", "!docs/README.md"}, "docs/README.md", false);
        row("folder-slash-exception", {"docs/", "!docs/README.md"}, "docs/README.md", false);
        row("folder-wildcard-exception", {"docs/*", "!docs/README.md"}, "docs/README.md", false);
        row("exception-after", {"*.go", "!fileutils.go"}, "fileutils.go", false);
        row("no-patterns", {}, "any/path/there", false);
        row("empty-patterns-skipped", {"", "  ", "x"}, "x", true);
        // fsutil filter_test cases
        row("invert-x", {"foo", "!foo/bar", "foo/bar/baz", "!foo/bar/baz/x"}, "foo/bar/baz/x", false);
        row("invert-y", {"foo", "!foo/bar", "foo/bar/baz", "!foo/bar/baz/x"}, "foo/bar/baz/y", true);
        row("invert-bar", {"foo", "!foo/bar", "foo/bar/baz", "!foo/bar/baz/x"}, "foo/bar/other", false);
        row("foostar-except", {"foo*", "!foo/bar2"}, "foo/bar2", false);
        row("foostar-except-sibling", {"foo*", "!foo/bar2"}, "foo/bar3", true);
        row("doublestar-bar", {"**/bar", "!foo/bar/baz"}, "foo/bar/baz/q", false);
        row("doublestar-bar-other", {"**/bar", "!foo/bar/baz"}, "foo/bar/qux", true);
        row("exception-only", {"!foo/bar"}, "foo/bar", false);
        row("exception-leading-space", {"docs", "  !docs/README.md"}, "docs/README.md", false);
        row("exception-trailing-space", {"docs", "!docs/README.md  "}, "docs/README.md", false);
        row("parent-excluded-after-exception", {"!a/b", "a"}, "a/b", true);
    }
    void multi()
    {
        QFETCH(QStringList, patterns);
        QFETCH(QString, path);
        QFETCH(bool, match);
        auto pm = IgnorePatterns::compile(toStd(patterns));
        QVERIFY2(pm.isOk(), pm.status().toString().c_str());
        const std::string p = path.toStdString();
        QCOMPARE(pm->matches(p), match);
        QCOMPARE(pm->matchesUsingParent(p, {}), match);
        QCOMPARE(matchWalking(*pm, p), match);
    }

    void invalid_data()
    {
        QTest::addColumn<QStringList>("patterns");
        for (const char* p : {"[",   "!",         " ! ",           "!/",    "[]a]", "[-]",  "[x-]",   "[-x]",
                              "\\",  "a\\",       "[a-b-c]",       "[^",    "[^bc", "a[",   "[^]",    "[a",
                              "[\\", "[a-",       "[Local-Only]/", "[z-a]", "a\\q", "a\\1", "a\\x41", "a\\\xC3\xA9",
                              "!a[", "ok\nthen ["})
            QTest::addRow("%s", tag(p).constData()) << QString::fromUtf8(p).split('\n');
        QTest::newRow("many-valid-then-bad") << QStringList{"a", "b", "!c", "[x"};
    }
    void invalid()
    {
        QFETCH(QStringList, patterns);
        auto pm = IgnorePatterns::compile(toStd(patterns));
        QVERIFY(!pm.isOk());
        QCOMPARE(pm.status().code(), Status::Code::InvalidArgument);
        QCOMPARE(QString::fromStdString(pm.status().reason()), QString("invalid_ignore_pattern"));
        QVERIFY2(pm.status().message().find('"') != std::string::npos, pm.status().message().c_str());
    }

    void parseThenCompile()
    {
        // The leading '/' is dropped by the file parser, not by compile().
        auto pm = IgnorePatterns::compile(parseDockerignore("# ctx\n/abs/x/\n!/abs/x/keep\n*.log\n"));
        QVERIFY(pm.isOk());
        QVERIFY(pm->matches("abs/x/y"));
        QVERIFY(!pm->matches("abs/x/keep/z"));
        QVERIFY(pm->matches("a.log"));
        QVERIFY(!pm->matches("d/a.log"));
        QVERIFY(!IgnorePatterns::compile(parseDockerignore("ok\n!\n")).isOk());
    }

    void limits()
    {
        std::vector<std::string> many(IgnorePatterns::kMaxPatterns, "x");
        QVERIFY(IgnorePatterns::compile(many).isOk());
        many.push_back("y");
        QCOMPARE(QString::fromStdString(IgnorePatterns::compile(many).status().reason()),
                 QString("invalid_ignore_pattern"));
        QVERIFY(IgnorePatterns::compile({std::string(4096, 'a')}).isOk());
        QVERIFY(!IgnorePatterns::compile({std::string(4097, 'a')}).isOk());
        // Long inputs do not blow the stack: PCRE2, not std::regex.
        auto pm = IgnorePatterns::compile({"**/*" + std::string(1000, 'b') + "*x"});
        QVERIFY(pm.isOk());
        std::string deep;
        for (int i = 0; i < 400; ++i)
            deep += "dir/";
        QVERIFY(pm->matches(deep + std::string(3000, 'a') + std::string(1000, 'b') + "x"));
        QVERIFY(!pm->matches(deep + std::string(3000, 'a') + std::string(1000, 'b') + "y"));
    }

    void flags()
    {
        auto pm = IgnorePatterns::compile({"docs", "config", ""});
        QVERIFY(pm.isOk());
        QCOMPARE(pm->size(), std::size_t(2));
        QVERIFY(!pm->hasExclusions());
        QVERIFY(!pm->empty());
        auto ex = IgnorePatterns::compile({"docs", "  !docs/README.md"});
        QVERIFY(ex.isOk() && ex->hasExclusions());
        QVERIFY(IgnorePatterns().empty());
        QVERIFY(!IgnorePatterns().matches("anything"));
        QVERIFY(IgnorePatterns::compile({}).value().empty());
    }

    void prune_data()
    {
        QTest::addColumn<QStringList>("patterns");
        QTest::addColumn<QString>("dir");
        QTest::addColumn<bool>("prune");
        QTest::newRow("no-exceptions") << QStringList{"node_modules"} << "node_modules" << true;
        QTest::newRow("exception-inside") << QStringList{"foo", "!foo/bar"} << "foo" << false;
        QTest::newRow("exception-deeper") << QStringList{"**/bar", "!foo/bar/baz"} << "foo/bar" << false;
        QTest::newRow("exception-elsewhere") << QStringList{"foo", "!other/x"} << "foo" << true;
        QTest::newRow("exception-sibling-prefix") << QStringList{"foo", "!foobar/x"} << "foo" << true;
        QTest::newRow("exception-is-dir") << QStringList{"foo*", "!foo"} << "foo" << false;
        QTest::newRow("exception-trailing-glob") << QStringList{"foo", "!foo/bar/**"} << "foo" << false;
        QTest::newRow("exception-trailing-star-elsewhere") << QStringList{"foo", "!x/*"} << "foo" << true;
        QTest::newRow("exception-with-glob") << QStringList{"foo", "!*.md"} << "foo" << false;
        QTest::newRow("exception-with-escape") << QStringList{"foo", "!x\\*"} << "foo" << false;
    }
    void prune()
    {
        QFETCH(QStringList, patterns);
        QFETCH(QString, dir);
        QFETCH(bool, prune);
        auto pm = IgnorePatterns::compile(toStd(patterns));
        QVERIFY(pm.isOk());
        QCOMPARE(pm->canPruneExcludedDir(dir.toStdString()), prune);
    }

    void walk_data()
    {
        QTest::addColumn<QStringList>("patterns");
        QTest::addColumn<QStringList>("sent");
        // tree: bar, foo/, foo/bar/, foo/bar/baz/, foo/bar/baz/x, foo/bar/baz/y, foo/bar2, foo2
        QTest::newRow("fsutil-TestWalkerExclude")
            << QStringList{"foo*", "!foo/bar2"} << QStringList{"bar", "foo", "foo/bar2"};
        QTest::newRow("fsutil-TestFSWalkNested")
            << QStringList{"foo", "!foo/bar"}
            << QStringList{"bar", "foo", "foo/bar", "foo/bar/baz", "foo/bar/baz/x", "foo/bar/baz/y", "foo2"};
        QTest::newRow("invert") << QStringList{"foo", "!foo/bar", "foo/bar/baz", "!foo/bar/baz/x"}
                                << QStringList{"bar", "foo", "foo/bar", "foo/bar/baz", "foo/bar/baz/x", "foo2"};
        QTest::newRow("glob-exception") << QStringList{"**", "!**/y"}
                                        << QStringList{"foo", "foo/bar", "foo/bar/baz", "foo/bar/baz/y"};
        QTest::newRow("pruned") << QStringList{"foo"} << QStringList{"bar", "foo2"};
        QTest::newRow("nothing") << QStringList{}
                                 << QStringList{"bar",           "foo",           "foo/bar",  "foo/bar/baz",
                                                "foo/bar/baz/x", "foo/bar/baz/y", "foo/bar2", "foo2"};
    }
    void walk()
    {
        QFETCH(QStringList, patterns);
        QFETCH(QStringList, sent);
        const std::vector<Entry> tree = {{"bar", false},           {"foo", true},
                                         {"foo/bar", true},        {"foo/bar/baz", true},
                                         {"foo/bar/baz/x", false}, {"foo/bar/baz/y", false},
                                         {"foo/bar2", false},      {"foo2", false}};
        auto pm = IgnorePatterns::compile(toStd(patterns));
        QVERIFY(pm.isOk());
        QCOMPARE(::walk(*pm, tree), sent);
        for (const Entry& e : tree)  // the walk form agrees with the stateless one
            QCOMPARE(!sent.contains(QString::fromStdString(e.path)) && !e.dir, !e.dir && pm->matches(e.path));
    }

    void concurrent()
    {
        auto pm = IgnorePatterns::compile({"**/*.o", "!keep/**", "build", "a?c/[xy]*"});
        QVERIFY(pm.isOk());
        const std::vector<std::pair<std::string, bool>> cases = {
            {"x/y.o", true}, {"keep/y.o", false}, {"build/z", true}, {"abc/xq", true}, {"abc/zq", false}};
        std::atomic<int> wrong{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 2000; ++i)
                    for (const auto& [path, want] : cases)
                        if (pm->matches(path) != want)
                            ++wrong;
            });
        }
        for (auto& th : threads)
            th.join();
        QCOMPARE(wrong.load(), 0);
    }
};

QTEST_GUILESS_MAIN(TestIgnorePatterns)
#include "tst_ignorepatterns.moc"
