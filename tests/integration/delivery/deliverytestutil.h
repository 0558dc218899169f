#pragma once
// Shared helpers of the delivery integration tests: specs, submitting and
// awaiting delivery events, reading artifacts and the manifests repo.
// Thread affinity: the test's main thread, except http-only helpers.
#include "tests/support/paasprocess.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>

#include <string>

namespace paas::test {

inline nlohmann::json deliverySpec(const std::string& name, const std::string& greeting = "hello", int prodReplicas = 2)
{
    return {{"apiVersion", "platform.example.com/v2"},
            {"kind", "App"},
            {"name", name},
            {"runtime", "static"},
            {"capabilities", {"http"}},
            {"environments",
             {{"dev", {{"vars", {{"LOG_LEVEL", "debug"}}}}},
              {"staging", {{"vars", {{"GREETING", greeting}}}, {"replicas", 1}}},
              {"prod", {{"vars", {{"GREETING", greeting}}}, {"replicas", prodReplicas}, {"port", 9090}}}}},
            {"networkPolicies", {{"ingress", "internal"}, {"egress", "internal"}}}};
}

// Posts an event; the HTTP answer.
inline HttpResult postEvent(const PaasProcess& app, const std::string& event, const nlohmann::json& body)
{
    return app.post(QString::fromStdString("/api/events/" + event), body);
}

// The op id of a 202 answer, "" otherwise.
inline std::string acceptedOp(const HttpResult& r)
{
    const nlohmann::json j = r.json();
    if (r.status != 202 || !j.is_object() || !j.value("accepted", false))
        return {};
    return j["op"].value("id", "");
}

inline QString artifactPath(const PaasProcess& app, const std::string& projectId, const std::string& rel)
{
    return app.artifactsRoot() + "/" + QString::fromStdString(projectId + "/" + rel);
}

inline QByteArray readArtifact(const PaasProcess& app, const std::string& projectId, const std::string& rel)
{
    QFile f(artifactPath(app, projectId, rel));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline QString manifestsRepo(const PaasProcess& app, const std::string& projectId)
{
    return artifactPath(app, projectId, "repos/manifests");
}

// Subjects of the manifests repo's main branch, oldest first.
inline QStringList manifestSubjects(const PaasProcess& app, const std::string& projectId)
{
    QByteArray out;
    if (run("git", {"-C", manifestsRepo(app, projectId), "log", "--reverse", "--format=%s", "main"}, {}, &out) != 0)
        return {};
    return QString::fromUtf8(out).split('\n', Qt::SkipEmptyParts);
}

// Only the delivery commits (deploy/promote/release/rollback).
inline QStringList deliverySubjects(const PaasProcess& app, const std::string& projectId)
{
    QStringList out;
    for (const QString& s : manifestSubjects(app, projectId))
        for (const char* kind : {"deploy ", "promote ", "release ", "rollback "})
            if (s.startsWith(QStringLiteral("platform-sync: ") + kind))
                out << s;
    return out;
}

inline std::string sha256Of(const QByteArray& data)
{
    return "sha256:" + QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex().toStdString();
}

}  // namespace paas::test
