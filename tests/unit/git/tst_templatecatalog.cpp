// Unit tests for the compiled-in runtime templates: they load from the
// static library's resources and render every placeholder.
#include "engine/git/templatecatalog.h"

#include <QtTest>

using namespace paas;

class TestTemplateCatalog : public QObject {
    Q_OBJECT

    const std::map<std::string, std::string> m_vars{{"name", "My Shop"}, {"project_id", "my-shop"}, {"port", "8123"}};

private slots:
    void builtInRuntimesAreCompiledIn()
    {
        QCOMPARE(templateRuntimes(), (std::vector<std::string>{"go_1.26", "node_22", "python_3.13", "static"}));
        QCOMPARE(templateFor("node_22"), std::string("node_22"));
        QCOMPARE(templateFor("ruby_3.3"), std::string("generic"));
        QCOMPARE(templateFor("../static"), std::string("generic"));
    }

    void renderEachRuntime_data()
    {
        QTest::addColumn<QString>("runtime");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("go") << "go_1.26" << QStringList{"Dockerfile", "README.md", "go.mod", "main.go"};
        QTest::newRow("node") << "node_22" << QStringList{"Dockerfile", "README.md", "package.json", "server.js"};
        QTest::newRow("python") << "python_3.13"
                                << QStringList{"Dockerfile", "README.md", "app.py", "requirements.txt"};
        QTest::newRow("static") << "static" << QStringList{"Dockerfile", "README.md", "index.html"};
        QTest::newRow("unknown") << "elixir_1.17" << QStringList{"Dockerfile", "README.md"};
    }

    void renderEachRuntime()
    {
        QFETCH(QString, runtime);
        QFETCH(QStringList, expected);
        Result<std::map<std::string, std::string>> files = renderTemplate(runtime.toStdString(), m_vars);
        QVERIFY2(files.isOk(), files.status().toString().c_str());
        QStringList names;
        for (const auto& [path, text] : *files) {
            names << QString::fromStdString(path);
            QVERIFY2(text.find("{{") == std::string::npos, path.c_str());
            QVERIFY2(!text.empty(), path.c_str());
        }
        QCOMPARE(names, expected);
        const std::string& readme = files->at("README.md");
        QVERIFY(readme.find("# My Shop") == 0);
        QVERIFY(readme.find("`my-shop`") != std::string::npos);
        QVERIFY(files->at("Dockerfile").find("EXPOSE 8123") != std::string::npos);
    }

    void staticBuildsFromScratchOnly()
    {
        const auto files = renderTemplate("static", m_vars).value();
        const std::string& dockerfile = files.at("Dockerfile");
        QVERIFY(dockerfile.rfind("FROM scratch\n", 0) == 0);
        QCOMPARE(QString::fromStdString(dockerfile).count("FROM "), 1);  // no other stage, no base image
        QVERIFY(dockerfile.find("COPY index.html") != std::string::npos);
        QVERIFY(files.at("index.html").find("<h1>My Shop</h1>") != std::string::npos);
    }

    void genericNamesTheRuntime()
    {
        const auto files = renderTemplate("elixir_1.17", m_vars).value();
        QVERIFY(files.at("README.md").find("runtime `elixir_1.17`") != std::string::npos);
        QVERIFY(files.at("Dockerfile").rfind("FROM scratch\n", 0) == 0);
    }

    void substitution()
    {
        QCOMPARE(substitutePlaceholders("a {{x}} b {{y}}{{x}}", {{"x", "1"}, {"y", "{{x}}"}}).value(),
                 std::string("a 1 b {{x}}1"));
        QCOMPARE(substitutePlaceholders("{{ not a slot }} {{}} {x} {{", {}).value(),
                 std::string("{{ not a slot }} {{}} {x} {{"));
        Result<std::string> missing = substitutePlaceholders("hello {{who}}", {});
        QVERIFY(!missing.isOk());
        QCOMPARE(missing.status().reason(), std::string("template_var_missing"));
        Result<std::map<std::string, std::string>> noPort =
            renderTemplate("static", {{"name", "n"}, {"project_id", "p"}});
        QCOMPARE(noPort.status().reason(), std::string("template_var_missing"));
    }
};

QTEST_GUILESS_MAIN(TestTemplateCatalog)
#include "tst_templatecatalog.moc"
