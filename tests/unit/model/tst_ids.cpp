// Unit tests for engine/model/ids.h and ProjectSpec helpers.
#include "engine/model/ids.h"
#include "engine/model/projectspec.h"

#include <QDateTime>
#include <QtTest>

#include <algorithm>
#include <regex>
#include <set>
#include <thread>

using namespace paas;

class TstIds : public QObject {
    Q_OBJECT
private slots:
    void projectIdIsDnsLabel_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << "platform-app"
                               << "platform-app";
        QTest::newRow("upper+spaces") << "My Cool_App!!"
                                      << "my-cool-app";
        QTest::newRow("edges") << "--a--b--"
                               << "a-b";
        QTest::newRow("empty") << ""
                               << "app";
        QTest::newRow("symbols only") << "!!!"
                                      << "app";
        QTest::newRow("unicode") << QString::fromUtf8("caf\u00e9 bar") << "caf-bar";
    }
    void projectIdIsDnsLabel()
    {
        QFETCH(QString, name);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(projectIdFromName(name.toStdString())), expected);
    }

    void projectIdLengthAndSuffix()
    {
        const std::string longName(100, 'x');
        const std::string id = projectIdFromName(longName);
        QCOMPARE(id.size(), kMaxProjectIdLength);
        const std::string withSuffix = projectIdFromName(longName, "k3j9");
        QVERIFY(withSuffix.size() <= kMaxProjectIdLength);
        QVERIFY(withSuffix.ends_with("-k3j9"));
        // Truncation must not leave a trailing '-' before the suffix.
        const std::string dashy = projectIdFromName(std::string(34, 'a') + "-bbbbbbbbb", "zz");
        QVERIFY(dashy.find("--") == std::string::npos);
        QVERIFY(std::regex_match(dashy, std::regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")));
    }

    void opIdMillisReadsTheTimestampBack()
    {
        const long long before = QDateTime::currentMSecsSinceEpoch();
        const long long made = opIdMillis(newOpId());
        QVERIFY(made >= before && made <= QDateTime::currentMSecsSinceEpoch() + 1);
        QCOMPARE(opIdMillis("op-1795000000000-k3j9d2ab"), 1795000000000LL);
        QCOMPARE(opIdMillis("op-17950000000x0-k3j9d2ab"), -1LL);
        QCOMPARE(opIdMillis("op-1795000000000"), -1LL);
        QCOMPARE(opIdMillis("xx-1795000000000-k3j9d2ab"), -1LL);
        QCOMPARE(opIdMillis(""), -1LL);
    }

    void opIdsAreUniqueSortableAndUrlSafe()
    {
        constexpr int kThreads = 4;
        constexpr int kPerThread = 2000;
        std::vector<std::vector<std::string>> perThread(kThreads);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kPerThread; ++i)
                    perThread[t].push_back(newOpId());
            });
        }
        for (auto& th : threads)
            th.join();
        std::set<std::string> all;
        const std::regex shape("^op-[0-9]{13}-[0-9a-z]{8}$");
        for (const auto& ids : perThread) {
            // Within one thread, later ids sort after earlier ones.
            QVERIFY(std::is_sorted(ids.begin(), ids.end()));
            for (const auto& id : ids) {
                QVERIFY2(std::regex_match(id, shape), id.c_str());
                all.insert(id);
            }
        }
        QCOMPARE(all.size(), std::size_t(kThreads * kPerThread));
        // Timestamp prefixes are unique within the process (strictly increasing).
        std::set<std::string> stamps;
        for (const auto& id : all)
            stamps.insert(id.substr(3, 13));
        QCOMPARE(stamps.size(), all.size());
    }

    void environmentOrderAndLookup()
    {
        ProjectSpec spec;
        for (const char* name : {"production", "staging", "dev", "qa"})
            spec.environments.push_back(EnvironmentSpec{name, {}, 1, 8080});
        sortEnvironments(spec.environments);
        std::vector<std::string> names;
        for (const auto& env : spec.environments)
            names.push_back(env.name);
        QCOMPARE(names, (std::vector<std::string>{"dev", "qa", "staging", "production"}));
        QVERIFY(spec.environment("prod") != nullptr);
        QCOMPARE(spec.environment("prod")->name, std::string("production"));
        QCOMPARE(spec.environment("production")->name, std::string("production"));
        QVERIFY(spec.environment("nope") == nullptr);
        QVERIFY(isProductionEnv("prod") && isProductionEnv("production") && !isProductionEnv("preprod"));
        QCOMPARE(canonicalEnv("production"), std::string("prod"));
        QCOMPARE(canonicalEnv("qa"), std::string("qa"));
    }
};

QTEST_GUILESS_MAIN(TstIds)
#include "tst_ids.moc"
