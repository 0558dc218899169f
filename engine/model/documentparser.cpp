#include "engine/model/documentparser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <regex>
#include <string>

#include <QByteArrayView>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

namespace paas {

namespace {

using json = nlohmann::json;

Status tooDeep(int limit)
{
    return Status::tooLarge("document_too_deep",
                            "document nesting exceeds the limit of " + std::to_string(limit) + " levels");
}

Status checkSize(std::string_view text, const DocumentLimits& limits)
{
    if (text.size() <= limits.maxBytes)
        return Status::ok();
    return Status::tooLarge("document_too_large", "document is " + std::to_string(text.size()) +
                                                      " bytes; the limit is " + std::to_string(limits.maxBytes));
}

// SAX pass that only checks syntax and depth; nothing is built.
class JsonPrecheck : public nlohmann::json_sax<json> {
public:
    explicit JsonPrecheck(int maxDepth) : m_maxDepth(maxDepth) {}
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return enter(); }
    bool key(string_t&) override { return true; }
    bool end_object() override
    {
        --m_depth;
        return true;
    }
    bool start_array(std::size_t) override { return enter(); }
    bool end_array() override
    {
        --m_depth;
        return true;
    }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override
    {
        std::string what = ex.what();
        const auto bracket = what.find("] ");
        if (what.rfind("[json.exception", 0) == 0 && bracket != std::string::npos)
            what = what.substr(bracket + 2);
        status = Status::invalidArgument("malformed_json", what + " (byte " + std::to_string(position) + ")");
        return false;
    }

    Status status;

private:
    bool enter()
    {
        if (++m_depth <= m_maxDepth)
            return true;
        status = tooDeep(m_maxDepth);
        return false;
    }

