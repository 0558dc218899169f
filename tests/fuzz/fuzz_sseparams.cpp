// Fuzz target: SSE and query parameters (engine/api/queryparams):
// Last-Event-ID (header, else ?lastEventId=), GET /api/events' project_id
// and logs, the clamped integers of ?offset= / ?limit=, and the list paging
// parameters (engine/api/pagecursor: ?limit=, ?cursor=).
//
// Input: sections split at 0x1E: the Last-Event-ID header, the query string
// (as QHttpServer sets it: QUrl::setQuery in tolerant mode).
// Invariants: integers stay in range or fall back; an id that is a plain
// decimal uint64 is read exactly, anything else (a sign, a NUL) is 0.
#include "engine/api/pagecursor.h"
#include "engine/api/queryparams.h"
#include "tests/fuzz/fuzzsupport.h"

#include <QUrlQuery>

#include <charconv>

using namespace paas::api;

namespace {

// The id a plain decimal uint64 spells, or nothing.
bool plainDecimal(const QByteArray& text, uint64_t& value)
{
    if (text.isEmpty())
        return false;
    for (char c : text)
        if (c < '0' || c > '9')
            return false;
    const auto [end, ec] = std::from_chars(text.constData(), text.constData() + text.size(), value);
    return ec == std::errc() && end == text.constData() + text.size();
}

void checkLastEventId(const QByteArray& header, const QUrl& url)
{
    const uint64_t id = lastEventId(header, url);
    const QByteArray used = header.trimmed().isEmpty()
                                ? QUrlQuery(url).queryItemValue(QStringLiteral("lastEventId")).trimmed().toUtf8()
                                : header.trimmed();
    uint64_t expected = 0;
    FUZZ_CHECK(id == (plainDecimal(used, expected) ? expected : 0));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto parts = paas::fuzz::sections(data, size, 2);
    QUrl url(QStringLiteral("http://127.0.0.1:8080/api/events"));
    url.setQuery(QString::fromLatin1(parts[1].data(), qsizetype(parts[1].size())), QUrl::TolerantMode);

    checkLastEventId(QByteArray::fromStdString(parts[0]), url);

    const FeedFilter filter = feedFilter(url);
    const QString logs = QUrlQuery(url).queryItemValue(QStringLiteral("logs"));
    bool ascii = true;
    for (QChar c : logs)
        ascii &= c.unicode() < 0x80;
    if (ascii)  // (Unicode case folding makes e.g. "yeſ" equal "yes"; fine, but not modelled here)
        FUZZ_CHECK(filter.logs == (logs == "1" || logs.toLower() == "true" || logs.toLower() == "yes"));

    const int offset = queryIntValue(url, "offset", 0, 0, 100000);
    const int limit = queryIntValue(url, "limit", 50, 1, 500);
    FUZZ_CHECK(offset >= 0 && offset <= 100000);
    FUZZ_CHECK(limit >= 1 && limit <= 500);
    const std::string raw = queryValue(url, "limit");
    if (raw.empty())
        FUZZ_CHECK(limit == 50);
    (void)queryValue(url, "project_id");

    // Paging: a limit is in range or refused; a cursor that decodes
    // re-encodes to a cursor that decodes to the same fields.
    const paas::Result<std::optional<int>> paged = pageLimit(url, 500);
    FUZZ_CHECK(!paged || !paged->has_value() || (**paged >= 1 && **paged <= 500));
    const paas::Result<ListCursor> cursor = decodeCursor(queryValue(url, "cursor"));
    if (cursor) {
        const paas::Result<ListCursor> again = decodeCursor(encodeCursor(*cursor));
        FUZZ_CHECK(again && again->order == cursor->order && again->key == cursor->key && again->id == cursor->id);
    }
    return 0;
}
