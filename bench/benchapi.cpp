#include "bench/benchapi.h"

#include <QUrl>

namespace paas::bench {

using nlohmann::json;

HttpRequest createRequest(const std::string& name)
{
    const json spec{{"apiVersion", "platform.example.com/v2"},
                    {"kind", "App"},
                    {"name", name},
                    {"runtime", "static"},
                    {"environments", {{"dev", json::object()}}}};
    return {"POST", "/api/events/registration", json{{"action", "create"}, {"spec", spec}}.dump()};
}

HttpRequest hookRequest(const std::string& projectId, const std::string& commit)
{
    return {"POST", "/api/webhooks/source",
            json{{"project_id", projectId}, {"repo", "source"}, {"branch", "main"}, {"commit", commit}}.dump()};
}

Accepted acceptedOf(const HttpResult& result)
{
    if (result.status != 202)
        return {};
    const json body = json::parse(result.body, nullptr, false);
    if (!body.is_object() || !body.contains("op") || !body["op"].is_object())
        return {};
    return {body["op"].value("id", ""), body["op"].value("project_id", "")};
}

bool isDuplicate(const HttpResult& result)
{
    if (result.status != 200)
        return false;
    const json body = json::parse(result.body, nullptr, false);
    return body.is_object() && body.value("reason", "") == "ignored: commit already processed";
}

std::string createProject(BenchRun& run, const std::string& name)
{
    HttpLoad api(run.ctx.port(), 1);
    const HttpResult r = api.send(createRequest(name));
    const Accepted a = acceptedOf(r);
    if (a.opId.empty()) {
        BenchContext::note(
            QString::fromStdString("registration of " + name + " refused: " + std::to_string(r.status) + " " + r.body));
        return {};
    }
    if (run.watcher.waitFor(a.opId, 120000).status != "completed") {
        BenchContext::note(QString::fromStdString("create op of " + name + " did not complete"));
        return {};
    }
    return a.projectId;
}

namespace {

const json* itemsOf(const json& page, const char* key)
{
    if (page.is_array())
        return &page;
    if (page.is_object() && page.contains(key) && page[key].is_array())
        return &page[key];
    return nullptr;
}

}  // namespace

int countOps(BenchContext& ctx, const std::string& projectId, const std::string& kind)
{
    constexpr int kPage = 50;
    int count = 0, offset = 0;
    std::string cursor;
    for (int pages = 0; pages < 100000; ++pages) {
        const std::string after = cursor.empty() ? "&offset=" + std::to_string(offset) : "&cursor=" + cursor;
        const json page = ctx.get("/api/projects/" + projectId + "/ops?limit=" + std::to_string(kPage) + after);
        const json* items = itemsOf(page, "ops");
        if (!items)
            return -1;
        for (const json& op : *items)
            count += op.value("kind", "") == kind;
        if (page.is_object() && page.contains("next_cursor")) {
            if (!page["next_cursor"].is_string() || page["next_cursor"].get<std::string>().empty())
                break;
            cursor =
                QUrl::toPercentEncoding(QString::fromStdString(page["next_cursor"].get<std::string>())).toStdString();
            continue;
        }
        if (static_cast<int>(items->size()) < kPage)
            break;
        offset += static_cast<int>(items->size());
    }
    return count;
}

int projectCount(BenchContext& ctx)
{
    const json all = ctx.get("/api/projects");
    const json* items = itemsOf(all, "projects");
    return items ? static_cast<int>(items->size()) : -1;
}

}  // namespace paas::bench
