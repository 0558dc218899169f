#include "engine/pipeline/deliverydiff.h"

#include "engine/git/textdiff.h"

#include <map>

namespace paas {

Result<std::string> DeliveryDiff::unified(const std::string& before, const std::string& after,
                                          const std::string& labelBefore, const std::string& labelAfter, int context)
{
    return TextDiff::unified(before, after, labelBefore, labelAfter, context);
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
