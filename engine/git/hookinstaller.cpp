#include "engine/git/hookinstaller.h"

#include "engine/core/atomicfile.h"
#include "engine/git/gitrepository.h"
#include "engine/git/hooktokens.h"

#include <QFile>
#include <QFileInfo>

#include <array>
#include <regex>

namespace paas {

namespace {

// {{KEY}} fills in the script are filled with shell-quoted values.
const char* const kHookTemplate = R"HOOK(#!/bin/sh
# paas-managed-hook ({{HOOK}}): written by paas, rewritten on every repo
# bootstrap. Tells the local paas API about new commits on main. It runs curl
# in the background and always exits 0, so it never blocks or fails a commit.
PAAS_PROJECT_ID={{PROJECT_ID}}
PAAS_API_URL_FILE={{API_URL_FILE}}
PAAS_DEFAULT_BASE_URL={{DEFAULT_BASE_URL}}

hook_dir=$(dirname "$0")
if [ -x "$hook_dir/{{HOOK}}.local" ]; then
  "$hook_dir/{{HOOK}}.local" "$@" || true
fi

branch=$(git symbolic-ref --quiet --short HEAD 2>/dev/null) || exit 0
[ "$branch" = "main" ] || exit 0
commit=$(git rev-parse --verify --quiet HEAD 2>/dev/null) || exit 0
subject=$(git show -s --no-show-signature --format=%s "$commit" 2>/dev/null) || exit 0
case "$subject" in
  platform-sync:*) exit 0 ;;
esac

base=${PAAS_LOCAL_API_BASE_URL:-}
if [ -z "$base" ] && [ -r "$PAAS_API_URL_FILE" ]; then
  base=$(head -n 1 "$PAAS_API_URL_FILE" 2>/dev/null | tr -d ' \t\r\n')
fi
[ -n "$base" ] || base=$PAAS_DEFAULT_BASE_URL
base=${base%/}

body=$(printf '{"project_id":"%s","repo":"source","branch":"main","ref":"refs/heads/main","commit":"%s","trigger":"hook"}' "$PAAS_PROJECT_ID" "$commit")
git_dir=$(git rev-parse --git-dir 2>/dev/null || echo .git)
log="$git_dir/paas-hook.log"
# Credentials come from owner-only files (curl -H @file): never in argv.
set --
[ -r "$git_dir/paas-hook-token" ] && set -- "$@" -H "@$git_dir/paas-hook-token"
auth_file="$(dirname "$PAAS_API_URL_FILE")/api-auth-header"
[ -r "$auth_file" ] && set -- "$@" -H "@$auth_file"
(
  curl -sS -m 5 -H 'Expect:' -H 'content-type: application/json' "$@" \
    -X POST --data-binary "$body" "$base/api/webhooks/source" >"$log" 2>&1 </dev/null &
) >/dev/null 2>&1 </dev/null
exit 0
)HOOK";

const std::array<const char*, 2> kHookNames = {"post-commit", "post-merge"};

std::string shellQuote(const std::string& value)
{
    std::string out = "'";
    for (const char c : value)
        out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

void replaceAll(std::string& text, const std::string& from, const std::string& to)
{
    for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
}

bool isSafeId(const std::string& id)
{
    static const std::regex pattern("[A-Za-z0-9._-]{1,128}");
    return std::regex_match(id, pattern) && id != "." && id != "..";
}

Status keepForeignHook(const QString& hookPath)
{
    QFile existing(hookPath);
    if (!existing.exists() || !existing.open(QIODevice::ReadOnly))
        return Status::ok();
    const bool ours = existing.readAll().contains(kHookMarker);
    existing.close();
    if (ours)
        return Status::ok();
    // Never delete a user's hook: the first one becomes <hook>.local (run by
    // ours); should that exist already, keep it aside under a unique name.
    QString local = hookPath + ".local";
    for (int n = 1; QFileInfo::exists(local); ++n)
        local = hookPath + ".pre-paas." + QString::number(n);
    if (!QFile::rename(hookPath, local))
        return Status::internal("io_error", "cannot move existing hook to " + local.toStdString());
    return Status::ok();
}

}  // namespace

std::string renderHookScript(const std::string& hookName, const std::string& projectId, const QString& apiUrlFile,
                             const std::string& defaultBaseUrl)
{
    std::string script = kHookTemplate;
    const std::array<std::pair<const char*, std::string>, 4> fills = {{
        {"{{HOOK}}", hookName},
        {"{{PROJECT_ID}}", shellQuote(projectId)},
        {"{{API_URL_FILE}}", shellQuote(apiUrlFile.toStdString())},
        {"{{DEFAULT_BASE_URL}}", shellQuote(defaultBaseUrl)},
    }};
    for (const auto& [key, value] : fills)
        replaceAll(script, key, value);
    return script;
}

namespace {
Status writeHookToken(const QString& gitDir, const std::string& token)
{
    const QString path = gitDir + '/' + QLatin1String(HookTokens::kFileName);
    return writeOwnerOnlyFile(path, QByteArray(HookTokens::kHeader) + ": " + QByteArray::fromStdString(token) + '\n');
}
}  // namespace

Status installHooks(const QString& repoPath, const std::string& projectId, const QString& apiUrlFile,
                    const std::string& defaultBaseUrl, const std::string& hookToken)
{
    if (!isSafeId(projectId))
        return Status::invalidArgument("invalid_project_id", "project id is not URL-safe: " + projectId);
    Result<GitRepository> repo = GitRepository::open(repoPath);
    if (!repo)
        return repo.status();
    const QString hooksDir = repo->gitDir() + "/hooks";
    for (const char* name : kHookNames) {
        const QString path = hooksDir + '/' + QString::fromLatin1(name);
        if (Status st = keepForeignHook(path); !st)
            return st;
        if (Status st = writeFileAtomic(path, renderHookScript(name, projectId, apiUrlFile, defaultBaseUrl)); !st)
            return st;
        const QFileDevice::Permissions mode = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                              QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser |
                                              QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                              QFileDevice::ExeOther;
        if (!QFile::setPermissions(path, mode))
            return Status::internal("io_error", "cannot chmod +x " + path.toStdString());
    }
    if (!hookToken.empty())
        return writeHookToken(repo->gitDir(), hookToken);
    return Status::ok();
}

Status writeApiUrlFile(const QString& apiUrlFile, const std::string& baseUrl)
{
    if (baseUrl.empty() || baseUrl.find_first_of("\r\n") != std::string::npos)
        return Status::invalidArgument("invalid_url", "api base URL must be one non-empty line");
    return writeFileAtomic(apiUrlFile, baseUrl + "\n");
}

}  // namespace paas
