// The web UI, served from the Qt resources compiled from web/.
#include "engine/api/router.h"
#include "engine/api/routes.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>

namespace paas::api {

namespace {

struct MimeType {
    const char* suffix;
    const char* type;
};

constexpr MimeType kMimeTypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".json", "application/json"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
};

QByteArray mimeFor(const QString& path)
{
    for (const MimeType& m : kMimeTypes)
        if (path.endsWith(QLatin1String(m.suffix)))
            return m.type;
    return "application/octet-stream";
}

}  // namespace

void registerStaticRoutes(Router& router, const ApiContext&)
{
    router.setStaticHandler([](HttpExchange& ex) {
        QString path = QDir::cleanPath(ex.args.value(0));
        if (path == QLatin1String("/") || path.isEmpty())
            path = QStringLiteral("/index.html");
        if (!path.startsWith('/') || path.contains(QLatin1String("..")) || path.contains(QChar(0))) {
            sendError(ex, Status::notFound("not_found", "no such file"));
            return;
        }
        QFile file(QStringLiteral(":/web") + path);
        if (!file.open(QIODevice::ReadOnly)) {
            sendError(ex, Status::notFound("not_found", "no such file: " + path.toStdString()));
            return;
        }
        const QByteArray data = file.readAll();
        const QByteArray etag = '"' + QCryptographicHash::hash(data, QCryptographicHash::Sha1).toHex().left(16) + '"';
        if (ex.request.value("If-None-Match") == etag) {
            sendBytes(ex.responder, 304, {}, mimeFor(path), {{"ETag", etag}});
            return;
        }
        sendBytes(ex.responder, 200, data, mimeFor(path),
                  {{"ETag", etag},
                   {"Content-Security-Policy",
                    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'"}});
    });
}

}  // namespace paas::api
