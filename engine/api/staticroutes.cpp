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

// The Content-Security-Policy of every static file. Scripts: 'self' plus the
// SHA-256 of each inline <script type="importmap"> of index.html (the
// import map of the vendored CodeMirror modules, written by
// scripts/vendor-web.sh; browsers have no external import maps), hashed once
// from the compiled-in page so that re-vendoring needs no change here.
QByteArray contentSecurityPolicy()
{
    static const QByteArray policy = [] {
        QByteArray scripts = "script-src 'self'";
        QFile index(QStringLiteral(":/web/index.html"));
        const QByteArray html = index.open(QIODevice::ReadOnly) ? index.readAll() : QByteArray();
        const QByteArray open = "<script type=\"importmap\">";
        for (qsizetype at = html.indexOf(open); at >= 0; at = html.indexOf(open, at)) {
            const qsizetype from = at + open.size();
            const qsizetype to = html.indexOf("</script>", from);
            if (to < 0)
                break;
            scripts += " 'sha256-" +
                       QCryptographicHash::hash(html.mid(from, to - from), QCryptographicHash::Sha256).toBase64() + "'";
            at = to;
        }
        return "default-src 'self'; " + scripts +
               "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";
    }();
    return policy;
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
                  {{"ETag", etag}, {"Content-Security-Policy", contentSecurityPolicy()}});
    });
}

}  // namespace paas::api
