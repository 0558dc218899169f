// Unit tests for the spec pipeline: compiled-in schema resource, JSON/YAML
// parsing with limits, valijson validation with JSON pointers, conversion.
#include "engine/model/documentparser.h"
#include "engine/model/specparser.h"
#include "engine/model/specschema.h"

#include <QFile>

#include <atomic>
#include <thread>
#include <QtTest>

using namespace paas;
using json = nlohmann::json;

namespace {

json validSpec()
{
    return json::parse(R"({
      "apiVersion": "platform.example.com/v2", "kind": "App", "name": "platform-app",
      "runtime": "go_1.26", "capabilities": ["http", "metrics"],
      "environments": {"prod": {"vars": {"LOG_LEVEL": "warn"}, "replicas": 3},
                       "dev": {"vars": {"LOG_LEVEL": "info"}}},
      "networkPolicies": {"ingress": "internal", "egress": "public"}})");
}

QString sourcePath(const char* relative)
{
    return qEnvironmentVariable("PAAS_SOURCE_DIR") + "/" + relative;
}

bool hasDetail(const Status& s, const std::string& path, const std::string& needle = {})
{
    for (const auto& d : s.details()) {
        if (d.path == path && d.message.find(needle) != std::string::npos)
            return true;
    }
    return false;
}

QByteArray dumpDetails(const Status& s)
{
    std::string out = s.toString();
    for (const auto& d : s.details())
        out += "\n  " + d.path + ": " + d.message;
    return QByteArray::fromStdString(out);
}

}  // namespace

class TstSpecParser : public QObject {
    Q_OBJECT
private slots:
    void schemaResourceIsCompiledIntoStaticLib()
    {
        // paas_model is a static library: the resource must still be registered.
        QVERIFY(QFile::exists(QString::fromLatin1(kSpecSchemaResource)));
        QFile compiled(QString::fromLatin1(kSpecSchemaResource));
        QVERIFY(compiled.open(QIODevice::ReadOnly));
        QFile source(sourcePath("cfg/project-jsonschema.json"));
        QVERIFY2(source.open(QIODevice::ReadOnly), qPrintable(source.fileName()));
        QCOMPARE(compiled.readAll(), source.readAll());  // one source of truth
        QCOMPARE(SpecSchema::document().value("$schema", std::string()),
                 std::string("http://json-schema.org/draft-07/schema#"));
    }

    void validSpecPassesAndConverts()
    {
        Result<ProjectSpec> spec = SpecParser::parseSpec(validSpec(), "/spec");
        QVERIFY2(spec.isOk(), dumpDetails(spec.status()).constData());
        QCOMPARE(spec->name, std::string("platform-app"));
        QCOMPARE(spec->environments.size(), std::size_t(2));
        QCOMPARE(spec->environments[0].name, std::string("dev"));  // path order
        QCOMPARE(spec->environments[1].name, std::string("prod"));
        QCOMPARE(spec->environments[1].replicas, 3);
        QCOMPARE(spec->environments[0].replicas, 1);  // default
        QCOMPARE(spec->environments[0].port, 8080);   // default
        QCOMPARE(spec->environments[0].vars.at("LOG_LEVEL"), std::string("info"));
        QVERIFY(spec->hasCapability("metrics"));
        QVERIFY(!spec->hasCapability("grpc"));
        QCOMPARE(spec->egress, std::string("public"));
        // toJson() round-trips through validation and conversion.
        Result<ProjectSpec> again = SpecParser::parseSpec(spec->toJson());
        QVERIFY2(again.isOk(), dumpDetails(again.status()).constData());
        QVERIFY(*again == *spec);
    }

    void exampleFileValidates()
    {
        QFile file(sourcePath("cfg/project-example.yaml"));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        const QByteArray bytes = file.readAll();
        Result<ProjectSpec> spec = SpecParser::parseSpecDocument(bytes.toStdString(), "application/yaml");
        QVERIFY2(spec.isOk(), dumpDetails(spec.status()).constData());
        QCOMPARE(spec->name, std::string("platform-app"));
        QVERIFY(spec->environment("production") != nullptr);
        QCOMPARE(spec->buildNetwork, std::string("default"));
    }

