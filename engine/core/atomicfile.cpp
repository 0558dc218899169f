#include "engine/core/atomicfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace paas {

Status writeFileAtomic(const QString& path, const QByteArray& data)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return Status::internal("io_error", "cannot create directory " + info.absolutePath().toStdString());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::internal("io_error", "cannot open " + path.toStdString() + ": " + file.errorString().toStdString());
    if (file.write(data) != data.size()) {
        file.cancelWriting();
        return Status::internal("io_error", "cannot write " + path.toStdString());
    }
    if (!file.commit())
        return Status::internal("io_error", "cannot commit " + path.toStdString() + ": " + file.errorString().toStdString());
    return Status::ok();
}

Status writeFileAtomic(const QString& path, const std::string& data)
{
    return writeFileAtomic(path, QByteArray::fromStdString(data));
}

Status writeOwnerOnlyFile(const QString& path, const QByteArray& data)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return Status::internal("io_error", "cannot create the folder of " + path.toStdString());
    QFile::remove(path);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner)
        || file.write(data) != data.size())
        return Status::internal("io_error", "cannot write " + path.toStdString());
    return Status::ok();
}

Result<QByteArray> readFile(const QString& path)
{
    QFile file(path);
    if (!file.exists())
        return Status::notFound("not_found", "no such file: " + path.toStdString());
    if (!file.open(QIODevice::ReadOnly))
        return Status::internal("io_error", "cannot read " + path.toStdString());
    return file.readAll();
}

}  // namespace paas
