#include "engine/api/queryparams.h"

#include <QUrlQuery>

#include <algorithm>
#include <charconv>

namespace paas::api {

namespace {

bool truthy(const QString& v)
{
    return v == QLatin1String("1") || v.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0 ||
           v.compare(QLatin1String("yes"), Qt::CaseInsensitive) == 0;
}

}  // namespace

std::string queryValue(const QUrl& url, const char* name)
{
    return QUrlQuery(url).queryItemValue(QString::fromLatin1(name), QUrl::FullyDecoded).toStdString();
}

int queryIntValue(const QUrl& url, const char* name, int fallback, int min, int max)
{
    bool ok = false;
    const int v = QString::fromStdString(queryValue(url, name)).toInt(&ok);
    return ok ? std::clamp(v, min, max) : fallback;
}

uint64_t lastEventId(const QByteArray& header, const QUrl& url)
{
    QByteArray raw = header.trimmed();
    if (raw.isEmpty())
        raw = QUrlQuery(url).queryItemValue(QStringLiteral("lastEventId")).trimmed().toUtf8();
    // Digits only: QByteArray::toULongLong() stops at a NUL byte, so
    // "?lastEventId=1%00x" read as 1 (found by tests/fuzz/fuzz_sseparams).
    uint64_t id = 0;
    const char* end = raw.constData() + raw.size();
    const auto [stop, ec] = std::from_chars(raw.constData(), end, id);
    return !raw.isEmpty() && ec == std::errc() && stop == end ? id : 0;
}

FeedFilter feedFilter(const QUrl& url)
{
    const QUrlQuery query(url);
    FeedFilter filter;
    filter.projectId = query.queryItemValue(QStringLiteral("project_id")).toStdString();
    filter.logs = truthy(query.queryItemValue(QStringLiteral("logs")));
    return filter;
}

}  // namespace paas::api
