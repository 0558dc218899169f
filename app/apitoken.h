#pragma once
// API token: what --listen beyond loopback requires (issue 10, item 8).
//
// Contract:
//  - resolveApiToken(): a token from PAAS_API_TOKEN wins; else, when the
//    file <artifacts root>/.paas/api-token exists, it must be owner-only
//    (0600) and holds the token. Listening beyond loopback without either is
//    an error value naming both ways to configure one. On loopback no token
//    is needed (a configured one is still enforced).
//  - generateApiToken() writes a new random token to that file, created
//    owner-only, and returns its path; it never prints the token.
//  - writeHookAuthHeader() keeps <root>/.paas/api-auth-header (0600) in step
//    with the config: "Authorization: Bearer <token>" for the git hooks'
//    curl -H @file, removed when no token is configured.
// Thread affinity: main thread, at startup.
#include "engine/core/config.h"
#include "engine/core/status.h"

namespace paas {

Status resolveApiToken(Config& config);
Result<QString> generateApiToken(const Config& config);
Status writeHookAuthHeader(const Config& config);

}  // namespace paas
