#include "engine/core/atomicfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <cerrno>

namespace paas {

namespace {
// ENOSPC (or a full quota) becomes one clear, stable error code.
Status writeError(const QFileDevice& file, const char* what, const QString& path)
{
    if (file.error() == QFileDevice::ResourceError || errno == ENOSPC || errno == EDQUOT)
        return Status::internal("disk_full", std::string("no space left on the device: cannot ") + what + " " +
                                                 path.toStdString() + "; free space on the artifacts root, then retry");
    return Status::internal(
        "io_error", std::string("cannot ") + what + " " + path.toStdString() + ": " + file.errorString().toStdString());
}
}  // namespace

Status writeFileAtomic(const QString& path, const QByteArray& data)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return Status::internal("io_error", "cannot create directory " + info.absolutePath().toStdString());
    QSaveFile file(path);
    errno = 0;
    if (!file.open(QIODevice::WriteOnly))
        return writeError(file, "open", path);
    if (file.write(data) != data.size()) {
        Status s = writeError(file, "write", path);
        file.cancelWriting();
        return s;
    }
    if (!file.commit())
        return writeError(file, "commit", path);
    return Status::ok();
}

Status writeFileAtomic(const QString& path, const std::string& data)
{
    return writeFileAtomic(path, QByteArray::fromStdString(data));
}

bool fileHasContent(const QString& path, const QByteArray& data)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.size() != data.size())
        return false;
    return file.readAll() == data;
}

Status writeFileIfChanged(const QString& path, const QByteArray& data)
{
    return fileHasContent(path, data) ? Status::ok() : writeFileAtomic(path, data);
}

Status writeFileIfChanged(const QString& path, const std::string& data)
{
    return writeFileIfChanged(path, QByteArray::fromStdString(data));
}

Status writeOwnerOnlyFile(const QString& path, const QByteArray& data)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return Status::internal("io_error", "cannot create the folder of " + path.toStdString());
    QFile::remove(path);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        file.write(data) != data.size())
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