    void buildNetworkIsOptionalAndRoundTrips()
    {
        Result<ProjectSpec> plain = SpecParser::parseSpec(validSpec(), "/spec");
        QVERIFY(plain.isOk());
        QVERIFY(plain->buildNetwork.empty());
        QVERIFY(!plain->toJson().contains("build"));  // the reference shape when unset
        json spec = validSpec();
        spec["build"] = {{"network", "host"}};
        Result<ProjectSpec> host = SpecParser::parseSpec(spec, "/spec");
        QVERIFY2(host.isOk(), dumpDetails(host.status()).constData());
        QCOMPARE(host->buildNetwork, std::string("host"));
        QCOMPARE(host->toJson()["build"].value("network", ""), std::string("host"));
    }

    void runAndAutoDeployAreOptionalAndRoundTrip()
    {
        Result<ProjectSpec> plain = SpecParser::parseSpec(validSpec(), "/spec");
        QVERIFY(plain.isOk());
        for (const EnvironmentSpec& env : plain->environments) {
            QVERIFY(env.run.empty());
            QVERIFY(!env.autoDeploy);
        }
        QVERIFY(!plain->toJson()["environments"]["dev"].contains("run"));  // the reference shape when unset
        json spec = validSpec();
        spec["environments"]["dev"]["run"] = "docker";
        spec["environments"]["dev"]["autoDeploy"] = true;
        spec["environments"]["prod"]["run"] = "none";
        spec["environments"]["prod"]["autoDeploy"] = false;
        Result<ProjectSpec> set = SpecParser::parseSpec(spec, "/spec");
        QVERIFY2(set.isOk(), dumpDetails(set.status()).constData());
        QCOMPARE(set->environment("dev")->run, std::string("docker"));
        QVERIFY(set->environment("dev")->autoDeploy);
        QCOMPARE(set->environment("prod")->run, std::string("none"));
        Result<ProjectSpec> again = SpecParser::parseSpec(set->toJson(), "/spec");
        QVERIFY(again.isOk());
        QVERIFY(*again == *set);
    }

