#pragma once
// Query and SSE request parameters, free of QHttpServer so they can be
// fuzzed (tests/fuzz/fuzz_sseparams).
//
// Contract:
//   - queryValue(): the fully decoded value of the first `name` item of the
//     URL's query ("" when absent).
//   - queryIntValue(): that value as a decimal int clamped to [min, max];
//     `fallback` when absent or not an int.
//   - lastEventId(): the Last-Event-ID header (trimmed), else ?lastEventId=
//     (trimmed); 0 unless it is only decimal digits of an unsigned 64-bit
//     number (no sign, no embedded NUL).
//   - feedFilter(): ?project_id= and ?logs= (1, true or yes, any case) of
//     GET /api/events.
// Thread affinity: pure functions, thread-safe.
#include <QByteArray>
#include <QUrl>

#include <cstdint>
#include <string>

namespace paas::api {

struct FeedFilter {
    std::string projectId;  // empty: all projects
    bool logs = false;      // include step.log
};

std::string queryValue(const QUrl& url, const char* name);
int queryIntValue(const QUrl& url, const char* name, int fallback, int min, int max);
uint64_t lastEventId(const QByteArray& header, const QUrl& url);
FeedFilter feedFilter(const QUrl& url);

}  // namespace paas::api
