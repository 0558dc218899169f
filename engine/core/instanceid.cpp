#include "engine/core/instanceid.h"

#include <QDir>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSysInfo>

namespace paas {

namespace {

QString newId()
{
    QString host = QSysInfo::machineHostName().toLower();
    host.replace(QRegularExpression(QStringLiteral("[^a-z0-9-]")), QStringLiteral("-"));
    const quint32 suffix = QRandomGenerator::system()->bounded(0x1000000u);
    return host.left(40) + QLatin1Char('-') + QString::number(suffix, 16).rightJustified(6, QLatin1Char('0'));
}

}  // namespace

Result<std::unique_ptr<InstanceId>> InstanceId::claim(const QString& stateDir, const QString& explicitId)
{
    std::unique_ptr<InstanceId> out(new InstanceId);
    if (!explicitId.isEmpty()) {
        out->m_id = explicitId;
        return out;
    }
    const QString dir = stateDir + QStringLiteral("/instances");
    if (!QDir().mkpath(dir))
        return Status::invalidArgument("unwritable_dir", "cannot create " + dir.toStdString() +
                                                             " to keep this instance's id; set PAAS_INSTANCE_ID");
    QStringList known = QDir(dir).entryList({QStringLiteral("*.id")}, QDir::Files, QDir::Name);
    for (int tries = 0; tries < 8; ++tries)
        known.append(newId() + QStringLiteral(".id"));
    for (const QString& file : known) {
        auto lock = std::make_unique<QLockFile>(dir + QLatin1Char('/') + file + QStringLiteral(".lock"));
        lock->setStaleLockTime(0);  // only a live process holds it
        if (!lock->tryLock(0))
            continue;
        QFile marker(dir + QLatin1Char('/') + file);
        if (!marker.exists() && marker.open(QIODevice::WriteOnly))
            marker.close();
        out->m_id = file.chopped(3);
        out->m_lock = std::move(lock);
        return out;
    }
    return Status::conflict("instance_id", "no free instance id under " + dir.toStdString() + "; set PAAS_INSTANCE_ID");
}

}  // namespace paas
