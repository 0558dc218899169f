#include "engine/pipeline/deliverydiff.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace paas {

namespace {

struct Edit {
    char op;  // ' ', '-', '+'
    std::string line;
};

std::vector<std::string> splitLines(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// LCS over a[lo..ahi) x b[lo..bhi) after the common prefix/suffix is trimmed.
void lcsEdits(const std::vector<std::string>& a, const std::vector<std::string>& b, std::vector<Edit>& out)
{
    size_t prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
        ++prefix;
    size_t suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
           a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
        ++suffix;
    for (size_t i = 0; i < prefix; ++i)
        out.push_back({' ', a[i]});
    const size_t n = a.size() - prefix - suffix, m = b.size() - prefix - suffix;
    if (n > DeliveryDiff::kMaxLines || m > DeliveryDiff::kMaxLines) {
        for (size_t i = 0; i < n; ++i)
            out.push_back({'-', a[prefix + i]});
        for (size_t j = 0; j < m; ++j)
            out.push_back({'+', b[prefix + j]});
    } else {
        // len[i][j] = LCS length of a[prefix+i..] and b[prefix+j..].
        std::vector<uint32_t> len((n + 1) * (m + 1), 0);
        auto at = [&](size_t i, size_t j) -> uint32_t& { return len[i * (m + 1) + j]; };
        for (size_t i = n; i-- > 0;)
            for (size_t j = m; j-- > 0;)
                at(i, j) = a[prefix + i] == b[prefix + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
        size_t i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a[prefix + i] == b[prefix + j]) {
                out.push_back({' ', a[prefix + i]});
                ++i, ++j;
            } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
                out.push_back({'-', a[prefix + i++]});  // deletions first, as diff -u
            } else {
                out.push_back({'+', b[prefix + j++]});
            }
        }
    }
    for (size_t i = a.size() - suffix; i < a.size(); ++i)
        out.push_back({' ', a[i]});
}

std::string rangeOf(size_t start, size_t count)
{
    if (count == 1)
        return std::to_string(start + 1);
    return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

void emitHunk(const std::vector<Edit>& edits, size_t s, size_t e, size_t oldStart, size_t newStart, std::string& out)
{
    size_t oldCount = 0, newCount = 0;
    for (size_t k = s; k < e; ++k) {
        oldCount += edits[k].op != '+';
        newCount += edits[k].op != '-';
    }
    out += "@@ -" + rangeOf(oldStart, oldCount) + " +" + rangeOf(newStart, newCount) + " @@\n";
    for (size_t k = s; k < e; ++k)
        out += edits[k].op + edits[k].line + "\n";
}

}  // namespace

std::string DeliveryDiff::unified(const std::string& before, const std::string& after, const std::string& labelBefore,
                                  const std::string& labelAfter, int context)
{
    std::vector<Edit> edits;
    lcsEdits(splitLines(before), splitLines(after), edits);
    std::vector<size_t> changes;
    for (size_t k = 0; k < edits.size(); ++k)
        if (edits[k].op != ' ')
            changes.push_back(k);
    if (changes.empty())
        return {};
    const size_t ctx = static_cast<size_t>(std::max(0, context));
    std::string out = "--- " + labelBefore + "\n+++ " + labelAfter + "\n";
    // Old/new line index before each edit.
    std::vector<size_t> oldAt(edits.size() + 1, 0), newAt(edits.size() + 1, 0);
    for (size_t k = 0; k < edits.size(); ++k) {
        oldAt[k + 1] = oldAt[k] + (edits[k].op != '+');
        newAt[k + 1] = newAt[k] + (edits[k].op != '-');
    }
    size_t c = 0;
    while (c < changes.size()) {
        const size_t s = changes[c] >= ctx ? changes[c] - ctx : 0;
        size_t last = changes[c];
        while (c + 1 < changes.size() && changes[c + 1] - last <= 2 * ctx + 1)
            last = changes[++c];
        ++c;
        const size_t e = std::min(edits.size(), last + ctx + 1);
        emitHunk(edits, s, e, oldAt[s], newAt[s], out);
    }
    return out;
}

nlohmann::json DeliveryDiff::objectChanges(const std::vector<nlohmann::json>& before,
                                           const std::vector<nlohmann::json>& after)
{
    auto keyOf = [](const nlohmann::json& o) {
        const nlohmann::json meta = o.value("metadata", nlohmann::json::object());
        return std::make_pair(o.value("kind", std::string()),
                              meta.is_object() ? meta.value("name", std::string()) : "");
    };
    std::vector<std::pair<std::string, std::string>> order;
    std::map<std::pair<std::string, std::string>, std::pair<nlohmann::json, nlohmann::json>> byKey;
    for (const auto& o : before) {
        if (!o.is_object())
            continue;
        if (!byKey.count(keyOf(o)))
            order.push_back(keyOf(o));
        byKey[keyOf(o)].first = o;
    }
    for (const auto& o : after) {
        if (!o.is_object())
            continue;
        if (!byKey.count(keyOf(o)))
            order.push_back(keyOf(o));
        byKey[keyOf(o)].second = o;
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& key : order) {
        const auto& [was, now] = byKey[key];
        if (was == now)
            continue;
        nlohmann::json entry{{"kind", key.first}, {"name", key.second}, {"fields", nlohmann::json::array()}};
        entry["change"] = was.is_null() ? "added" : now.is_null() ? "removed" : "changed";
        if (!was.is_null() && !now.is_null())
            for (const auto& patch : nlohmann::json::diff(was, now)) {
                nlohmann::json field{{"op", patch["op"]}, {"path", patch["path"]}};
                const nlohmann::json::json_pointer ptr(patch["path"].get<std::string>());
                if (patch["op"] != "add" && was.contains(ptr))
                    field["from"] = was.at(ptr);
                if (patch.contains("value"))
                    field["to"] = patch["value"];
                entry["fields"].push_back(field);
            }
        out.push_back(entry);
    }
    return out;
}

}  // namespace paas
