// Platform::submitDelivery: acceptance and guardrails of the delivery pathway.
//
// Order of checks (the first failing one answers):
//   400 invalid_kind / missing_project_id / missing_environment /
//       unknown_environment (names it) / deploy_dev_only / not_production /
//       invalid_release; 404 project_not_found / release_not_found;
//   409 no_image (deploy), same_environment, nothing_deployed (source, or the
//       rollback target), no_previous_release, already_current,
//       delivery_in_progress (an unfinished delivery op of the same project
//       and target environment is queued or running).
// Submissions are serialized in-process, and the guard is also one KV key
// per environment (claimDeliveryGuard), so the in-progress guardrail cannot
// be raced by two concurrent requests, on one instance or several.
#include "engine/pipeline/platform.h"

#include "engine/model/specparser.h"
#include "engine/pipeline/deliverystate.h"
#include "engine/pipeline/environmentrunner.h"
#include "engine/pipeline/orchestrator.h"
#include "engine/pipeline/pipelinestore.h"
#include "engine/pipeline/stateview.h"

#include "engine/store/backend.h"

#include <QDebug>

namespace paas {

namespace {

std::mutex g_deliveryMutex;

struct Target {
    std::string kind;
    std::string env;
    std::string fromEnv;
    int release = 0;
    std::string classification;
};

Status checkPromotion(const DeliveryRequest& req, const ProjectSpec& spec, const ProjectRecord& project, Target& t)
{
    Result<std::string> from = DeliveryState::resolveEnv(spec, req.fromEnv, "/from_env");
    if (!from)
        return from.status();
    Result<std::string> to = DeliveryState::resolveEnv(spec, req.toEnv, "/to_env");
    if (!to)
        return to.status();
    const bool production = isProductionEnv(*to);
    if (req.kind == delivery::kRelease && !production)
        return Status::invalidArgument(
            "not_production",
            "release targets production only ('" + *to + "' is not prod/production); use /api/events/promotion",
            {{"/to_env", "must be prod or production"}});
    if (*from == *to)
        return Status::conflict("same_environment", "from_env and to_env are both '" + *to + "'");
    if (DeliveryState::current(project, *from).is_null())
        return Status::conflict("nothing_deployed", "environment '" + *from + "' has nothing deployed to promote");
    t.kind = production ? delivery::kRelease : delivery::kPromote;
    t.classification = t.kind;
    t.fromEnv = *from;
    t.env = *to;
    return Status::ok();
}

Status checkDeploy(const DeliveryRequest& req, const ProjectSpec& spec, const ProjectRecord& project, Target& t)
{
    Result<std::string> env =
        DeliveryState::resolveEnv(spec, req.environment.empty() ? "dev" : req.environment, "/environment");
    if (!env)
        return env.status();
    if (req.automatic && isProductionEnv(*env))
        return Status::invalidArgument("deploy_dev_only", "production is never deployed automatically");
    if (*env != "dev" && !req.automatic)
        return Status::invalidArgument("deploy_dev_only",
                                       "deployment targets dev only; move a build to '" + *env +
                                           "' with POST /api/events/promotion" +
                                           (isProductionEnv(*env) ? " or POST /api/events/release" : ""),
                                       {{"/environment", "must be dev"}});
    if (!project.image.is_object() || project.image.value("ref", "").empty())
        return Status::conflict("no_image", "project '" + project.id + "' has no built image yet");
    t.kind = delivery::kDeploy;
    t.env = *env;
    return Status::ok();
}

Status checkRollback(const DeliveryRequest& req, const ProjectSpec& spec, const ProjectRecord& project,
                     PipelineStore& store, Target& t)
{
    Result<std::string> env = DeliveryState::resolveEnv(spec, req.environment, "/environment");
    if (!env)
        return env.status();
    if (req.release < 0)
        return Status::invalidArgument("invalid_release", "release must be a positive integer",
                                       {{"/release", "must be >= 1"}});
    Result<std::vector<ReleaseRef>> history = store.releases(project.id, *env);
    if (!history)
        return history.status();
    const nlohmann::json current = DeliveryState::current(project, *env);
    if (history->empty() || current.is_null())
        return Status::conflict("nothing_deployed", "environment '" + *env + "' has nothing deployed to roll back");
    int wanted = req.release;
    if (wanted == 0) {
        if (history->size() < 2)
            return Status::conflict("no_previous_release", "environment '" + *env + "' has only one release");
        wanted = (*history)[history->size() - 2].number;
    } else if (wanted > static_cast<int>(history->size())) {
        return Status::notFound("release_not_found",
                                "environment '" + *env + "' has no release " + std::to_string(wanted));
    }
    if (wanted == current.value("number", 0))
        return Status::conflict("already_current",
                                "release " + std::to_string(wanted) + " is already current in '" + *env + "'");
    t.kind = delivery::kRollback;
    t.env = *env;
    t.release = wanted;
    return Status::ok();
}

// The project (from memory) and its spec, unless it is being deleted.
struct Deliverable {
    ProjectRecord project;
    ProjectSpec spec;
};

Result<Deliverable> deliverable(const StateView& view, const std::string& projectId)
{
    Result<ProjectRecord> project = view.project(projectId);
    if (!project)
        return project.status();
    if (project->status == "deleting" || project->status == "deleted")
        return Status::conflict("project_deleting", "project '" + project->id + "' is being deleted");
    Result<ProjectSpec> spec = SpecParser::parseSpec(project->spec, "/spec", project->environmentOrder);
    if (!spec)
        return spec.status();
    return Deliverable{std::move(*project), std::move(*spec)};
}

// 409 when an unfinished delivery op of the project targets the same env
// (from memory: unfinished ops are always held by the view).
Status checkNotBusy(const StateView& view, const ProjectRecord& project, const std::string& env)
{
    for (const OpRecord& op : view.unfinishedOps(project.id)) {
        if (!DeliveryState::isDeliveryKind(op.kind) && op.kind != "stop" && op.kind != "start")
            continue;
        if (op.params.is_object() && op.params.value("environment", "") == env)
            return Status::conflict("delivery_in_progress", "another delivery op (" + op.id + ", " + op.kind +
                                                                ") for environment '" + env + "' is still " +
                                                                op.status);
    }
    return Status::ok();
}

}  // namespace

Result<Submission> Platform::submitDelivery(const DeliveryRequest& req)
{
    if (!DeliveryState::isDeliveryKind(req.kind))
        return Status::invalidArgument("invalid_kind",
                                       "delivery kind '" + req.kind + "' is not deploy, promote, release or rollback");
    if (req.projectId.empty())
        return Status::invalidArgument("missing_project_id", "project_id is required", {{"/project_id", "required"}});
    std::lock_guard lock(g_deliveryMutex);
    Result<Deliverable> loaded = deliverable(*m_view, req.projectId);
    if (!loaded)
        return loaded.status();
    const ProjectRecord* project = &loaded->project;
    const ProjectSpec* spec = &loaded->spec;
    Target t;
    Status checked = req.kind == delivery::kDeploy     ? checkDeploy(req, *spec, *project, t)
                     : req.kind == delivery::kRollback ? checkRollback(req, *spec, *project, *m_store, t)
                                                       : checkPromotion(req, *spec, *project, t);
    if (!checked)
        return checked;
    if (Status s = checkNotBusy(*m_view, *project, t.env); !s)
        return s;
    std::lock_guard projectLock(lockOf(req.projectId));
    OpRecord op = m_orchestrator->newOp(t.kind, req.projectId);
    if (Status s = claimDeliveryGuard(req.projectId, t.env, op.id); !s)
        return s;
    op.trigger = {{"source", req.source}, {"endpoint", req.kind}};
    op.params = {{"environment", t.env}};
    if (!t.fromEnv.empty()) {
        op.params["from_env"] = t.fromEnv;
        op.params["to_env"] = t.env;
    }
    if (t.release > 0)
        op.params["release"] = t.release;
    op.classification = t.classification;
    return enqueueGuarded(std::move(op), t.env);
}

Result<Submission> Platform::submitRunControl(const RunControlRequest& req)
{
    if (req.action != "stop" && req.action != "start")
        return Status::invalidArgument("invalid_action", "action must be stop or start");
    std::lock_guard lock(g_deliveryMutex);
    Result<Deliverable> loaded = deliverable(*m_view, req.projectId);
    if (!loaded)
        return loaded.status();
    const ProjectRecord* project = &loaded->project;
    const ProjectSpec* spec = &loaded->spec;
    Result<std::string> env = DeliveryState::resolveEnv(*spec, req.environment, "/environment");
    if (!env)
        return env.status();
    if (m_runner->mode(*spec->environment(*env)) != "docker")
        return Status::conflict("run_disabled",
                                "environment '" + *env + "' does not run on the Docker engine (its run mode is none)");
    if (Status s = checkNotBusy(*m_view, *project, *env); !s)
        return s;
    std::lock_guard projectLock(lockOf(req.projectId));
    OpRecord op = m_orchestrator->newOp(req.action, req.projectId);
    if (Status s = claimDeliveryGuard(req.projectId, *env, op.id); !s)
        return s;
    op.trigger = {{"source", "api"}, {"endpoint", req.action}};
    op.params = {{"environment", *env}};
    return enqueueGuarded(std::move(op), *env);
}

Status Platform::claimDeliveryGuard(const std::string& projectId, const std::string& env, const std::string& opId)
{
    // Instances sharing the cluster each check their memory first
    // (checkNotBusy); this create-or-CAS on one key per environment makes the
    // guard hold across them. The key names the op holding it; a holder that
    // ended (or whose acceptance failed) is replaced by CAS.
    KvStore& guards = m_backend.guards();
    const std::string key = "delivery." + projectId + "." + env;
    const std::string value = nlohmann::json{{"op_id", opId}, {"at", nowRfc3339()}}.dump();
    const auto busy = [&](const std::string& holder) {
        return Status::conflict("delivery_in_progress", "another delivery op (" + holder + ") for environment '" + env +
                                                            "' is still queued or running");
    };
    for (int attempt = 0; attempt < 4; ++attempt) {
        Result<uint64_t> created = guards.create(key, value);
        if (created || created.status().reason() != "key_exists")
            return created.status();
        Result<KvEntry> current = guards.get(key);
        if (!current && current.status().code() == Status::Code::NotFound)
            continue;
        if (!current)
            return current.status();
        // The holder's op, from JetStream (it may be another instance's):
        // waited for while its acceptor is between the guard and the op
        // record; none when that acceptance failed (then the key is taken).
        Result<std::optional<OpRecord>> held = m_store->heldOpOf(current->value);
        if (!held)
            return held.status();
        if (*held && !(*held)->terminal())
            return busy((*held)->id);
        Result<uint64_t> taken = guards.update(key, value, current->revision);
        if (taken || taken.status().reason() != "revision_conflict")
            return taken.status();
    }
    return busy("?");
}

Result<Submission> Platform::enqueueGuarded(OpRecord op, const std::string& env)
{
    const std::string key = "delivery." + op.projectId + "." + env;
    Result<Submission> accepted = enqueue(std::move(op), nullptr);
    if (!accepted)  // nothing was accepted: the guard must not hold a retry off
        m_backend.guards().remove(key);
    return accepted;
}

void Platform::autoDeploy(const OpRecord& ci)
{
    Result<ProjectRecord> project = m_view->project(ci.projectId);
    Result<ProjectSpec> spec = project ? SpecParser::parseSpec(project->spec, "/spec", project->environmentOrder)
                                       : Result<ProjectSpec>(project.status());
    if (!spec)
        return;
    for (const EnvironmentSpec& env : spec->environments) {
        if (!env.autoDeploy || isProductionEnv(env.name))
            continue;
        DeliveryRequest req;
        req.kind = delivery::kDeploy;
        req.projectId = ci.projectId;
        req.environment = env.name;
        req.source = "auto";
        req.automatic = true;
        Result<Submission> sub = submitDelivery(req);
        qInfo().noquote() << "autoDeploy of" << QString::fromStdString(ci.projectId) << "to"
                          << QString::fromStdString(env.name) << "after ci op" << QString::fromStdString(ci.id) << ":"
                          << QString::fromStdString(sub ? "op " + sub->op.id : sub.status().message());
    }
}

}  // namespace paas