    void violationsPointAtTheField_data()
    {
        QTest::addColumn<QString>("patch");  // JSON merge patch applied to validSpec()
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("needle");
        QTest::newRow("name pattern") << R"({"name": "Bad_Name"})"
                                      << "/spec/name"
                                      << "invalid format";
        QTest::newRow("name too long") << QString(R"({"name": "%1"})").arg(QString(64, 'a')) << "/spec/name"
                                       << "63";
        QTest::newRow("name type") << R"({"name": 42})"
                                   << "/spec/name"
                                   << "wrong type";
        QTest::newRow("missing name") << R"({"name": null})"
                                      << "/spec/name"
                                      << "required";
        QTest::newRow("apiVersion") << R"({"apiVersion": "v1"})"
                                    << "/spec/apiVersion"
                                    << "allowed";
        QTest::newRow("kind") << R"({"kind": "Job"})"
                              << "/spec/kind"
                              << "allowed";
        QTest::newRow("runtime") << R"({"runtime": "Go 1.26"})"
                                 << "/spec/runtime"
                                 << "allowed";
        QTest::newRow("capability enum") << R"({"capabilities": ["http", "ftp"]})"
                                         << "/spec/capabilities/1"
                                         << "allowed";
        QTest::newRow("capability dup") << R"({"capabilities": ["http", "http"]})"
                                        << "/spec/capabilities"
                                        << "";
        QTest::newRow("unknown top") << R"({"colour": "blue"})"
                                     << "/spec/colour"
                                     << "not an allowed property";
        QTest::newRow("env key") << R"({"environments": {"Dev_1": {}}})"
                                 << "/spec/environments/Dev_1"
                                 << "not an allowed";
        QTest::newRow("env unknown field") << R"({"environments": {"dev": {"cpu": 2}}})"
                                           << "/spec/environments/dev/cpu"
                                           << "";
        QTest::newRow("replicas high") << R"({"environments": {"prod": {"replicas": 51}}})"
                                       << "/spec/environments/prod/replicas"
                                       << "50";
        QTest::newRow("replicas low") << R"({"environments": {"prod": {"replicas": 0}}})"
                                      << "/spec/environments/prod/replicas"
                                      << "1";
        QTest::newRow("replicas float") << R"({"environments": {"prod": {"replicas": 1.5}}})"
                                        << "/spec/environments/prod/replicas"
                                        << "type";
        QTest::newRow("port") << R"({"environments": {"dev": {"port": 70000}}})"
                              << "/spec/environments/dev/port"
                              << "65535";
        QTest::newRow("no envs") << R"({"environments": {"dev": null, "prod": null}})"
                                 << "/spec/environments"
                                 << "";
        QTest::newRow("policy") << R"({"networkPolicies": {"ingress": "open"}})"
                                << "/spec/networkPolicies/ingress"
                                << "internal, public, none";
        QTest::newRow("build network") << R"({"build": {"network": "bridge"}})"
                                       << "/spec/build/network"
                                       << "default, host, none";
        QTest::newRow("build unknown") << R"({"build": {"cache": false}})"
                                       << "/spec/build/cache"
                                       << "not an allowed property";
        QTest::newRow("slash key escaped") << R"({"environments": {"a/b": {}}})"
                                           << "/spec/environments/a~1b"
                                           << "";
    }
    // The run fields of issue 16: the same checks as the table above.
    void runViolationsPointAtTheField_data()
    {
        QTest::addColumn<QString>("patch");
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("needle");
        QTest::newRow("run enum") << R"({"environments": {"dev": {"run": "podman"}}})"
                                  << "/spec/environments/dev/run"
                                  << "docker or none";
        QTest::newRow("autoDeploy type") << R"({"environments": {"dev": {"autoDeploy": "yes"}}})"
                                         << "/spec/environments/dev/autoDeploy"
                                         << "type";
        QTest::newRow("autoDeploy prod") << R"({"environments": {"prod": {"autoDeploy": true}}})"
                                         << "/spec/environments/prod/autoDeploy"
                                         << "never deployed automatically";
    }
    void runViolationsPointAtTheField() { violationsPointAtTheField(); }
    void varViolationsPointAtTheField_data()
    {
        QTest::addColumn<QString>("patch");
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("needle");
        QTest::newRow("var name") << R"({"environments": {"dev": {"vars": {"1BAD": "x"}}}})"
                                  << "/spec/environments/dev/vars/1BAD"
                                  << "";
        QTest::newRow("var name with a quote") << "{\"environments\": {\"dev\": {\"vars\": {\"LOG_LE'EL\": \"x\"}}}}"
                                               << "/spec/environments/dev/vars/LOG_LE'EL"
                                               << "not an allowed name";
        QTest::newRow("var value type") << R"({"environments": {"dev": {"vars": {"PORT": 8080}}}})"
                                        << "/spec/environments/dev/vars/PORT"
                                        << "string";
    }
    void varViolationsPointAtTheField() { violationsPointAtTheField(); }

    void violationsPointAtTheField()
    {
        QFETCH(QString, patch);
        QFETCH(QString, pointer);
        QFETCH(QString, needle);
        json spec = validSpec();
        spec.merge_patch(json::parse(patch.toStdString()));
        Result<ProjectSpec> result = SpecParser::parseSpec(spec, "/spec");
        QVERIFY(!result.isOk());
        qInfo("%s", dumpDetails(result.status()).constData());
        QCOMPARE(result.status().code(), Status::Code::Unprocessable);
        QCOMPARE(result.status().reason(), std::string("invalid_spec"));
        QVERIFY2(hasDetail(result.status(), pointer.toStdString(), needle.toStdString()),
                 dumpDetails(result.status()).constData());
        // Each row introduces exactly one violation: one detail, no spurious
        // neighbours (valijson reports unvisited pattern properties as unknown).
        QCOMPARE(result.status().details().size(), std::size_t(1));
        // No wrapper noise: every detail is under the prefix and says something specific.
        for (const auto& d : result.status().details()) {
            QVERIFY(d.path.rfind("/spec", 0) == 0);
            QVERIFY2(d.message.find("Failed to validate against schema") == std::string::npos, d.message.c_str());
        }
    }

