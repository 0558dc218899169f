#include "engine/pipeline/records.h"

#include <algorithm>

#include <QDateTime>

namespace paas {

namespace {

std::string str(const nlohmann::json& j, const char* key)
{
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

nlohmann::json objectOr(const nlohmann::json& j, const char* key)
{
    auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : nlohmann::json::object();
}

std::vector<std::string> strings(const nlohmann::json& j, const char* key)
{
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it != j.end() && it->is_array())
        for (const auto& v : *it)
            if (v.is_string())
                out.push_back(v.get<std::string>());
    return out;
}

}  // namespace

std::string nowRfc3339()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString();
}

bool parseStored(const std::string& text, nlohmann::json& out)
{
    out = nlohmann::json::parse(text, nullptr, false);
    return !out.is_discarded() && out.is_object();
}

StepRecord* OpRecord::step(const std::string& name)
{
    for (StepRecord& s : steps)
        if (s.name == name)
            return &s;
    return nullptr;
}

const StepRecord* OpRecord::step(const std::string& name) const
{
    return const_cast<OpRecord*>(this)->step(name);
}

int OpRecord::nextStepIndex() const
{
    for (size_t i = 0; i < steps.size(); ++i)
        if (steps[i].status != opstatus::kCompleted && steps[i].status != opstatus::kSkipped)
            return static_cast<int>(i);
    return -1;
}

nlohmann::json OpRecord::summary() const
{
    nlohmann::json j = toJson(*this);
    j.erase("steps");
    j.erase("params");
    return j;
}

nlohmann::json toApiJson(const OpRecord& op, bool withSteps)
{
    nlohmann::json j = withSteps ? toJson(op) : op.summary();
    j.erase("params");
    j["links"] = {{"self", "/api/ops/" + op.id}, {"events", "/api/ops/" + op.id + "/events"}};
    return j;
}

nlohmann::json toJson(const StepRecord& s)
{
    return {{"name", s.name},
            {"status", s.status},
            {"started_at", s.startedAt.empty() ? nlohmann::json() : nlohmann::json(s.startedAt)},
            {"finished_at", s.finishedAt.empty() ? nlohmann::json() : nlohmann::json(s.finishedAt)},
            {"message", s.message},
            {"outputs", s.outputs},
            {"attempt", s.attempt},
            {"instance", s.instance.empty() ? nlohmann::json() : nlohmann::json(s.instance)}};
}

nlohmann::json toJson(const OpRecord& op)
{
    auto orNull = [](const std::string& v) { return v.empty() ? nlohmann::json() : nlohmann::json(v); };
    nlohmann::json steps = nlohmann::json::array();
    for (const StepRecord& s : op.steps)
        steps.push_back(toJson(s));
    nlohmann::json j{
        {"id", op.id},
        {"kind", op.kind},
        {"project_id", op.projectId},
        {"status", op.status},
        {"created_at", op.createdAt},
        {"started_at", orNull(op.startedAt)},
        {"finished_at", orNull(op.finishedAt)},
        {"trigger", op.trigger},
        {"params", op.params},
        {"error", op.error.code.empty() ? nlohmann::json()
                                        : nlohmann::json{{"code", op.error.code}, {"message", op.error.message}}},
        {"steps", steps},
        {"cancel_requested_at", orNull(op.cancelRequestedAt)}};
    if (!op.classification.empty())
        j["classification"] = op.classification;
    return j;
}

OpRecord opFromJson(const nlohmann::json& j)
{
    OpRecord op;
    op.id = str(j, "id");
    op.kind = str(j, "kind");
    op.projectId = str(j, "project_id");
    op.status = str(j, "status");
    op.createdAt = str(j, "created_at");
    op.startedAt = str(j, "started_at");
    op.finishedAt = str(j, "finished_at");
    op.trigger = objectOr(j, "trigger");
    op.params = objectOr(j, "params");
    op.classification = str(j, "classification");
    op.cancelRequestedAt = str(j, "cancel_requested_at");
    const nlohmann::json err = objectOr(j, "error");
    op.error = {str(err, "code"), str(err, "message")};
    if (auto it = j.find("steps"); it != j.end() && it->is_array()) {
        for (const auto& s : *it) {
            StepRecord step;
            step.name = str(s, "name");
            step.status = str(s, "status");
            step.startedAt = str(s, "started_at");
            step.finishedAt = str(s, "finished_at");
            step.message = str(s, "message");
            step.outputs = objectOr(s, "outputs");
            step.attempt = s.value("attempt", 0);
            step.instance = str(s, "instance");
            op.steps.push_back(std::move(step));
        }
    }
    return op;
}

nlohmann::json toJson(const ReleaseRef& r)
{
    return {{"number", r.number}, {"image", r.image}, {"commit", r.commit},   {"digest", r.digest},
            {"op_id", r.opId},    {"at", r.at},       {"trigger", r.trigger}, {"rendered_digest", r.renderedDigest}};
}

ReleaseRef releaseFromJson(const nlohmann::json& j)
{
    return {j.value("number", 0), str(j, "image"), str(j, "commit"),  str(j, "digest"),
            str(j, "op_id"),      str(j, "at"),    str(j, "trigger"), str(j, "rendered_digest")};
}

nlohmann::json toJson(const ProjectRecord& p, bool stored)
{
    nlohmann::json j{{"id", p.id},
                     {"name", p.name},
                     {"spec", p.spec},
                     {"environment_order", p.environmentOrder},
                     {"status", p.status},
                     {"created_at", p.createdAt},
                     {"updated_at", p.updatedAt},
                     {"last_op", p.lastOp.is_null() ? nlohmann::json() : p.lastOp},
                     {"image", p.image.is_null() ? nlohmann::json() : p.image},
                     {"environments", p.environments},
                     {"webhook_secret_set", !p.webhookSecret.empty()}};
    if (stored) {
        j["webhook_secret"] = p.webhookSecret;
        j["last_seen_commit"] = p.lastSeenCommit;
    } else {
        j["queue"] = p.queue;
        j["queue_length"] = std::max(p.queueLength, p.queue.size());
    }
    return j;
}

ProjectRecord projectFromJson(const nlohmann::json& j)
{
    ProjectRecord p;
    p.id = str(j, "id");
    p.name = str(j, "name");
    p.spec = objectOr(j, "spec");
    p.environmentOrder = strings(j, "environment_order");
    p.status = str(j, "status");
    p.createdAt = str(j, "created_at");
    p.updatedAt = str(j, "updated_at");
    p.lastOp = j.contains("last_op") ? j["last_op"] : nlohmann::json();
    p.queue = strings(j, "queue");
    p.image = j.contains("image") ? j["image"] : nlohmann::json();
    p.environments = objectOr(j, "environments");
    p.webhookSecret = str(j, "webhook_secret");
    p.lastSeenCommit = str(j, "last_seen_commit");
    return p;
}

}  // namespace paas
