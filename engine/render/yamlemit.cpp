#include "engine/render/yamlemit.h"

#include <array>
#include <regex>

#include <yaml-cpp/yaml.h>

namespace paas {

namespace {

using ojson = nlohmann::ordered_json;

// Plain scalars that YAML 1.1 (go-yaml, kubectl) or 1.2 would resolve to a
// non-string: null, booleans, anything that starts like a number, .inf/.nan.
const std::array<std::regex, 4>& ambiguousScalars()
{
    static const std::array<std::regex, 4> patterns = {
        std::regex("^(~|null|Null|NULL)$"),
        std::regex("^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
        std::regex("^[-+]?\\.?[0-9]"),
        std::regex("^[-+]?\\.(inf|Inf|INF|nan|NaN|NAN)$"),
    };
    return patterns;
}

void emitValue(YAML::Emitter& out, const ojson& value);

void emitString(YAML::Emitter& out, const std::string& text)
{
    const bool multiLine = text.find('\n') != std::string::npos;
    // yaml-cpp writes "|" (clip, no indentation indicator): exact only for
    // text ending in exactly one newline and not starting with a space.
    const bool literalSafe =
        multiLine && text.back() == '\n' && text.front() != ' ' && (text.size() < 2 || text[text.size() - 2] != '\n');
    if (literalSafe)
        out << YAML::Literal << text;
    else if (multiLine)
        out << YAML::DoubleQuoted << text;
    else if (yamlNeedsQuotes(text))
        out << YAML::DoubleQuoted << text;
    else
        out << text;
}

void emitObject(YAML::Emitter& out, const ojson& value)
{
    if (value.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
    }
    out << YAML::BeginMap;
    for (const auto& [key, item] : value.items()) {
        out << YAML::Key;
        emitString(out, key);
        out << YAML::Value;
        emitValue(out, item);
    }
    out << YAML::EndMap;
}

void emitArray(YAML::Emitter& out, const ojson& value)
{
    if (value.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
    }
    out << YAML::BeginSeq;
    for (const auto& item : value)
        emitValue(out, item);
    out << YAML::EndSeq;
}

void emitValue(YAML::Emitter& out, const ojson& value)
{
    switch (value.type()) {
    case ojson::value_t::object: emitObject(out, value); break;
    case ojson::value_t::array: emitArray(out, value); break;
    case ojson::value_t::string: emitString(out, value.get_ref<const std::string&>()); break;
    case ojson::value_t::boolean: out << YAML::TrueFalseBool << value.get<bool>(); break;
    case ojson::value_t::number_integer: out << value.get<std::int64_t>(); break;
    case ojson::value_t::number_unsigned: out << value.get<std::uint64_t>(); break;
    case ojson::value_t::number_float: out << value.get<double>(); break;
    default: out << YAML::Null; break;
    }
}

}  // namespace

bool yamlNeedsQuotes(const std::string& text)
{
    if (text.empty())
        return true;
    for (const auto& pattern : ambiguousScalars()) {
        if (std::regex_search(text, pattern))
            return true;
    }
    return false;
}

std::string emitYaml(const ojson& doc)
{
    YAML::Emitter out;
    out.SetIndent(2);
    out.SetSeqFormat(YAML::Block);
    out.SetMapFormat(YAML::Block);
    emitValue(out, doc);
    std::string text = out.c_str();
    if (!text.empty() && text.back() != '\n')
        text.push_back('\n');
    return text;
}

std::string emitYamlDocuments(const std::vector<ojson>& docs)
{
    std::string text;
    for (const auto& doc : docs) {
        if (!text.empty())
            text += "---\n";
        text += emitYaml(doc);
    }
    return text;
}

}  // namespace paas
