#pragma once
// Paging parameters of the list endpoints (?limit=, ?cursor=), free of
// QHttpServer so they can be fuzzed and unit-tested.
//
// Contract:
//   - A cursor is opaque to clients: base64url (no padding) of a small JSON
//     object naming the list order and the (key, id) of the last item of the
//     previous page. decodeCursor() accepts exactly what encodeCursor()
//     makes (at most kMaxCursorChars); anything else is InvalidArgument
//     "invalid_cursor" naming the field "cursor".
//   - pageLimit(): absent → std::nullopt; a decimal integer in [1, max] →
//     that value; anything else → InvalidArgument "invalid_limit" naming
//     the field "limit".
// Thread affinity: pure functions, thread-safe.
#include "engine/core/status.h"

#include <QUrl>

#include <optional>
#include <string>

namespace paas::api {

struct ListCursor {
    std::string order;  // the list order it belongs to, e.g. "name"
    std::string key;    // the sort key of the last item returned
    std::string id;     // its id (ties)
};

inline constexpr size_t kMaxCursorChars = 1024;

std::string encodeCursor(const ListCursor& cursor);
Result<ListCursor> decodeCursor(const std::string& text);
Result<std::optional<int>> pageLimit(const QUrl& url, int max);

}  // namespace paas::api
