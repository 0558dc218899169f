#include "engine/api/artifactpath.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace paas::api {

Status checkArtifactPath(const QString& path)
{
    if (path.contains(QChar(0)))
        return Status::invalidArgument("invalid_path", "artifact path contains a NUL byte");
    if (path.startsWith('/') || path.startsWith('\\') || QDir::isAbsolutePath(path))
        return Status::invalidArgument("invalid_path", "artifact path must be relative");
    for (const QString& segment : path.split(QRegularExpression("[/\\\\]")))
        if (segment == "..")
            return Status::invalidArgument("invalid_path", "artifact path must not contain '..'");
    return Status::ok();
}

bool isHiddenArtifact(const QString& relative)
{
    return relative == ".git" || relative.startsWith(".git/") || relative.contains("/.git/") ||
           relative.endsWith("/.git");
}

Result<QString> resolveArtifactPath(const QString& root, const QString& relative)
{
    if (Status s = checkArtifactPath(relative); !s)
        return s;
    const Status missing = Status::notFound("artifact_not_found", "no artifact '" + relative.toStdString() + "'");
    const QString resolved = QFileInfo(root + "/" + relative).canonicalFilePath();  // follows symlinks
    if (resolved.isEmpty() || !resolved.startsWith(root + "/") ||
        isHiddenArtifact(QDir(root).relativeFilePath(resolved)))
        return missing;
    if (!QFileInfo(resolved).isFile())
        return missing;
    return resolved;
}

}  // namespace paas::api