    void everyViolationIsReported()
    {
        // valijson 1.0 stops at the first failing patternProperties member;
        // SpecSchema re-checks each member so all of them are reported.
        // (Unknown property names: valijson names one per object.)
        json spec = validSpec();
        spec.merge_patch(json::parse(R"({"environments": {
            "dev": {"replicas": 0}, "prod": {"port": 0},
            "qa": {"vars": {"A": 1, "B": 2}}}, "capabilities": ["ftp", "xx"]})"));
        const Status s = SpecParser::validate(spec, "/spec");
        QVERIFY(!s.isOk());
        for (const char* pointer :
             {"/spec/environments/dev/replicas", "/spec/environments/prod/port", "/spec/environments/qa/vars/A",
              "/spec/environments/qa/vars/B", "/spec/capabilities/0", "/spec/capabilities/1"})
            QVERIFY2(hasDetail(s, pointer), (std::string(pointer) + "\n" + dumpDetails(s).toStdString()).c_str());
        QCOMPARE(s.details().size(), std::size_t(6));
    }

    void validationIsThreadSafe()
    {
        json bad = validSpec();
        bad["name"] = "Bad_Name";
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        threads.reserve(4);
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 100; ++i) {
                    if (!SpecParser::parseSpec(validSpec()).isOk())
                        ++failures;
                    const Status s = SpecParser::validate(bad, "/spec");
                    if (s.isOk() || s.details().size() != 1 || s.details()[0].path != "/spec/name")
                        ++failures;
                }
            });
        }
        for (auto& th : threads)
            th.join();
        QCOMPARE(failures.load(), 0);
    }

    void customRuntimePatternAccepted()
    {
        json spec = validSpec();
        spec["runtime"] = "java_21";
        QVERIFY(SpecParser::parseSpec(spec).isOk());
        spec["runtime"] = "static";
        QVERIFY(SpecParser::parseSpec(spec).isOk());
    }

    void malformedJsonIs400WithPosition()
    {
        Result<json> doc = SpecParser::parseBody("{\"name\": \"x\",\n  \"kind\": }", "application/json");
        QVERIFY(!doc.isOk());
        QCOMPARE(doc.status().code(), Status::Code::InvalidArgument);
        QCOMPARE(doc.status().reason(), std::string("malformed_json"));
        QVERIFY2(doc.status().message().find("line 2") != std::string::npos, doc.status().message().c_str());
        QVERIFY2(doc.status().message().find("byte") != std::string::npos, doc.status().message().c_str());
    }

    void deepJsonRefused()
    {
        const std::string deep = std::string(65, '[') + std::string(65, ']');
        Result<json> doc = parseJsonDocument(deep);
        QVERIFY(!doc.isOk());
        QCOMPARE(doc.status().code(), Status::Code::TooLarge);
        QCOMPARE(doc.status().reason(), std::string("document_too_deep"));
        QVERIFY(doc.status().message().find("64") != std::string::npos);
        QVERIFY(parseJsonDocument(std::string(64, '[') + std::string(64, ']')).isOk());
        // Far deeper than any parser stack would like.
        const std::string huge = std::string(200000, '[') + std::string(200000, ']');
        QCOMPARE(parseJsonDocument(huge, {.maxBytes = 1 << 20}).status().reason(), std::string("document_too_deep"));
    }

    void deepYamlRefused()
    {
        QCOMPARE(parseYamlDocument(std::string(65, '[') + std::string(65, ']')).status().reason(),
                 std::string("document_too_deep"));
        QVERIFY(parseYamlDocument(std::string(64, '[') + std::string(64, ']')).isOk());
        // Beyond yaml-cpp's own recursion guard.
        const std::string huge = std::string(50000, '[') + std::string(50000, ']');
        Result<json> doc = parseYamlDocument(huge);
        QCOMPARE(doc.status().reason(), std::string("document_too_deep"));
        QCOMPARE(doc.status().code(), Status::Code::TooLarge);
    }

    // fuzz_specparser: yaml-cpp 0.7's LoadAll() looped forever on a ','
    // at document level, growing memory, on the API thread.
    void yamlStuckStreamIsMalformed()
    {
        for (const char* body : {",", "# comment\n,#x\nb: 2\n", "a: 1\n---\n,\n"}) {
            Result<json> doc = SpecParser::parseBody(body, "application/yaml");
            QVERIFY2(!doc.isOk(), body);
            QCOMPARE(doc.status().reason(), std::string("malformed_yaml"));
        }
    }

    // fuzz_specparser: yaml-cpp passes invalid UTF-8 through; valijson's
    // length check read out of bounds on it and nlohmann's dump() throws.
    void yamlInvalidUtf8IsMalformed()
    {
        for (const char* body :
             {"name: caf\xff\n", "\"k\xc0\xaf\": 1\n", "runtime: go_1.2\xf4[[]]\n", "- \xed\xa0\x80\n"}) {
            Result<json> doc = SpecParser::parseBody(body, "application/yaml");
            QVERIFY2(!doc.isOk(), body);
            QCOMPARE(doc.status().reason(), std::string("malformed_yaml"));
        }
        Result<json> ok = SpecParser::parseBody("name: caf\xc3\xa9\n", "application/yaml");
        QVERIFY(ok.isOk());
        QCOMPARE((*ok)["name"].get<std::string>(), std::string("caf\xc3\xa9"));
    }

    void yamlAliasBombRefused()
    {
        std::string bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
        const char* names = "abcdefghijk";
        for (int i = 1; i < 11; ++i) {
            std::string line = std::string(1, names[i]) + ": &" + names[i] + " [";
            for (int j = 0; j < 9; ++j)
                line += std::string(j ? ", *" : "*") + names[i - 1];
            bomb += line + "]\n";
        }
        // 9^11 (~3e10) nodes if expanded; must be refused after the node budget.
        Result<json> doc = SpecParser::parseBody(bomb, "application/yaml");
        QVERIFY(!doc.isOk());
        QCOMPARE(doc.status().reason(), std::string("yaml_too_complex"));
        QCOMPARE(doc.status().code(), Status::Code::TooLarge);
        // A modest, legitimate use of anchors still works.
        Result<json> ok = parseYamlDocument("base: &v {LOG_LEVEL: info}\nother: *v\n");
        QVERIFY(ok.isOk());
        QCOMPARE((*ok)["other"]["LOG_LEVEL"], json("info"));
    }

    void malformedYamlIs400()
    {
        Result<json> doc = parseYamlDocument("name: [unclosed\nkind: App\n");
        QCOMPARE(doc.status().reason(), std::string("malformed_yaml"));
        QCOMPARE(doc.status().code(), Status::Code::InvalidArgument);
        QVERIFY(doc.status().message().find("line") != std::string::npos);
        QCOMPARE(parseYamlDocument("{[a]: b}").status().reason(), std::string("malformed_yaml"));
        QCOMPARE(parseYamlDocument("a: 1\n---\nb: 2\n").status().reason(), std::string("malformed_yaml"));
    }

    void yamlScalarsResolveLikeCoreSchema()
    {
        Result<json> doc = parseYamlDocument(
            "i: 42\nneg: -7\nhex: 0x1F\nf: 1.5\nt: true\nn: ~\ne:\ns: hello\nq: \"8080\"\nyes: yes\ntagged: !!str "
            "12\n");
        QVERIFY2(doc.isOk(), doc.status().toString().c_str());
        const json expected = {{"i", 42},     {"neg", -7},    {"hex", 31},     {"f", 1.5},
                               {"t", true},   {"n", nullptr}, {"e", nullptr},  {"s", "hello"},
                               {"q", "8080"}, {"yes", "yes"}, {"tagged", "12"}};
        QCOMPARE(QString::fromStdString(doc->dump()), QString::fromStdString(expected.dump()));
    }

    void yamlAndJsonGiveTheSameSpec()
    {
        const std::string yaml = R"(
apiVersion: platform.example.com/v2
kind: App
name: platform-app
runtime: go_1.26
capabilities: [http, metrics]
environments:
  prod:
    vars: {LOG_LEVEL: warn}
    replicas: 3
  dev:
    vars:
      LOG_LEVEL: info
networkPolicies: {ingress: internal, egress: public}
)";
        Result<ProjectSpec> fromYaml = SpecParser::parseSpecDocument(yaml, "application/yaml; charset=utf-8");
        Result<ProjectSpec> fromJson = SpecParser::parseSpecDocument(validSpec().dump(), "application/json");
        QVERIFY2(fromYaml.isOk(), dumpDetails(fromYaml.status()).constData());
        QVERIFY2(fromJson.isOk(), dumpDetails(fromJson.status()).constData());
        QVERIFY(*fromYaml == *fromJson);
        QVERIFY(isYamlContentType("Application/X-YAML"));
        QVERIFY(!isYamlContentType("application/json"));
    }

    void environmentsKeepTheOrderTheBodyWrites_data()
    {
        QTest::addColumn<QString>("contentType");
        QTest::addColumn<QString>("body");
        const char* envs = R"({"prod": {}, "staging": {}, "qa": {}, "dev": {}, "alpha": {}})";
        const QString spec = QString(R"({"apiVersion": "platform.example.com/v2", "kind": "App", "name": "ordered",
            "runtime": "static", "environments": %1})")
                                 .arg(envs);
        QTest::newRow("json registration body")
            << "application/json" << QString(R"({"action": "create", "spec": %1})").arg(spec);
        QTest::newRow("json bare spec") << "" << spec;
        QTest::newRow("yaml registration body")
            << "application/yaml"
            << "action: create\nspec:\n  apiVersion: platform.example.com/v2\n  kind: App\n  name: ordered\n"
               "  runtime: static\n  environments:\n    prod: {}\n    staging: {}\n    qa: {}\n    dev: {}\n"
               "    alpha: {}\n";
    }

    void environmentsKeepTheOrderTheBodyWrites()
    {
        // Issue 16: dev first, prod last, the others as written (here
        // staging, qa, alpha), not alphabetically.
        QFETCH(QString, contentType);
        QFETCH(QString, body);
        const std::string text = body.toStdString(), type = contentType.toStdString();
        Result<json> doc = SpecParser::parseBody(text, type);
        QVERIFY2(doc.isOk(), doc.status().toString().c_str());
        const std::vector<std::string> order = SpecParser::environmentOrder(text, type);
        QCOMPARE(order, (std::vector<std::string>{"prod", "staging", "qa", "dev", "alpha"}));
        const json spec = doc->contains("spec") ? (*doc)["spec"] : *doc;
        Result<ProjectSpec> parsed = SpecParser::parseSpec(spec, "/spec", order);
        QVERIFY2(parsed.isOk(), dumpDetails(parsed.status()).constData());
        const std::vector<std::string> path{"dev", "staging", "qa", "alpha", "prod"};
        QCOMPARE(parsed->environmentNames(), path);
        std::vector<std::string> written;  // the file a user reads keeps it too
        const nlohmann::ordered_json document = parsed->toOrderedJson();
        for (const auto& item : document["environments"].items())
            written.push_back(item.key());
        QCOMPARE(written, path);
        // Without an order (a record from an older version): alphabetical.
        QCOMPARE(SpecParser::parseSpec(spec, "/spec")->environmentNames(),
                 (std::vector<std::string>{"dev", "alpha", "qa", "staging", "prod"}));
    }

    void oversizedBodyRefused()
    {
        const std::string big(2000, ' ');
        Result<json> doc = parseJsonDocument(big, {.maxBytes = 1000});
        QCOMPARE(doc.status().reason(), std::string("document_too_large"));
        QCOMPARE(doc.status().code(), Status::Code::TooLarge);
    }
};

QTEST_GUILESS_MAIN(TstSpecParser)
#include "tst_specparser.moc"