    int m_maxDepth;
    int m_depth = 0;
};

// ---- YAML -------------------------------------------------------------

struct ScalarRule {
    std::regex pattern;
    json (*convert)(const std::string&);
};

json toNull(const std::string&)
{
    return nullptr;
}
json toTrue(const std::string&)
{
    return true;
}
json toFalse(const std::string&)
{
    return false;
}

json toInteger(const std::string& text)
{
    int base = 10;
    std::size_t skip = 0;
    if (text.rfind("0x", 0) == 0) {
        base = 16;
        skip = 2;
    } else if (text.rfind("0o", 0) == 0) {
        base = 8;
        skip = 2;
    }
    std::string digits = text.substr(skip);
    if (!digits.empty() && digits.front() == '+')
        digits.erase(0, 1);
    long long value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (ec == std::errc() && end == digits.data() + digits.size())
        return value;
    return std::stod(text);  // out of range for int64: keep the magnitude
}

json toFloat(const std::string& text)
{
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (lower.find("nan") != std::string::npos || lower.find("inf") != std::string::npos)
        return text;  // JSON has no NaN/Infinity; keep the text rather than invent a value
    return std::stod(text);
}

// YAML 1.2 core schema resolution of plain scalars (table-driven).
const std::array<ScalarRule, 6>& scalarRules()
{
    static const std::array<ScalarRule, 6> rules = {{
        {std::regex("^(|~|null|Null|NULL)$"), &toNull},
        {std::regex("^(true|True|TRUE)$"), &toTrue},
        {std::regex("^(false|False|FALSE)$"), &toFalse},
        {std::regex("^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), &toInteger},
        {std::regex("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$"), &toFloat},
        {std::regex("^([-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$"), &toFloat},
    }};
    return rules;
}

json resolveScalar(const YAML::Node& node)
{
    const std::string& text = node.Scalar();
    const std::string& tag = node.Tag();
    if (tag == "!" || tag == "tag:yaml.org,2002:str")
        return text;  // quoted or explicitly a string
    for (const auto& rule : scalarRules()) {
        if (std::regex_match(text, rule.pattern))
            return rule.convert(text);
    }
    return text;
}

// yaml-cpp passes any bytes through; JSON text is UTF-8 (nlohmann's dump()
// throws on anything else and valijson's length checks read out of bounds
// on it -- found by tests/fuzz/fuzz_specparser).
Status checkUtf8(const YAML::Node& node)
{
    const std::string& text = node.Scalar();
    if (QByteArrayView(text.data(), qsizetype(text.size())).isValidUtf8())
        return Status::ok();
    const auto mark = node.Mark();
    return Status::invalidArgument("malformed_yaml", "YAML scalar is not valid UTF-8 (line " +
                                                         std::to_string(mark.line + 1) + ", column " +
                                                         std::to_string(mark.column + 1) + ")");
}

struct YamlConverter {
    const DocumentLimits& limits;
    std::size_t nodes = 0;

    Status convert(const YAML::Node& node, int depth, json& out)
    {
        if (++nodes > limits.maxNodes)
            return Status::tooLarge("yaml_too_complex",
                                    "YAML document expands to more than " + std::to_string(limits.maxNodes) +
                                        " nodes (aliases counted as copies); refusing to expand it");
        switch (node.Type()) {
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined: out = nullptr; return Status::ok();
        case YAML::NodeType::Scalar:
            if (Status s = checkUtf8(node); !s)
                return s;
            out = resolveScalar(node);
            return Status::ok();
        case YAML::NodeType::Sequence: return convertSequence(node, depth + 1, out);
        case YAML::NodeType::Map: return convertMap(node, depth + 1, out);
        }
        return Status::ok();
    }

    Status convertSequence(const YAML::Node& node, int depth, json& out)
    {
        if (depth > limits.maxDepth)
            return tooDeep(limits.maxDepth);
        out = json::array();
        for (const auto& item : node) {
            json value;
            if (Status s = convert(item, depth, value); !s)
                return s;
            out.push_back(std::move(value));
        }
        return Status::ok();
    }

    Status convertMap(const YAML::Node& node, int depth, json& out)
    {
        if (depth > limits.maxDepth)
            return tooDeep(limits.maxDepth);
        out = json::object();
        for (const auto& entry : node) {
            if (!entry.first.IsScalar()) {
                const auto mark = entry.first.Mark();
                return Status::invalidArgument("malformed_yaml", "mapping keys must be scalars (line " +
                                                                     std::to_string(mark.line + 1) + ", column " +
                                                                     std::to_string(mark.column + 1) + ")");
            }
            if (Status s = checkUtf8(entry.first); !s)
                return s;
            json value;
            if (Status s = convert(entry.second, depth, value); !s)
                return s;
            out[entry.first.Scalar()] = std::move(value);
        }
        return Status::ok();
    }
};

// yaml-cpp 0.7 (Debian 12) never ends YAML::LoadAll() on a stream with a
// ',' at document level (e.g. the body ","): the parser reports an empty
// document without consuming the token, forever, building a node each time
// (found by tests/fuzz/fuzz_specparser). This event-only first pass stops
// at the first document that starts where the previous one did.
class DocumentProgress : public YAML::EventHandler {
public:
    void OnDocumentStart(const YAML::Mark& mark) override
    {
        stuck = m_started && mark.pos == at.pos;
        m_started = true;
        at = mark;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}

    bool stuck = false;
    YAML::Mark at = YAML::Mark::null_mark();  // start of the last document

private:
    bool m_started = false;
};

// Throws what YAML::LoadAll() would throw; a stuck stream is malformed.
Status checkDocumentsEnd(const std::string& text)
{
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentProgress progress;
    std::size_t documents = 0;
    while (parser.HandleNextDocument(progress)) {
        // Every real document consumes at least one byte.
        if (progress.stuck || ++documents > text.size() + 1)
            return Status::invalidArgument("malformed_yaml", "YAML unexpected token at line " +
                                                                 std::to_string(progress.at.line + 1) + ", column " +
                                                                 std::to_string(progress.at.column + 1));
    }
    return Status::ok();
}

Status yamlError(const YAML::Exception& e, const DocumentLimits& limits)
{
    if (dynamic_cast<const YAML::DeepRecursion*>(&e))
        return tooDeep(limits.maxDepth);
    return Status::invalidArgument("malformed_yaml", std::string("YAML ") + e.what());
}

}  // namespace

Result<json> parseJsonDocument(std::string_view text, const DocumentLimits& limits)
{
    if (Status s = checkSize(text, limits); !s)
        return s;
    try {
        JsonPrecheck check(limits.maxDepth);
        if (!json::sax_parse(text.begin(), text.end(), &check))
            return check.status.isOk() ? Status::invalidArgument("malformed_json", "malformed JSON") : check.status;
        json doc = json::parse(text.begin(), text.end(), nullptr, false);
        if (doc.is_discarded())
            return Status::invalidArgument("malformed_json", "malformed JSON");
        return doc;
    } catch (const std::exception& e) {
        return Status::invalidArgument("malformed_json", e.what());
    }
}

Result<std::vector<json>> parseYamlDocuments(std::string_view text, const DocumentLimits& limits)
{
    if (Status s = checkSize(text, limits); !s)
        return s;
    try {
        const std::string input(text);
        if (Status s = checkDocumentsEnd(input); !s)
            return s;
        const std::vector<YAML::Node> nodes = YAML::LoadAll(input);
        YamlConverter converter{limits};
        std::vector<json> docs;
        for (const auto& node : nodes) {
            json out;
            if (Status s = converter.convert(node, 0, out); !s)
                return s;
            docs.push_back(std::move(out));
        }
        return docs;
    } catch (const YAML::Exception& e) {
        return yamlError(e, limits);
    } catch (const std::exception& e) {
        return Status::invalidArgument("malformed_yaml", e.what());
    }
}

Result<json> parseYamlDocument(std::string_view text, const DocumentLimits& limits)
{
    Result<std::vector<json>> docs = parseYamlDocuments(text, limits);
    if (!docs)
        return docs.status();
    if (docs->size() > 1)
        return Status::invalidArgument("malformed_yaml",
                                       "expected one YAML document, got " + std::to_string(docs->size()));
    return docs->empty() ? json(nullptr) : std::move(docs->front());
}

bool isYamlContentType(std::string_view contentType)
{
    std::string type(contentType.substr(0, contentType.find(';')));
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    type.erase(std::remove(type.begin(), type.end(), ' '), type.end());
    static const std::array<std::string_view, 4> yamlTypes = {"application/yaml", "application/x-yaml", "text/yaml",
                                                              "text/x-yaml"};
    return std::find(yamlTypes.begin(), yamlTypes.end(), type) != yamlTypes.end();
}

Result<json> parseDocument(std::string_view text, std::string_view contentType, const DocumentLimits& limits)
{
    return isYamlContentType(contentType) ? parseYamlDocument(text, limits) : parseJsonDocument(text, limits);
}

namespace {

std::vector<std::string> jsonKeysAt(std::string_view text, const std::vector<std::string>& path)
{
    const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(text.begin(), text.end(), nullptr, false);
    const nlohmann::ordered_json* node = &doc;
    for (const std::string& key : path) {
        if (!node->is_object() || !node->contains(key))
            return {};
        node = &(*node)[key];
    }
    std::vector<std::string> keys;
    if (node->is_object())
        for (const auto& item : node->items())
            keys.push_back(item.key());
    return keys;
}

std::vector<std::string> yamlKeysAt(std::string_view text, const std::vector<std::string>& path)
{
    try {
        YAML::Node node = YAML::Load(std::string(text));
        for (const std::string& key : path) {
            if (!node.IsMap() || !node[key])
                return {};
            node = node[key];
        }
        std::vector<std::string> keys;
        if (node.IsMap())
            for (const auto& item : node)
                keys.push_back(item.first.as<std::string>());
        return keys;
    } catch (const std::exception&) {
        return {};
    }
}

}  // namespace

std::vector<std::string> mappingKeysInOrder(std::string_view text, std::string_view contentType,
                                            const std::vector<std::string>& path)
{
    return isYamlContentType(contentType) ? yamlKeysAt(text, path) : jsonKeysAt(text, path);
}

}  // namespace paas
