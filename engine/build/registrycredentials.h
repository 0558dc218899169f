#pragma once
// RegistryCredentials: registry logins the way Docker users keep them, read
// from a Docker CLI config file ($DOCKER_CONFIG/config.json, by default
// ~/.docker/config.json).
//
// Reads `auths`: each key is a registry host ("127.0.0.1:5000",
// "registry.example.com", "https://index.docker.io/v1/"; a scheme and path are
// ignored), each value has `auth` (base64 of "user:password") or `username`
// and `password`. Docker Hub's key serves the hosts docker.io,
// index.docker.io and registry-1.docker.io. Credential helpers (`credsStore`,
// `credHelpers`) are not run: hosts they cover have no login here, and
// helperNote() says so for messages.
//
// A missing file is no logins (not an error); an unreadable or malformed one
// is InvalidArgument "invalid_docker_config" naming the path. Secrets are never
// part of a Status message. Plain value; thread-safe once loaded.
#include "engine/core/status.h"

#include <map>
#include <optional>
#include <string>

namespace paas {

struct RegistryLogin {
    std::string username;
    std::string password;
};

class RegistryCredentials {
public:
    static Result<RegistryCredentials> load(const std::string& configPath);
    // The default path: $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json.
    static std::string defaultConfigPath();

    std::optional<RegistryLogin> lookup(const std::string& host) const;
    // Non-empty when the file names credential helpers paas does not run.
    const std::string& helperNote() const { return m_helperNote; }
    const std::string& path() const { return m_path; }

    // "host[:port]" of a registry key or image reference prefix.
    static std::string normalizeHost(const std::string& key);

private:
    std::string m_path;
    std::map<std::string, RegistryLogin> m_logins;
    std::string m_helperNote;
};

}  // namespace paas
