#include "engine/git/hooktokens.h"

#include <QDir>
#include <QFile>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

namespace paas {

namespace {
constexpr int kSecretBytes = 32;
constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

QByteArray randomSecret()
{
    QByteArray bytes(kSecretBytes, '\0');
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32*>(bytes.data()), kSecretBytes / 4);
    return bytes.toHex();
}
}  // namespace

Result<HookTokens> HookTokens::load(const QString& artifactsRoot)
{
    const QString path = artifactsRoot + "/.paas/hook-secret";
    QFile file(path);
    if (!file.exists()) {
        if (!QDir().mkpath(artifactsRoot + "/.paas"))
            return Status::internal("io_error", "cannot create " + artifactsRoot.toStdString() + "/.paas");
        // Created exclusively and owner-only: of two instances starting on one
        // root, the second finds the first's secret.
        QFile fresh(path);
        if (fresh.open(QIODevice::WriteOnly | QIODevice::NewOnly, kOwnerOnly))
            fresh.write(randomSecret() + '\n');
    }
    if (!file.open(QIODevice::ReadOnly))
        return Status::internal("io_error", "cannot read the hook secret " + path.toStdString());
    HookTokens tokens;
    tokens.m_secret = file.readAll().trimmed();
    if (tokens.m_secret.size() < kSecretBytes)
        return Status::internal("hook_secret_invalid", path.toStdString() + " is too short; remove it to regenerate");
    QFile::setPermissions(path, kOwnerOnly);
    return tokens;
}

std::string HookTokens::tokenFor(const std::string& projectId) const
{
    return QMessageAuthenticationCode::hash(QByteArray::fromStdString(projectId), m_secret, QCryptographicHash::Sha256)
        .toHex()
        .toStdString();
}

bool HookTokens::verify(const std::string& projectId, const QByteArray& given) const
{
    return loaded() && !given.isEmpty() &&
           constantTimeEquals(given.trimmed(), QByteArray::fromStdString(tokenFor(projectId)));
}

}  // namespace paas
