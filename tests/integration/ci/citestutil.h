#pragma once
// Shared helpers for the CI pathway integration tests (tests/integration/ci):
// registering projects on a real `paas` process, committing to its source
// repo with the real git CLI (with or without the installed hooks), listing
// a project's ci ops, firing many webhooks at once and reading an op's SSE
// replay. Every helper is bounded by a timeout and reports failures through
// its return value (empty / null), so the calling test asserts.
// Thread affinity: the test's main thread (uses local event loops).
#include "tests/support/paasprocess.h"

#include <nlohmann/json.hpp>

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>

#include <string>
#include <vector>

namespace paas::test {

// A minimal valid spec for the given runtime.
nlohmann::json specFor(const std::string& name, const std::string& runtime = "static");

// POST /api/events/registration create (with `extra` merged into the body)
// and waits for the op. Returns the op JSON (status completed|failed), or
// null with *error set when the request itself was refused.
nlohmann::json createProject(const PaasProcess& app, const std::string& name, const nlohmann::json& extra = {},
                             std::string* error = nullptr, int timeoutMs = 180000);

QString sourceRepo(const PaasProcess& app, const std::string& projectId);

// The environment for git CLI calls: fixed identity, no PAAS_LOCAL_API_BASE_URL
// unless `apiBaseOverride` is given (then the hook posts there).
QProcessEnvironment gitEnv(const QString& apiBaseOverride = {});

// Writes `file` in the repo, `git add`s it and commits with `message` using
// the git CLI. With hooks=false the commit runs with core.hooksPath pointing
// at an empty directory, so the installed hooks do not fire. Returns the new
// HEAD sha, or "" with *output holding git's output.
std::string gitCommit(const QString& repo, const QString& file, const QByteArray& content, const QString& message,
                      bool hooks, const QProcessEnvironment& env = gitEnv(), QByteArray* output = nullptr);
std::string gitHead(const QString& repo);

// The project's ops of kind ci, newest first (GET /api/projects/{id}/ops).
std::vector<nlohmann::json> ciOps(const PaasProcess& app, const std::string& projectId);
std::vector<nlohmann::json> ciOpsFor(const PaasProcess& app, const std::string& projectId, const std::string& commit);
// Polls until a ci op for `commit` exists and is terminal; null on timeout.
nlohmann::json waitForCiOp(const PaasProcess& app, const std::string& projectId, const std::string& commit,
                           int timeoutMs = 120000);

// Sends every body as POST to `url` at once, one connection each.
std::vector<HttpResult> postConcurrently(const QString& url, const std::vector<QByteArray>& bodies,
                                         const Headers& headers = {}, int timeoutMs = 60000);
// The same, request i going to urls[i] (for spreading over several instances).
std::vector<HttpResult> postConcurrently(const std::vector<QString>& urls, const std::vector<QByteArray>& bodies,
                                         const Headers& headers = {}, int timeoutMs = 60000);

struct SseEvent {
    QByteArray event;
    nlohmann::json data;
};
// GET /api/ops/{id}/events of a finished op: the full replay up to the end of
// the stream, parsed into frames.
std::vector<SseEvent> opEvents(const PaasProcess& app, const std::string& opId, int timeoutMs = 60000);

QByteArray readFile(const QString& path);

}  // namespace paas::test
