#include "engine/build/sessionauth.h"

namespace paas {

grpc::Status SessionAuthService::Credentials(grpc::ServerContext*,
                                             const moby::filesync::v1::CredentialsRequest* request,
                                             moby::filesync::v1::CredentialsResponse* response)
{
    const std::optional<RegistryLogin> login = m_credentials.lookup(request->host());
    if (login) {
        response->set_username(login->username);
        response->set_secret(login->password);
    }
    std::lock_guard lock(m_mutex);
    if (m_asked.size() < 64)
        m_asked.insert(request->host() + (login ? "" : " (anonymous)"));
    return grpc::Status::OK;
}

std::set<std::string> SessionAuthService::asked() const
{
    std::lock_guard lock(m_mutex);
    return m_asked;
}

}  // namespace paas
