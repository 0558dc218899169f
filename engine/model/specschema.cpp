#include "engine/model/specschema.h"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <regex>
#include <utility>

#include <QFile>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace paas {

namespace {

using json = nlohmann::json;

struct CompiledSchema {
    CompiledSchema()
    {
        QFile file(QString::fromLatin1(kSpecSchemaResource));
        if (!file.open(QIODevice::ReadOnly)) {
            status = Status::internal("schema_unavailable", "cannot open compiled-in schema resource");
            return;
        }
        const QByteArray bytes = file.readAll();
        try {
            document = json::parse(bytes.begin(), bytes.end());
            valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
            valijson::adapters::NlohmannJsonAdapter adapter(document);
            parser.populateSchema(adapter, schema);
            compilePatternSchemas(document);
        } catch (const std::exception& e) {
            document = json();
            status = Status::internal("schema_unavailable", std::string("cannot compile schema: ") + e.what());
        }
    }

    // valijson 1.0 stops validating patternProperties members after the
    // first failing one; each such subschema is also compiled on its own so
    // validate() can check every member (see checkPatternMembers).
    void compilePatternSchemas(const json& node)
    {
        if (!node.is_object())
            return;
        for (const char* key : {"properties", "patternProperties"}) {
            if (!node.contains(key))
                continue;
            for (const auto& [name, sub] : node[key].items()) {
                if (std::string_view(key) == "patternProperties") {
                    auto compiledSub = std::make_unique<valijson::Schema>();
                    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
                    parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(sub), *compiledSub);
                    patternSchemas[&sub] = std::move(compiledSub);
                }
                compilePatternSchemas(sub);
            }
        }
        if (node.contains("items"))
            compilePatternSchemas(node["items"]);
    }

    json document;
    valijson::Schema schema;
    std::map<const json*, std::unique_ptr<valijson::Schema>> patternSchemas;  // keyed into `document`
    Status status;
};

const CompiledSchema& compiled()
{
    static const CompiledSchema instance;
    return instance;
}

// valijson errors that only wrap a more specific error reported underneath.
constexpr std::array<std::string_view, 5> kWrapperPrefixes = {
    "Failed to validate against child schema #",
    "Failed to validate against schema associated with",
    "Failed to validate item #",
    "Failed to validate against additional properties schema",
    "Failed to validate against dependent schema",
};

// valijson description -> readable phrase.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kRewrites = {{
    {"Failed to match regex specified by 'pattern' constraint.", "has an invalid format"},
    {"Failed to match against any enum values.", "is not one of the allowed values"},
    {"Value type not permitted by 'type' constraint.", "has the wrong type"},
    {"Failed to validate against any schemas allowed by anyOf constraint.", "is not an allowed value"},
}};
constexpr std::string_view kAnyOfPhrase = "is not an allowed value";

constexpr std::string_view kMissingPrefix = "Missing required property '";
constexpr std::string_view kUnknownPrefix = "Object contains a property that could not be validated";

// Compiled patterns, per thread (std::regex construction is not cheap).
const std::regex& cachedRegex(const std::string& pattern)
{
    thread_local std::map<std::string, std::regex> cache;
    auto it = cache.find(pattern);
    if (it == cache.end())
        it = cache.emplace(pattern, std::regex(pattern)).first;
    return it->second;
}

// Schema node that describes the instance at `tokens` (best effort).
const json* schemaFor(const json& root, const std::vector<std::string>& tokens)
{
    const json* node = &root;
    for (const auto& token : tokens) {
        const json* next = nullptr;
        if (node->contains("properties") && (*node)["properties"].contains(token))
            next = &(*node)["properties"][token];
        const auto patterns = node->find("patternProperties");
        if (!next && patterns != node->end()) {
            for (const auto& [pattern, sub] : patterns->items()) {
                if (std::regex_search(token, cachedRegex(pattern))) {
                    next = &sub;
                    break;
                }
            }
        }
        if (!next && node->contains("items") && (*node)["items"].is_object())
            next = &(*node)["items"];
        if (!next)
            return nullptr;
        node = next;
    }
    return node;
}

