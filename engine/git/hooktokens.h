#pragma once
// HookTokens: how the local git hooks authenticate to the webhook API when a
// project has a webhook secret (issue 10, item 7).
//
// Contract:
//  - One install secret, 32 random bytes, in <artifacts-root>/.paas/hook-secret
//    (mode 0600), created on first load and kept across restarts; instances
//    sharing an artifacts root share it. It never leaves that file.
//  - A project's hook token is HMAC-SHA256(install secret, project id), hex.
//    installHooks() writes it next to the hook, in <git-dir>/paas-hook-token
//    (mode 0600, inside .git: never committed, never served by the artifacts
//    API), as the header line the hook's curl sends: X-Paas-Hook-Token.
//  - verify() compares in constant time; a token of another project, or of
//    another install, does not match.
// Thread affinity: immutable after load(); thread-safe.
#include "engine/core/constanttime.h"
#include "engine/core/status.h"

#include <QByteArray>
#include <QString>

#include <string>

namespace paas {

class HookTokens {
public:
    static constexpr const char* kHeader = "X-Paas-Hook-Token";
    static constexpr const char* kFileName = "paas-hook-token";

    static Result<HookTokens> load(const QString& artifactsRoot);
    HookTokens() = default;

    std::string tokenFor(const std::string& projectId) const;
    bool verify(const std::string& projectId, const QByteArray& given) const;
    bool loaded() const { return !m_secret.isEmpty(); }

private:
    QByteArray m_secret;
};

}  // namespace paas
