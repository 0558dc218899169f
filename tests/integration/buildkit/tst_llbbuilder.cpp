// Unit tests: Tree -> LLB. Digests are sha256 of the exact op bytes and are
// deterministic; actions carry files inline with their modes.
#include "engine/build/llbbuilder.h"
#include "engine/build/proto/ops.pb.h"

#include <QCryptographicHash>
#include <QtTest>

using namespace paas;

namespace {

pb::Definition parse(const LlbDefinition& d)
{
    pb::Definition def;
    if (!def.ParseFromString(d.bytes))
        qFatal("definition does not parse");
    return def;
}

std::string sha256(const std::string& bytes)
{
    return "sha256:" + QCryptographicHash::hash(QByteArray::fromStdString(bytes), QCryptographicHash::Sha256)
                           .toHex()
                           .toStdString();
}

const Tree kTree = {
    {"src/main.c", "int main(){}\n", 0100644},
    {"run.sh", "#!/bin/sh\n", 0100755},
    {"src/deep/x/y.txt", "y\n", 0100644},
    {"alias.sh", "run.sh", 0120000},
    {"outside", "../etc/passwd", 0120000},
};

}  // namespace

class TestLlbBuilder : public QObject {
    Q_OBJECT
private slots:
    void digestIsSha256OfOpBytes()
    {
        auto d = treeDefinition(kTree);
        QVERIFY(d.isOk());
        const auto def = parse(*d);
        QCOMPARE(def.def_size(), 2);
        QCOMPARE(d->rootDigest, sha256(def.def(0)));
        QCOMPARE(llbDigest(""), std::string("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        pb::Op terminal;
        QVERIFY(terminal.ParseFromString(def.def(1)));
        QCOMPARE(terminal.inputs_size(), 1);
        QCOMPARE(terminal.inputs(0).digest(), d->rootDigest);
        QCOMPARE(terminal.inputs(0).index(), 0);
        QVERIFY(def.metadata().count(d->rootDigest));
    }

    void deterministicRegardlessOfOrder()
    {
        Tree reversed(kTree.rbegin(), kTree.rend());
        auto a = treeDefinition(kTree);
        auto b = treeDefinition(reversed);
        auto c = treeDefinition(kTree);
        QVERIFY(a.isOk() && b.isOk() && c.isOk());
        QCOMPARE(a->bytes, c->bytes);
        QCOMPARE(a->bytes, b->bytes);
        QCOMPARE(a->rootDigest, b->rootDigest);

        Tree changed = kTree;
        changed[0].data += " ";
        QVERIFY(treeDefinition(changed)->rootDigest != a->rootDigest);
        Tree chmod = kTree;
        chmod[0].mode = 0100755;
        QVERIFY(treeDefinition(chmod)->rootDigest != a->rootDigest);
    }

    void actionsChainOnScratchWithModes()
    {
        auto d = treeDefinition(kTree);
        QVERIFY(d.isOk());
        pb::Op op;
        QVERIFY(op.ParseFromString(parse(*d).def(0)));
        QVERIFY(op.has_file());
        QCOMPARE(op.inputs_size(), 0);
        const auto& actions = op.file().actions();
        // dirs /src /src/deep /src/deep/x, files alias.sh run.sh src/deep/x/y.txt src/main.c
        QCOMPARE(actions.size(), 7);
        QCOMPARE(d->actions, 7);
        for (int i = 0; i < actions.size(); ++i) {
            QCOMPARE(actions[i].input(), i == 0 ? -1 : i - 1);
            QCOMPARE(actions[i].secondaryinput(), -1);
            QCOMPARE(actions[i].output(), i + 1 == actions.size() ? 0 : -1);
        }
        QCOMPARE(actions[0].mkdir().path(), std::string("/src"));
        QVERIFY(actions[0].mkdir().makeparents());
        QCOMPARE(actions[2].mkdir().path(), std::string("/src/deep/x"));
        QCOMPARE(actions[3].mkfile().path(), std::string("/alias.sh"));  // symlink inside the tree: a copy
        QCOMPARE(actions[3].mkfile().data(), std::string("#!/bin/sh\n"));
        QCOMPARE(actions[3].mkfile().mode(), 0755);
        QCOMPARE(actions[4].mkfile().path(), std::string("/run.sh"));
        QCOMPARE(actions[4].mkfile().mode(), 0755);
        QCOMPARE(actions[6].mkfile().path(), std::string("/src/main.c"));
        QCOMPARE(actions[6].mkfile().mode(), 0644);
        QCOMPARE(actions[6].mkfile().data(), std::string("int main(){}\n"));
        QCOMPARE(actions[6].mkfile().timestamp(), 0);
        QCOMPARE(d->warnings.size(), size_t(1));  // "outside" leaves the tree
        QVERIFY(QString::fromStdString(d->warnings[0]).contains("outside"));
    }

    void emptyTreeIsAnEmptyDirectory()
    {
        auto d = treeDefinition({});
        QVERIFY(d.isOk());
        pb::Op op;
        QVERIFY(op.ParseFromString(parse(*d).def(0)));
        QCOMPARE(op.file().actions_size(), 1);
        QCOMPARE(op.file().actions(0).mkdir().path(), std::string("/"));
    }

    void rejectsEscapingPaths_data()
    {
        QTest::addColumn<QString>("path");
        for (const char* p : {"../x", "a/../../x", "/abs", "a//b", "./a", "a/", ""})
            QTest::newRow(p) << QString(p);
    }
    void rejectsEscapingPaths()
    {
        QFETCH(QString, path);
        auto d = treeDefinition({{path.toStdString(), "x", 0100644}});
        QVERIFY(!d.isOk());
        QCOMPARE(d.status().reason(), std::string("invalid_tree_path"));
    }

    // fuzz_llb: these trees gave LLB that depended on the entries' order
    // (a duplicate path: the last one won), wrote a file and a folder at
    // the same path, or carried a path protobuf cannot parse back.
    void rejectsTreesGitCannotProduce_data()
    {
        QTest::addColumn<std::vector<std::string>>("paths");
        QTest::newRow("duplicate") << std::vector<std::string>{"a", "b", "a"};
        QTest::newRow("file and folder") << std::vector<std::string>{"a", "a/b"};
        QTest::newRow("deep file and folder") << std::vector<std::string>{"x/y/z", "x/y"};
        QTest::newRow("invalid UTF-8") << std::vector<std::string>{"ok", "bad\xff\xfe"};
    }
    void rejectsTreesGitCannotProduce()
    {
        QFETCH(std::vector<std::string>, paths);
        Tree tree;
        for (const std::string& p : paths)
            tree.push_back({p, "x", 0100644});
        auto d = treeDefinition(tree);
        QVERIFY(!d.isOk());
        QCOMPARE(d.status().reason(), std::string("invalid_tree_path"));
        QVERIFY(treeDefinition({{"caf\xc3\xa9/m\xc3\xa9nu", "x", 0100644}, {"a/b", "y", 0100644}}).isOk());
    }

    void singleFile()
    {
        auto d = singleFileDefinition("Dockerfile", "FROM scratch\n");
        QVERIFY(d.isOk());
        pb::Op op;
        QVERIFY(op.ParseFromString(parse(*d).def(0)));
        QCOMPARE(op.file().actions_size(), 1);
        QCOMPARE(op.file().actions(0).mkfile().path(), std::string("/Dockerfile"));
        QCOMPARE(op.file().actions(0).output(), 0);
    }
};

QTEST_GUILESS_MAIN(TestLlbBuilder)
#include "tst_llbbuilder.moc"