std::string describe(const json& root, const std::vector<std::string>& tokens)
{
    const json* node = schemaFor(root, tokens);
    if (!node || !node->contains("description") || !(*node)["description"].is_string())
        return {};
    return (*node)["description"].get<std::string>();
}

// The property a "Missing required property 'x'." or "... constraints:
// 'x'." error names. Cut by the known prefixes, not by quotes: a name may
// itself hold a quote (a var named LOG_LE'EL).
std::string quotedName(const std::string& description)
{
    static constexpr std::array<std::string_view, 2> kNamePrefixes = {
        "Missing required property '",
        "Object contains a property that could not be validated using 'properties' or 'additionalProperties' "
        "constraints: '",
    };
    constexpr std::string_view kEnd = "'.";
    for (std::string_view prefix : kNamePrefixes) {
        if (description.rfind(prefix, 0) == 0 && description.size() >= prefix.size() + kEnd.size() &&
            description.compare(description.size() - kEnd.size(), kEnd.size(), kEnd) == 0)
            return description.substr(prefix.size(), description.size() - prefix.size() - kEnd.size());
    }
    return {};
}

std::string pointerOf(std::string_view prefix, const std::vector<std::string>& tokens)
{
    std::string pointer(prefix);
    for (const auto& token : tokens)
        pointer += "/" + escapePointerToken(token);
    return pointer;
}

struct Violation {
    std::string path;
    std::string phrase;
    std::string expected;
};

std::string allowedProperties(const json* node)
{
    if (!node || !node->contains("properties"))
        return {};
    std::string names;
    for (const auto& [name, sub] : (*node)["properties"].items())
        names += (names.empty() ? "" : ", ") + name;
    return names;
}

// "Expected number less than or equal to 50.000000" -> "... 50".
std::string tidyNumbers(const std::string& text)
{
    static const std::regex trailingZeros("([0-9]+)\\.0+\\b");
    return std::regex_replace(text, trailingZeros, "$1");
}

// Missing or unknown property: the pointer names the property itself.
bool propertyViolation(const json& schema, bool missing, const std::string& text, std::vector<std::string> tokens,
                       Violation& out)
{
    const json* parent = schemaFor(schema, tokens);
    tokens.push_back(quotedName(text));
    if (missing) {
        out = {{}, "is required", describe(schema, tokens)};
        return true;
    }
    // valijson stops matching patternProperties after the first failing
    // member and then reports the unvisited ones as unknown: drop those.
    if (schemaFor(schema, tokens))
        return false;
    const std::string allowed = allowedProperties(parent);
    if (!allowed.empty())
        out = {{}, "is not an allowed property (allowed: " + allowed + ")", {}};
    else
        out = {{}, "is not an allowed name", parent ? parent->value("description", std::string()) : std::string()};
    return true;
}

// Converts one valijson error found at `base` (tokens of the validated
// value); the resulting tokens exclude the caller's prefix. False for noise.
bool toViolation(const json& schema, const std::vector<std::string>& base,
                 const valijson::ValidationResults::Error& error, Violation& out, std::vector<std::string>& tokens)
{
    const std::string& text = error.description;
    for (auto wrapper : kWrapperPrefixes) {
        if (text.rfind(wrapper, 0) == 0)
            return false;
    }
    tokens = base;
    for (std::size_t i = 1; i < error.context.size(); ++i) {
        const std::string& part = error.context[i];
        tokens.push_back(part.size() >= 2 ? part.substr(1, part.size() - 2) : part);
    }
    const bool missing = text.rfind(kMissingPrefix, 0) == 0;
    if (missing || text.rfind(kUnknownPrefix, 0) == 0) {
        if (!propertyViolation(schema, missing, text, tokens, out))
            return false;
        tokens.push_back(quotedName(text));
        return true;
    }
    out.phrase = tidyNumbers(text);
    for (const auto& [from, to] : kRewrites) {
        if (text == from)
            out.phrase = to;
    }
    out.expected = describe(schema, tokens);
    return true;
}

