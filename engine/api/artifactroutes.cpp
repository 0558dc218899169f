// Artifact listing and download, strictly inside <root>/<projectId>.
#include "engine/api/apiutil.h"
#include "engine/api/artifactpath.h"
#include "engine/api/offloader.h"
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
    {".yaml", "application/yaml; charset=utf-8"},
    {".yml", "application/yaml; charset=utf-8"},
    {".json", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
    {".log", "text/plain; charset=utf-8"},
    {".md", "text/markdown; charset=utf-8"},
    {".go", "text/plain; charset=utf-8"},
    {".js", "text/plain; charset=utf-8"},
    {".py", "text/plain; charset=utf-8"},
    {".html", "text/plain; charset=utf-8"},
    {"Dockerfile", "text/plain; charset=utf-8"},
    {".mod", "text/plain; charset=utf-8"},
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

// Listing and download read the disk: they run on the Offloader, never on
// the API thread (a slow or busy disk must not stall other requests).
Reply listArtifacts(const ApiContext& ctx, const std::string& projectId)
{
    Result<QString> root = projectRoot(ctx, projectId);
    if (!root)
        return Reply::error(root.status());
    nlohmann::json files = nlohmann::json::array();
    QDirIterator it(*root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext() && files.size() < kMaxListing) {
        it.next();
        const QFileInfo info = it.fileInfo();
        const QString relative = QDir(*root).relativeFilePath(info.filePath());
        if (isHiddenArtifact(relative) || info.isSymLink())
            continue;
        files.push_back({{"path", relative.toStdString()},
                         {"size", info.isDir() ? 0 : info.size()},
                         {"mtime", info.lastModified().toUTC().toString(Qt::ISODate).toStdString()},
                         {"dir", info.isDir()}});
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a["path"] < b["path"]; });
    return Reply::json(200, {{"project_id", projectId}, {"files", files}});
}

Reply downloadArtifact(const ApiContext& ctx, const std::string& projectId, const QString& relative,
                       const QByteArray& ifNoneMatch)
{
    Result<QString> root = projectRoot(ctx, projectId);
    if (!root)
        return Reply::error(root.status());
    Result<QString> found = resolveArtifactPath(*root, relative);
    if (!found)
        return Reply::error(found.status());
    const QString resolved = *found;
    QFile file(resolved);
    if (!file.open(QIODevice::ReadOnly))
        return Reply::error(Status::notFound("artifact_not_found", "no artifact '" + relative.toStdString() + "'"));
    if (file.size() > kMaxDownloadBytes)
        return Reply::error(Status::tooLarge("artifact_too_large", "artifact is larger than 64 MiB"));
    const QByteArray data = file.readAll();
    const QByteArray etag = '"' + QCryptographicHash::hash(data, QCryptographicHash::Sha1).toHex() + '"';
    if (etagMatches(ifNoneMatch, etag))
        return Reply::raw(304, {}, contentTypeFor(resolved), {{"ETag", etag}});
    const QByteArray name = QFileInfo(resolved).fileName().toUtf8().replace('"', '_');
    return Reply::raw(200, data, contentTypeFor(resolved),
                      {{"ETag", etag}, {"Content-Disposition", "inline; filename=\"" + name + "\""}});
}

}  // namespace

void registerArtifactRoutes(Router& router, const ApiContext& ctx)
{
    router.add(M::Get, QStringLiteral("/api/projects/([^/]+)/artifacts"), [ctx](HttpExchange& ex) {
        ex.offloader->run(ex, [ctx, id = ex.args[0].toStdString()] { return listArtifacts(ctx, id); });
    });
    router.add(M::Get, QStringLiteral("/api/projects/([^/]+)/artifacts/(.+)"), [ctx](HttpExchange& ex) {
        const QString relative = ex.args[1];
        if (Status s = checkArtifactPath(relative); !s)
            return sendError(ex, s);
        ex.offloader->run(ex, [ctx, id = ex.args[0].toStdString(), relative, etag = ex.request.value("If-None-Match")] {
            return downloadArtifact(ctx, id, relative, etag);
        });
    });
}

}  // namespace paas::api
