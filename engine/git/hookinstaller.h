#pragma once
// Hook installer: writes the source repo's `.git/hooks/post-commit` and
// `.git/hooks/post-merge` (POSIX sh + curl), mode 0755.
//
// Each hook, when run by the git CLI (libgit2 commits run no hooks):
//   - does nothing unless HEAD is on branch `main` and the commit subject does
//     not start with `platform-sync:`;
//   - POSTs {"project_id","repo":"source","branch":"main","ref":"refs/heads/main",
//     "commit":<HEAD sha>,"trigger":"hook"} to <base>/api/webhooks/source, where
//     <base> is $PAAS_LOCAL_API_BASE_URL, else the first line of the baked
//     api-url file (rewritten by the app on every start), else the baked
//     default base URL;
//   - sends the project's hook token (hooktokens.h) from the 0600 file
//     <git-dir>/paas-hook-token as the X-Paas-Hook-Token header (curl -H @file,
//     so it never shows in a process list), which the API accepts in place of
//     X-Hub-Signature-256 when the project has a webhook secret, and the
//     app's Authorization header from <root>/.paas/api-auth-header (0600)
//     when the API requires a bearer token;
//   - runs curl detached in the background (-m 5, output to
//     `.git/paas-hook.log`) and always exits 0: it never blocks or fails the
//     user's commit.
// A pre-existing hook that paas did not write is never deleted: it is kept as
// `<hook>.local` and run first by the paas hook (its exit status is ignored,
// as git ignores post-commit/post-merge status anyway); if `<hook>.local`
// exists already it is kept as `<hook>.pre-paas.<n>`. Installing is
// idempotent.
//
// Thread affinity: free functions without shared state; thread-safe for
// different repositories.
#include "engine/core/status.h"

#include <QString>

#include <string>

namespace paas {

// Marker line present in every hook paas writes.
inline constexpr const char* kHookMarker = "# paas-managed-hook";

// The hook script text (exposed for tests and docs). projectId must be a
// URL-safe id ([A-Za-z0-9._-]+).
std::string renderHookScript(const std::string& hookName, const std::string& projectId, const QString& apiUrlFile,
                             const std::string& defaultBaseUrl);

// Installs both hooks into <repoPath>/.git/hooks, and the hook token file
// (mode 0600) when hookToken is not empty. InvalidArgument
// `invalid_project_id` for an unsafe id; NotFound `repo_not_found` when
// repoPath is not a git working tree.
Status installHooks(const QString& repoPath, const std::string& projectId, const QString& apiUrlFile,
                    const std::string& defaultBaseUrl, const std::string& hookToken = {});

// Writes the api-url file the hooks read (one line, the app's listen base
// URL, e.g. "http://127.0.0.1:8080"), atomically. Called by the app on start.
Status writeApiUrlFile(const QString& apiUrlFile, const std::string& baseUrl);

}  // namespace paas