// One FieldError per path; phrases for the same path are joined. An anyOf
// summary replaces the per-branch complaints underneath it.
std::vector<FieldError> mergeViolations(const std::vector<Violation>& violations)
{
    std::vector<std::string> order;
    std::map<std::string, std::vector<const Violation*>> byPath;
    for (const auto& v : violations) {
        if (!byPath.count(v.path))
            order.push_back(v.path);
        byPath[v.path].push_back(&v);
    }
    std::vector<FieldError> details;
    for (const auto& path : order) {
        const auto& group = byPath[path];
        const bool anyOf =
            std::any_of(group.begin(), group.end(), [](const Violation* v) { return v->phrase == kAnyOfPhrase; });
        std::string message;
        for (const Violation* v : group) {
            if ((anyOf && v->phrase != kAnyOfPhrase) || message.find(v->phrase) != std::string::npos)
                continue;
            message += (message.empty() ? "" : " and ") + v->phrase;
        }
        if (!group.front()->expected.empty())
            message += "; expected " + group.front()->expected;
        details.push_back({path, message});
    }
    return details;
}

// Runs valijson and turns its errors into Violations.
struct Collector {
    const CompiledSchema& schema;
    std::string_view prefix;
    std::vector<Violation> violations;

    bool run(const valijson::Subschema& sub, const json& value, const std::vector<std::string>& base)
    {
        thread_local valijson::Validator validator(valijson::Validator::kStrongTypes);
        valijson::ValidationResults results;
        if (validator.validate(sub, valijson::adapters::NlohmannJsonAdapter(value), &results))
            return true;
        valijson::ValidationResults::Error error;
        std::vector<std::string> tokens;
        while (results.popError(error)) {
            Violation violation;
            if (!toViolation(schema.document, base, error, violation, tokens))
                continue;
            violation.path = pointerOf(prefix, tokens);
            violations.push_back(std::move(violation));
        }
        return false;
    }

    // Validates every member matched by a patternProperties subschema on its
    // own, so violations in the 2nd, 3rd... environment are reported too.
    void checkPatternMembers(const json& node, const json& value, const std::vector<std::string>& base)
    {
        if (!node.is_object() || !value.is_object())
            return;
        if (node.contains("properties")) {
            for (const auto& [name, sub] : node["properties"].items()) {
                if (value.contains(name))
                    checkPatternMembers(sub, value[name], withToken(base, name));
            }
        }
        if (!node.contains("patternProperties"))
            return;
        for (const auto& [pattern, sub] : node["patternProperties"].items()) {
            const std::regex& re = cachedRegex(pattern);
            const auto compiledSub = schema.patternSchemas.find(&sub);
            for (const auto& [name, member] : value.items()) {
                if (!std::regex_search(name, re))
                    continue;
                if (compiledSub != schema.patternSchemas.end())
                    run(*compiledSub->second, member, withToken(base, name));
                checkPatternMembers(sub, member, withToken(base, name));
            }
        }
    }

    static std::vector<std::string> withToken(std::vector<std::string> tokens, const std::string& token)
    {
        tokens.push_back(token);
        return tokens;
    }
};

}  // namespace

std::string escapePointerToken(std::string_view token)
{
    std::string out;
    for (char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out.push_back(c);
    }
    return out;
}

const json& SpecSchema::document()
{
    return compiled().document;
}

Status SpecSchema::validate(const json& spec, std::string_view pointerPrefix)
{
    const CompiledSchema& schema = compiled();
    if (!schema.status)
        return schema.status;
    try {
        Collector collector{schema, pointerPrefix, {}};
        if (collector.run(schema.schema, spec, {}))
            return Status::ok();
        collector.checkPatternMembers(schema.document, spec, {});
        std::vector<FieldError> details = mergeViolations(collector.violations);
        std::string summary = "spec does not match the App schema";
        if (!details.empty())
            summary += ": " + details.front().path + " " + details.front().message;
        return Status::unprocessable("invalid_spec", summary, std::move(details));
    } catch (const std::exception& e) {
        return Status::internal("schema_validation_failed", e.what());
    }
}

}  // namespace paas
