#include "engine/pipeline/deliverystate.h"

#include <QCryptographicHash>
#include <QFile>

namespace paas {

bool DeliveryState::isDeliveryKind(const std::string& kind)
{
    return kind == delivery::kDeploy || kind == delivery::kPromote || kind == delivery::kRelease ||
           kind == delivery::kRollback;
}

Result<std::string> DeliveryState::resolveEnv(const ProjectSpec& spec, const std::string& requested,
                                              const std::string& pointer)
{
    if (requested.empty())
        return Status::invalidArgument("missing_environment", pointer.substr(1) + " is required",
                                       {{pointer, "required"}});
    const EnvironmentSpec* env = spec.environment(requested);
    if (!env) {
        std::string known;
        for (const EnvironmentSpec& e : spec.environments)
            known += (known.empty() ? "" : ", ") + e.name;
        return Status::invalidArgument(
            "unknown_environment",
            "environment '" + requested + "' is not defined in the project spec (defined: " + known + ")",
            {{pointer, "unknown environment '" + requested + "'"}});
    }
    return env->name;
}

nlohmann::json DeliveryState::configJson(const EnvironmentSpec& env)
{
    return {{"vars", env.vars}, {"replicas", env.replicas}, {"port", env.port}};
}

EnvironmentSpec DeliveryState::configFromJson(const std::string& name, const nlohmann::json& config,
                                              const EnvironmentSpec& fallback)
{
    EnvironmentSpec env = fallback;
    env.name = name;
    if (!config.is_object())
        return env;
    if (config.contains("vars") && config["vars"].is_object()) {
        env.vars.clear();
        for (const auto& [k, v] : config["vars"].items())
            env.vars[k] = v.is_string() ? v.get<std::string>() : v.dump();
    }
    env.replicas = config.value("replicas", fallback.replicas);
    env.port = config.value("port", fallback.port);
    return env;
}

ProjectSpec DeliveryState::withConfig(const ProjectSpec& spec, const EnvironmentSpec& config)
{
    ProjectSpec out = spec;
    for (EnvironmentSpec& env : out.environments)
        if (env.name == config.name)
            env = config;
    return out;
}

ProjectSpec DeliveryState::deployedSpec(const ProjectSpec& spec, const nlohmann::json& environments)
{
    ProjectSpec out = spec;
    if (!environments.is_object())
        return out;
    for (EnvironmentSpec& env : out.environments) {
        auto it = environments.find(env.name);
        if (it != environments.end() && it->is_object() && it->contains("config"))
            env = configFromJson(env.name, (*it)["config"], env);
    }
    return out;
}

nlohmann::json DeliveryState::current(const ProjectRecord& project, const std::string& env)
{
    if (!project.environments.is_object())
        return nullptr;
    auto it = project.environments.find(env);
    if (it == project.environments.end() || !it->is_object() || it->value("image", "").empty())
        return nullptr;
    return *it;
}

std::string DeliveryState::releaseDir(const std::string& env, int number)
{
    return "releases/" + env + "/" + std::to_string(number);
}

Result<std::string> DeliveryState::readArtifact(const QString& projectDir, const std::string& relativePath)
{
    QFile file(projectDir + "/" + QString::fromStdString(relativePath));
    if (!file.open(QIODevice::ReadOnly))
        return Status::notFound("artifact_not_found", "artifact " + relativePath + " is missing");
    return file.readAll().toStdString();
}

std::string DeliveryState::sha256(const std::string& data)
{
    return "sha256:" +
           QCryptographicHash::hash(QByteArray::fromStdString(data), QCryptographicHash::Sha256).toHex().toStdString();
}

}  // namespace paas
