// Artifact listing and download, strictly inside <root>/<projectId>.
#include "engine/api/apiutil.h"
#include "engine/api/artifactpath.h"
#include "engine/api/router.h"
#include "engine/api/routes.h"
#include "engine/api/ssepolling.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

namespace paas::api {

namespace {

using M = QHttpServerRequest::Method;
constexpr qint64 kMaxDownloadBytes = 64LL * 1024 * 1024;
constexpr int kMaxListing = 5000;

struct ContentType {
    const char* suffix;
    const char* type;
};

constexpr ContentType kContentTypes[] = {
    {".yaml", "application/yaml; charset=utf-8"}, {".yml", "application/yaml; charset=utf-8"},
    {".json", "application/json"}, {".txt", "text/plain; charset=utf-8"}, {".log", "text/plain; charset=utf-8"},
    {".md", "text/markdown; charset=utf-8"}, {".go", "text/plain; charset=utf-8"},
    {".js", "text/plain; charset=utf-8"}, {".py", "text/plain; charset=utf-8"}, {".html", "text/plain; charset=utf-8"},
    {"Dockerfile", "text/plain; charset=utf-8"}, {".mod", "text/plain; charset=utf-8"},
};

QByteArray contentTypeFor(const QString& path)
{
    for (const ContentType& c : kContentTypes)
        if (path.endsWith(QLatin1String(c.suffix)))
            return c.type;
    return "application/octet-stream";
}

// The canonical project folder, or NotFound.
Result<QString> projectRoot(const ApiContext& ctx, const std::string& projectId)
{
    if (projectId.empty() || projectId.front() == '.' || projectId.find('/') != std::string::npos)
        return Status::notFound("project_not_found", "unknown project '" + projectId + "'");
    const QString canonical = QFileInfo(ctx.platform->projectDir(projectId)).canonicalFilePath();
    if (canonical.isEmpty())
        return Status::notFound("project_not_found", "no artifacts for project '" + projectId + "'");
    return canonical;
}

void listArtifacts(HttpExchange& ex, const ApiContext& ctx)
{
    Result<QString> root = projectRoot(ctx, ex.args[0].toStdString());
    if (!root)
        return sendError(ex, root.status());
    nlohmann::json files = nlohmann::json::array();
    QDirIterator it(*root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext() && files.size() < kMaxListing) {
        it.next();
        const QFileInfo info = it.fileInfo();
        const QString relative = QDir(*root).relativeFilePath(info.filePath());
        if (isHiddenArtifact(relative) || info.isSymLink())
            continue;
        files.push_back({{"path", relative.toStdString()}, {"size", info.isDir() ? 0 : info.size()},
                         {"mtime", info.lastModified().toUTC().toString(Qt::ISODate).toStdString()},
                         {"dir", info.isDir()}});
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a["path"] < b["path"]; });
    sendJson(ex, 200, {{"project_id", ex.args[0].toStdString()}, {"files", files}});
}

void downloadArtifact(HttpExchange& ex, const ApiContext& ctx)
{
    const QString relative = ex.args[1];
    if (Status s = checkArtifactPath(relative); !s)
        return sendError(ex, s);
    Result<QString> root = projectRoot(ctx, ex.args[0].toStdString());
    if (!root)
        return sendError(ex, root.status());
    Result<QString> found = resolveArtifactPath(*root, relative);
    if (!found)
        return sendError(ex, found.status());
    const QString resolved = *found;
    QFile file(resolved);
    if (!file.open(QIODevice::ReadOnly))
        return sendError(ex, Status::notFound("artifact_not_found", "no artifact '" + relative.toStdString() + "'"));
    if (file.size() > kMaxDownloadBytes)
        return sendError(ex, Status::tooLarge("artifact_too_large", "artifact is larger than 64 MiB"));
    const QByteArray data = file.readAll();
    const QByteArray etag = '"' + QCryptographicHash::hash(data, QCryptographicHash::Sha1).toHex() + '"';
    if (etagMatches(ex.request.value("If-None-Match"), etag))
        return sendBytes(ex.responder, 304, {}, contentTypeFor(resolved), {{"ETag", etag}});
    const QByteArray name = QFileInfo(resolved).fileName().toUtf8().replace('"', '_');
    sendBytes(ex.responder, 200, data, contentTypeFor(resolved),
              {{"ETag", etag}, {"Content-Disposition", "inline; filename=\"" + name + "\""}});
}

}  // namespace

void registerArtifactRoutes(Router& router, const ApiContext& ctx)
{
    router.add(M::Get, QStringLiteral("/api/projects/([^/]+)/artifacts"), [ctx](HttpExchange& ex) { listArtifacts(ex, ctx); });
    router.add(M::Get, QStringLiteral("/api/projects/([^/]+)/artifacts/(.+)"),
               [ctx](HttpExchange& ex) { downloadArtifact(ex, ctx); });
}

}  // namespace paas::api
