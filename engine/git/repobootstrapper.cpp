#include "engine/git/repobootstrapper.h"

#include "engine/core/atomicfile.h"
#include "engine/git/gitrepository.h"
#include "engine/git/hookinstaller.h"
#include "engine/git/templatecatalog.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>

#include <nlohmann/json.hpp>

#include <optional>
#include <regex>

namespace paas {

namespace {

using Files = std::map<std::string, std::string>;
using MaybeText = std::optional<std::string>;

const char* const kManifestsReadme =
    "# Manifests\n\n"
    "Kubernetes manifests rendered by paas for this project. This repository is\n"
    "owned by the platform: every commit here is a `platform-sync:` commit.\n";

std::string sha256Hex(const std::string& data)
{
    return QCryptographicHash::hash(QByteArray::fromStdString(data), QCryptographicHash::Sha256).toHex().toStdString();
}

bool isSafeId(const std::string& id)
{
    static const std::regex pattern("[A-Za-z0-9._-]{1,128}");
    return std::regex_match(id, pattern) && id != "." && id != "..";
}

// Recorded hashes of what the platform last wrote. Missing or unreadable
// records count as empty, which only ever makes the update more conservative.
Files loadRecord(const QString& path)
{
    Result<QByteArray> bytes = readFile(path);
    if (!bytes)
        return {};
    const nlohmann::json doc = nlohmann::json::parse(bytes->toStdString(), nullptr, false);
    Files out;
    if (doc.is_object() && doc.contains("files") && doc["files"].is_object())
        for (const auto& [file, hash] : doc["files"].items())
            if (hash.is_string())
                out[file] = hash.get<std::string>();
    return out;
}

Status saveRecord(const QString& path, const BootstrapRequest& req, const std::string& templateUsed,
                  const Files& record)
{
    const nlohmann::json doc = {
        {"version", 1}, {"runtime", req.runtime}, {"template", templateUsed}, {"files", record}};
    return writeFileAtomic(path, doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

MaybeText readWorkingFile(const GitRepository& repo, const std::string& path)
{
    Result<QByteArray> bytes = readFile(repo.workdir() + '/' + QString::fromStdString(path));
    return bytes ? MaybeText(bytes->toStdString()) : MaybeText();
}

enum class Action { Settled, Write, Keep };

// The update rule documented in repobootstrapper.h.
Action decide(const std::string& next, const MaybeText& head, const MaybeText& recorded, const MaybeText& work)
{
    if (head && *head == next)
        return Action::Settled;
    if (!head) {
        if (recorded)
            return Action::Keep;  // the user deleted a platform file
        return (!work || *work == next) ? Action::Write : Action::Keep;
    }
    const bool untouched = recorded && sha256Hex(*head) == *recorded && work && *work == *head;
    return untouched ? Action::Write : Action::Keep;
}

struct SyncPlan {
    Files writes;
    std::vector<std::string> removals;
    std::vector<std::string> kept;
    Files record;
};

Result<MaybeText> headFile(GitRepository& repo, const std::optional<std::string>& head, const std::string& path)
{
    if (!head)
        return MaybeText();
    return repo.readFileAt(*head, path);
}

Result<SyncPlan> planSync(GitRepository& repo, const std::optional<std::string>& head, const Files& rendered,
                          const Files& previous)
{
    SyncPlan plan;
    for (const auto& [path, next] : rendered) {
        Result<MaybeText> inHead = headFile(repo, head, path);
        if (!inHead)
            return inHead.status();
        const auto rec = previous.find(path);
        const MaybeText recorded = rec == previous.end() ? MaybeText() : MaybeText(rec->second);
        const Action action = decide(next, *inHead, recorded, readWorkingFile(repo, path));
        if (action == Action::Write)
            plan.writes[path] = next;
        if (action == Action::Keep)
            plan.kept.push_back(path);
        if (action != Action::Keep)
            plan.record[path] = sha256Hex(next);
        else if (recorded)
            plan.record[path] = *recorded;
    }
    for (const auto& [path, recorded] : previous) {
        if (rendered.count(path))
            continue;
        Result<MaybeText> inHead = headFile(repo, head, path);
        if (!inHead)
            return inHead.status();
        const MaybeText work = readWorkingFile(repo, path);
        if (*inHead && sha256Hex(**inHead) == recorded && work && *work == **inHead)
            plan.removals.push_back(path);
    }
    return plan;
}

Status syncTemplate(const BootstrapRequest& req, GitRepository& repo, BootstrapOutcome& outcome)
{
    Result<std::string> branch = repo.currentBranch();
    if (!branch.isOk() || *branch != GitRepository::kMainBranch) {
        outcome.skippedReason = "not_on_main";
        return Status::ok();
    }
    outcome.templateUsed = templateFor(req.runtime);
    Result<Files> rendered = renderTemplate(
        req.runtime, {{"name", req.name}, {"project_id", req.projectId}, {"port", std::to_string(req.port)}});
    if (!rendered)
        return rendered.status();
    Result<std::string> tip = repo.branchHead();
    if (!tip.isOk() && tip.status().reason() != "unknown_branch")
        return tip.status();
    const std::optional<std::string> head = tip.isOk() ? std::optional<std::string>(*tip) : std::nullopt;
    const QString recordPath = RepoBootstrapper::templateStatePath(req.projectDir);
    Result<SyncPlan> plan = planSync(repo, head, *rendered, head ? loadRecord(recordPath) : Files());
    if (!plan)
        return plan.status();
    if (!plan->writes.empty() || !plan->removals.empty()) {
        const std::string verb = head ? "update" : "bootstrap";
        Result<std::string> sha =
            repo.commitFiles(plan->writes, "platform-sync: " + verb + " " + req.runtime + " template", plan->removals);
        if (!sha)
            return sha.status();
    }
    for (const auto& [path, data] : plan->writes)
        outcome.written.push_back(path);
    outcome.removed = plan->removals;
    outcome.keptUserEdits = plan->kept;
    return saveRecord(recordPath, req, outcome.templateUsed, plan->record);
}

Status ensureManifests(const BootstrapRequest& req, BootstrapOutcome& outcome)
{
    Result<GitRepository> repo = GitRepository::init(RepoBootstrapper::manifestsRepoPath(req.projectDir));
    if (!repo)
        return repo.status();
    Result<std::string> head = repo->branchHead();
    if (head.isOk()) {
        outcome.manifestsHead = *head;
        return Status::ok();
    }
    if (head.status().reason() != "unknown_branch")
        return head.status();
    Result<std::string> sha =
        repo->commitFiles({{"README.md", kManifestsReadme}}, "platform-sync: initialize manifests repo");
    if (!sha)
        return sha.status();
    outcome.manifestsHead = *sha;
    return Status::ok();
}

Status validate(const BootstrapRequest& req)
{
    if (!isSafeId(req.projectId))
        return Status::invalidArgument("invalid_project_id", "project id is not URL-safe: " + req.projectId);
    if (req.projectDir.isEmpty())
        return Status::invalidArgument("invalid_argument", "project directory is empty");
    if (req.port < 1 || req.port > 65535)
        return Status::invalidArgument("invalid_port", "port out of range: " + std::to_string(req.port));
    return Status::ok();
}

}  // namespace

namespace {
Status checkRepo(const QString& projectDir, const char* what, const QString& path)
{
    if (!QFileInfo::exists(RepoBootstrapper::templateStatePath(projectDir)))
        return Status::ok();
    if (QFileInfo::exists(path + "/.git") && GitRepository::open(path).isOk())
        return Status::ok();
    return Status::conflict(std::string(what) + "_repo_broken",
                            std::string("the ") + what + " repo " + path.toStdString() +
                                " is missing or is not a git repository; "
                                "restore it (from a backup or a clone), or delete the project and create it again");
}
}  // namespace

Status RepoBootstrapper::checkSourceRepo(const QString& projectDir)
{
    return checkRepo(projectDir, "source", sourceRepoPath(projectDir));
}

Status RepoBootstrapper::checkManifestsRepo(const QString& projectDir)
{
    return checkRepo(projectDir, "manifests", manifestsRepoPath(projectDir));
}

Result<BootstrapOutcome> RepoBootstrapper::run(const BootstrapRequest& req)
{
    if (Status st = validate(req); !st)
        return st;
    if (req.existing)
        if (Status st = checkSourceRepo(req.projectDir); !st)
            return st;
    BootstrapOutcome outcome;
    Result<GitRepository> source = GitRepository::init(sourceRepoPath(req.projectDir));
    if (!source)
        return source.status();
    if (Status st = syncTemplate(req, *source, outcome); !st)
        return st;
    Result<std::string> head = source->branchHead();
    if (head)
        outcome.sourceHead = *head;
    if (Status st = installHooks(source->workdir(), req.projectId, req.apiUrlFile, req.defaultBaseUrl, req.hookToken);
        !st)
        return st;
    if (Status st = ensureManifests(req, outcome); !st)
        return st;
    return outcome;
}

Status RepoBootstrapper::archiveProject(const QString& artifactsRoot, const std::string& projectId)
{
    if (!isSafeId(projectId))
        return Status::invalidArgument("invalid_project_id", "project id is not URL-safe: " + projectId);
    const QString source = artifactsRoot + '/' + QString::fromStdString(projectId);
    if (!QFileInfo::exists(source))
        return Status::ok();
    const QString trash = artifactsRoot + "/.trash";
    if (!QDir().mkpath(trash))
        return Status::internal("io_error", "cannot create " + trash.toStdString());
    const QString stamp = QDateTime::currentDateTimeUtc().toString("yyyyMMdd'T'HHmmss'Z'");
    const QString base = trash + '/' + QString::fromStdString(projectId) + '-' + stamp;
    QString target = base;
    for (int n = 2; QFileInfo::exists(target); ++n)
        target = base + '-' + QString::number(n);
    if (!QDir().rename(source, target))
        return Status::internal("io_error", "cannot move " + source.toStdString() + " to " + target.toStdString());
    return Status::ok();
}

}  // namespace paas
