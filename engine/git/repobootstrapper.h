#pragma once
// RepoBootstrapper: what the `repoBootstrap` pipeline step calls. Creates or
// updates a project's two local repos and installs the source repo's hooks;
// archives a deleted project's folder.
//
// Layout (<projectDir> = <artifacts-root>/<projectId>):
//   repos/source     the user's app: runtime template, committed on `main` as
//                    `platform-sync: bootstrap <runtime> template`; hooks
//                    post-commit/post-merge installed (see hookinstaller.h).
//   repos/manifests  platform-owned: an initial `platform-sync:` commit with a
//                    README (the manifest renderer commits there later).
//   registration/template-state.json
//                    what the platform last wrote into the source repo:
//                    {"version":1,"runtime":..,"template":..,"files":{path: sha256-hex}}.
//
// Update rule (never clobber user edits). For each file F the template renders
// to content N, with H = F's content at main's HEAD, R = hash recorded for F,
// W = F in the working tree:
//   - H == N                      -> nothing to do (records N).
//   - H absent, no R, W absent or == N -> written (a new template file).
//   - H absent but R recorded     -> the user deleted it: left deleted.
//   - H present, hash(H) == R and W == H -> updated to N (the platform owns it).
//   - anything else               -> the user changed it: left alone.
//   Files the platform wrote that the new template no longer has (runtime
//   change) are removed under the same "still untouched" condition.
//   If main has no commit yet, records are ignored (fresh repo). If the source
//   repo's HEAD is not on `main`, templates are not touched at all (the
//   outcome says `not_on_main`); hooks and the manifests repo still are.
// Idempotent: a second run with the same request makes no commit; a run
// interrupted after the commit but before the record is written heals itself
// (H == N). Platform commits never include the user's other changes.
//
// Thread affinity: stateless; calls for different projects may run in
// parallel, calls for one project must be serialised (the pipeline runs one op
// per project at a time).
#include "engine/core/status.h"

#include <QString>

#include <string>
#include <vector>

namespace paas {

struct BootstrapRequest {
    QString projectDir;     // <artifacts-root>/<projectId>
    std::string projectId;  // URL-safe id
    std::string name;       // display name, substituted as {{name}}
    std::string runtime;    // e.g. node_22; unknown -> generic template
    int port = 8080;        // {{port}}
    QString apiUrlFile;     // <artifacts-root>/.paas/api-url, baked into hooks
    std::string defaultBaseUrl = "http://127.0.0.1:8080";
    std::string hookToken;  // written next to the hooks (hooktokens.h); "" = none
    bool existing = false;  // an update: a broken source repo is an error, not re-initialised
};

struct BootstrapOutcome {
    std::string sourceHead;  // main's sha after the run
    std::string manifestsHead;
    std::string templateUsed;                // runtime dir or "generic"
    std::vector<std::string> written;        // template files written/updated by this run
    std::vector<std::string> removed;        // obsolete untouched template files removed
    std::vector<std::string> keptUserEdits;  // template files left alone (user-changed)
    std::string skippedReason;               // "not_on_main" when templates were not synced
};

class RepoBootstrapper {
public:
    static Result<BootstrapOutcome> run(const BootstrapRequest& request);
    static Status bootstrap(const BootstrapRequest& request) { return run(request).status(); }

    // A project bootstrapped before (its template-state record exists) whose
    // source repo (the user's) is now missing or not a git repository was
    // broken by hand: Conflict `source_repo_broken` naming the path and the
    // fix. run() checks it for updates (never for a create, whose retry after
    // a crash must heal), so an update never re-initialises a user's repo over
    // their files; webhooks and builds check it too. Ok for a project never
    // bootstrapped (a create in progress).
    static Status checkSourceRepo(const QString& projectDir);
    // The same for the manifests repo (`manifests_repo_broken`), for the steps
    // that run after a completed bootstrap (render, delivery).
    static Status checkManifestsRepo(const QString& projectDir);

    // Moves <root>/<id> to <root>/.trash/<id>-<yyyyMMddTHHmmssZ>[-n]. Never
    // deletes anything; ok when <root>/<id> does not exist.
    static Status archiveProject(const QString& artifactsRoot, const std::string& projectId);

    static QString sourceRepoPath(const QString& projectDir) { return projectDir + "/repos/source"; }
    static QString manifestsRepoPath(const QString& projectDir) { return projectDir + "/repos/manifests"; }
    static QString templateStatePath(const QString& projectDir)
    {
        return projectDir + "/registration/template-state.json";
    }
};

}  // namespace paas
