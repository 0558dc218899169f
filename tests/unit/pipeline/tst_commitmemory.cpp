// CommitMemory (engine/pipeline/commitmemory.h): what a duplicate webhook is
// answered from before any git or NATS work.
#include "engine/pipeline/commitmemory.h"

#include <QtTest>

using namespace paas;

class TestCommitMemory : public QObject {
    Q_OBJECT

private slots:
    void recallsWhatWasRememberedPerProject()
    {
        CommitMemory m;
        const std::string c(40, 'a');
        QVERIFY(!m.recall("p", c));
        m.remember("p", c, "op-1");
        QCOMPARE(m.recall("p", c).value_or(""), std::string("op-1"));
        QVERIFY(!m.recall("q", c));  // another project's commit is not ours
        m.forget("p", c);
        QVERIFY(!m.recall("p", c));
        m.remember("p", c, "op-2");  // accepted again after a release
        QCOMPARE(m.recall("p", c).value_or(""), std::string("op-2"));
    }

    void keepsOnlyTheNewest()
    {
        CommitMemory m;
        const auto commit = [](size_t i) {
            std::string s = std::to_string(i);
            return std::string(40 - s.size(), '0') + s;
        };
        for (size_t i = 0; i < CommitMemory::kCapacity + 10; ++i)
            m.remember("p", commit(i), "op-" + std::to_string(i));
        QVERIFY(!m.recall("p", commit(0)));
        QVERIFY(!m.recall("p", commit(9)));
        QVERIFY(m.recall("p", commit(10)));
        QCOMPARE(m.recall("p", commit(CommitMemory::kCapacity + 9)).value_or(""),
                 "op-" + std::to_string(CommitMemory::kCapacity + 9));
    }

    void onlyFullLowercaseIdsAreKeys()
    {
        QVERIFY(CommitMemory::isFullId(std::string(40, 'f')));
        QVERIFY(CommitMemory::isFullId(std::string(64, '0')));   // sha256 repositories
        QVERIFY(!CommitMemory::isFullId(std::string(12, 'a')));  // short: git must resolve it
        QVERIFY(!CommitMemory::isFullId(std::string(40, 'A')));
        QVERIFY(!CommitMemory::isFullId(std::string(39, 'a') + "g"));
        QVERIFY(!CommitMemory::isFullId(""));
    }
};

QTEST_MAIN(TestCommitMemory)
#include "tst_commitmemory.moc"
