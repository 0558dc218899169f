#pragma once
// SessionAuthService: moby.filesync.v1.Auth on a BuildKit session. BuildKit
// calls Credentials(host) when a pull or push needs a registry login; the
// answer comes from the user's Docker config (registrycredentials.h), or is
// empty (anonymous) for a host without a login. The token methods of newer
// BuildKit are not served: it then falls back to Credentials.
//
// Thread affinity: called on gRPC threads, concurrently; immutable after
// construction except the record of asked hosts (mutex).
#include "engine/build/proto/auth.grpc.pb.h"
#include "engine/build/registrycredentials.h"

#include <mutex>
#include <set>
#include <string>

namespace paas {

class SessionAuthService final : public moby::filesync::v1::Auth::Service {
public:
    explicit SessionAuthService(RegistryCredentials credentials) : m_credentials(std::move(credentials)) {}

    grpc::Status Credentials(grpc::ServerContext* context, const moby::filesync::v1::CredentialsRequest* request,
                             moby::filesync::v1::CredentialsResponse* response) override;

    // Hosts BuildKit asked about, and whether a login was given ("host" or "host (anonymous)").
    std::set<std::string> asked() const;

private:
    const RegistryCredentials m_credentials;
    mutable std::mutex m_mutex;
    std::set<std::string> m_asked;
};

}  // namespace paas
