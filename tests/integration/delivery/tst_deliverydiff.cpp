// DeliveryDiff on its own: unified diff hunks (checked against the format of
// `diff -u`) and per-object field changes.
#include "engine/pipeline/deliverydiff.h"

#include <QtTest>

using paas::DeliveryDiff;

namespace {

std::string unified(const std::string& a, const std::string& b, const std::string& la, const std::string& lb,
                    int context = 3)
{
    paas::Result<std::string> d = DeliveryDiff::unified(a, b, la, lb, context);
    return d ? *d : "error: " + d.status().toString();
}

}  // namespace

class TestDeliveryDiff : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void identicalIsEmpty()
    {
        QCOMPARE(unified("a\nb\n", "a\nb\n", "x", "y"), std::string());
        QCOMPARE(unified("", "", "x", "y"), std::string());
    }

    void oneChangedLineWithContext()
    {
        const std::string a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        const std::string b = "1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n";
        QCOMPARE(unified(a, b, "old", "new"),
                 std::string("--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n"));
    }

    void distantChangesMakeTwoHunks()
    {
        std::string a, b;
        for (int i = 1; i <= 20; ++i) {
            a += std::to_string(i) + "\n";
            b += (i == 2 ? "two" : i == 18 ? "eighteen" : std::to_string(i)) + "\n";
        }
        const std::string d = unified(a, b, "a", "b", 1);
        QCOMPARE(d,
                 std::string(
                     "--- a\n+++ b\n@@ -1,3 +1,3 @@\n 1\n-2\n+two\n 3\n@@ -17,3 +17,3 @@\n 17\n-18\n+eighteen\n 19\n"));
    }

    void closeChangesMergeIntoOneHunk()
    {
        const std::string d = unified("a\nb\nc\nd\ne\n", "a\nB\nc\nD\ne\n", "x", "y", 1);
        QCOMPARE(d, std::string("--- x\n+++ y\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n-d\n+D\n e\n"));
    }

    void additionsToEmptyAndRemovals()
    {
        QCOMPARE(unified("", "a\nb\n", "x", "y"), std::string("--- x\n+++ y\n@@ -0,0 +1,2 @@\n+a\n+b\n"));
        QCOMPARE(unified("a\nb\nc\n", "a\nc\n", "x", "y"), std::string("--- x\n+++ y\n@@ -1,3 +1,2 @@\n a\n-b\n c\n"));
    }

    void insertionInTheMiddleKeepsCommonLines()
    {
        const std::string d = unified("k1\nk2\nk3\n", "k1\nk2\nnew\nk3\n", "x", "y", 0);
        QCOMPARE(d, std::string("--- x\n+++ y\n@@ -2,0 +3 @@\n+new\n"));
    }

    void largeInputsGiveSmallHunks()
    {
        // No cap: 20,000 lines a side (the old LCS gave up past 2,000 and
        // printed every line as replaced).
        std::string a, b;
        for (int i = 1; i <= 20000; ++i) {
            a += "line " + std::to_string(i) + "\n";
            b += (i == 12345 ? std::string("changed") : "line " + std::to_string(i)) + "\n";
        }
        QCOMPARE(
            unified(a, b, "x", "y", 1),
            std::string("--- x\n+++ y\n@@ -12344,3 +12344,3 @@\n line 12344\n-line 12345\n+changed\n line 12346\n"));
    }

    void missingFinalNewlineAndNulBytes()
    {
        QCOMPARE(unified("a\nb", "a\nb\n", "x", "y"), std::string());
        const std::string withNul("k\0v\n", 4);
        QCOMPARE(unified("k\n", withNul, "x", "y"), "--- x\n+++ y\n@@ -1 +1 @@\n-k\n+" + withNul);
    }

    void objectFieldChanges()
    {
        const nlohmann::json dep1 = {
            {"kind", "Deployment"}, {"metadata", {{"name", "app"}}}, {"spec", {{"replicas", 1}, {"image", "a:1"}}}};
        nlohmann::json dep2 = dep1;
        dep2["spec"]["image"] = "a:2";
        const nlohmann::json svc = {{"kind", "Service"}, {"metadata", {{"name", "app"}}}};
        const nlohmann::json np = {{"kind", "NetworkPolicy"}, {"metadata", {{"name", "app"}}}};
        const nlohmann::json changes = DeliveryDiff::objectChanges({dep1, np}, {dep2, svc, np});
        QCOMPARE(changes.size(), size_t(2));
        QCOMPARE(changes[0]["kind"], "Deployment");
        QCOMPARE(changes[0]["change"], "changed");
        QCOMPARE(changes[0]["fields"].size(), size_t(1));
        QCOMPARE(changes[0]["fields"][0]["path"], "/spec/image");
        QCOMPARE(changes[0]["fields"][0]["from"], "a:1");
        QCOMPARE(changes[0]["fields"][0]["to"], "a:2");
        QCOMPARE(changes[1]["kind"], "Service");
        QCOMPARE(changes[1]["change"], "added");
        QCOMPARE(DeliveryDiff::objectChanges({dep1}, {}).at(0)["change"], "removed");
        QVERIFY(DeliveryDiff::objectChanges({dep1}, {dep1}).empty());
    }
};

QTEST_GUILESS_MAIN(TestDeliveryDiff)
#include "tst_deliverydiff.moc"
