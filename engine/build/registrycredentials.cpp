#include "engine/build/registrycredentials.h"

#include <QByteArray>
#include <QDir>
#include <QFile>

#include <nlohmann/json.hpp>

namespace paas {

namespace {

constexpr qint64 kMaxConfigBytes = 1024 * 1024;
const char* const kDockerHubKey = "index.docker.io";

bool dockerHub(const std::string& host)
{
    return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io";
}

std::optional<RegistryLogin> loginOf(const nlohmann::json& entry)
{
    if (!entry.is_object())
        return std::nullopt;
    const std::string auth = entry.value("auth", std::string());
    if (!auth.empty()) {
        const QByteArray decoded = QByteArray::fromBase64(QByteArray::fromStdString(auth));
        const qsizetype colon = decoded.indexOf(':');
        if (colon <= 0)
            return std::nullopt;
        return RegistryLogin{decoded.left(colon).toStdString(), decoded.mid(colon + 1).toStdString()};
    }
    const std::string user = entry.value("username", std::string());
    if (user.empty())
        return std::nullopt;
    return RegistryLogin{user, entry.value("password", std::string())};
}

}  // namespace

std::string RegistryCredentials::normalizeHost(const std::string& key)
{
    std::string host = key;
    const std::size_t scheme = host.find("://");
    if (scheme != std::string::npos)
        host = host.substr(scheme + 3);
    host = host.substr(0, host.find('/'));
    for (char& c : host)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return dockerHub(host) ? kDockerHubKey : host;
}

std::string RegistryCredentials::defaultConfigPath()
{
    const QByteArray dir = qgetenv("DOCKER_CONFIG");
    if (!dir.isEmpty())
        return QDir(QString::fromLocal8Bit(dir)).filePath("config.json").toStdString();
    return QDir::home().filePath(".docker/config.json").toStdString();
}

Result<RegistryCredentials> RegistryCredentials::load(const std::string& configPath)
{
    RegistryCredentials creds;
    creds.m_path = configPath;
    QFile file(QString::fromStdString(configPath));
    if (!file.exists())
        return creds;
    if (!file.open(QIODevice::ReadOnly) || file.size() > kMaxConfigBytes)
        return Status::invalidArgument("invalid_docker_config",
                                       "cannot read the Docker config " + configPath + " (unreadable, or over 1 MiB)");
    const nlohmann::json doc = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
    if (!doc.is_object())
        return Status::invalidArgument("invalid_docker_config",
                                       "the Docker config " + configPath + " is not a JSON object");
    const nlohmann::json auths = doc.value("auths", nlohmann::json::object());
    if (auths.is_object())
        for (const auto& [key, entry] : auths.items())
            if (std::optional<RegistryLogin> login = loginOf(entry))
                creds.m_logins[normalizeHost(key)] = *login;
    if (doc.contains("credsStore") || doc.contains("credHelpers"))
        creds.m_helperNote = "credential helpers (credsStore/credHelpers in " + configPath +
                             ") are not run by paas; keep the login in its auths";
    return creds;
}

std::optional<RegistryLogin> RegistryCredentials::lookup(const std::string& host) const
{
    const auto it = m_logins.find(normalizeHost(host));
    if (it == m_logins.end())
        return std::nullopt;
    return it->second;
}

}  // namespace paas
