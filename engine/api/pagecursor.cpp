#include "engine/api/pagecursor.h"

#include "engine/api/queryparams.h"

#include <nlohmann/json.hpp>

#include <QByteArray>
#include <QUrlQuery>

namespace paas::api {

namespace {

constexpr auto kBase64 = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

Status badCursor(const std::string& why)
{
    return Status::invalidArgument("invalid_cursor", "cursor: " + why + " (pass back next_cursor unchanged)",
                                   {{"/cursor", why}});
}

}  // namespace

std::string encodeCursor(const ListCursor& cursor)
{
    const nlohmann::json j{{"o", cursor.order}, {"k", cursor.key}, {"i", cursor.id}};
    const std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return QByteArray::fromStdString(text).toBase64(kBase64).toStdString();
}

Result<ListCursor> decodeCursor(const std::string& text)
{
    if (text.empty() || text.size() > kMaxCursorChars)
        return badCursor("must be 1 to " + std::to_string(kMaxCursorChars) + " characters");
    const auto decoded = QByteArray::fromBase64Encoding(QByteArray::fromStdString(text),
                                                        kBase64 | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return badCursor("not base64url");
    const nlohmann::json j = nlohmann::json::parse((*decoded).toStdString(), nullptr, false);
    if (!j.is_object() || j.size() != 3)
        return badCursor("not a cursor this server made");
    for (const char* field : {"o", "k", "i"})
        if (!j.contains(field) || !j[field].is_string())
            return badCursor("not a cursor this server made");
    return ListCursor{j["o"].get<std::string>(), j["k"].get<std::string>(), j["i"].get<std::string>()};
}

Result<std::optional<int>> pageLimit(const QUrl& url, int max)
{
    if (!QUrlQuery(url).hasQueryItem(QStringLiteral("limit")))
        return std::optional<int>();
    const std::string raw = queryValue(url, "limit");
    bool ok = false;
    const int v = QString::fromStdString(raw).toInt(&ok);
    if (!ok || v < 1 || v > max || raw.size() > 6 || raw.find_first_not_of("0123456789") != std::string::npos)
        return Status::invalidArgument("invalid_limit", "limit: must be an integer from 1 to " + std::to_string(max),
                                       {{"/limit", "must be an integer from 1 to " + std::to_string(max)}});
    return std::optional<int>(v);
}

}  // namespace paas::api
