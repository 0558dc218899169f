#include "app/apitoken.h"

#include "engine/core/atomicfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

namespace paas {

namespace {
constexpr QFileDevice::Permissions kOthers = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                                             QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;

QString authHeaderFile(const Config& config)
{
    return config.artifactsRoot + QStringLiteral("/.paas/api-auth-header");
}
}  // namespace

Status resolveApiToken(Config& config)
{
    if (!config.apiToken.isEmpty())
        return Status::ok();
    const QString path = config.apiTokenFile();
    QFile file(path);
    if (file.exists()) {
        if (file.permissions() & kOthers)
            return Status::invalidArgument(
                "api_token_file_mode",
                path.toStdString() + " is readable by others; run `chmod 600 " + path.toStdString() + "`");
        if (!file.open(QIODevice::ReadOnly))
            return Status::invalidArgument("api_token_file", "cannot read " + path.toStdString());
        config.apiToken = file.readAll().trimmed();
        if (config.apiToken.size() < 16)
            return Status::invalidArgument(
                "api_token_file",
                path.toStdString() + " holds no usable token (16 characters or more); run `paas --generate-api-token`");
        return Status::ok();
    }
    if (config.listensBeyondLoopback())
        return Status::invalidArgument("api_token_required",
                                       "--listen/PAAS_LISTEN " + config.listenHost.toStdString() +
                                           " is beyond loopback and needs an API token: "
                                           "set PAAS_API_TOKEN, or run `paas --generate-api-token` (writes " +
                                           path.toStdString() + ", mode 0600)");
    return Status::ok();
}

Result<QString> generateApiToken(const Config& config)
{
    QByteArray raw(32, '\0');
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32*>(raw.data()), 8);
    const QString path = config.apiTokenFile();
    if (Status s = writeOwnerOnlyFile(path, raw.toHex() + '\n'); !s)
        return s;
    return path;
}

Status writeHookAuthHeader(const Config& config)
{
    const QString path = authHeaderFile(config);
    if (config.apiToken.isEmpty()) {
        QFile::remove(path);
        return Status::ok();
    }
    return writeOwnerOnlyFile(path, "Authorization: Bearer " + config.apiToken + '\n');
}

}  // namespace paas
