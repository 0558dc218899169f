// Fuzz target: the request-head guards (engine/api/requestguard):
// RequestGuard (Content-Length, chunked bodies, head size, keep-alive),
// AuthorityPolicy (Host, Origin) and bearerMatches().
//
// Input: sections split at 0x1E: Host, Origin, Authorization, then the
// connection's bytes, in as many pieces as there are further sections (the
// pieces are how the bytes arrive). Body limit: 256 bytes.
// Invariants: the guard's verdict does not depend on how the stream is
// split (whole, as given, byte by byte); a first head declaring a
// Content-Length over the limit is rejected; a first chunked body whose
// sizes add up to more than the limit is rejected; Host/Origin pass only
// for the allowed names; a bearer matches only the exact token.
#include "engine/api/requestguard.h"
#include "tests/fuzz/fuzzsupport.h"

#include <QList>

using namespace paas::api;

namespace {

constexpr qint64 kLimit = 256;
const QByteArray kToken = "s3cr3t-token";

RequestGuard::Verdict feedAll(const QList<QByteArray>& pieces)
{
    RequestGuard guard(kLimit);
    RequestGuard::Verdict v = RequestGuard::Verdict::Pass;
    for (const QByteArray& piece : pieces)
        v = guard.feed(piece);
    FUZZ_CHECK(guard.rejected() == (v == RequestGuard::Verdict::Reject));
    return v;
}

// Lines of the first head (CR stripped), if the stream has a complete one.
bool firstHead(const QByteArray& stream, QList<QByteArray>& lines, qsizetype& bodyAt)
{
    qsizetype at = 0;
    while (at < stream.size()) {
        const qsizetype nl = stream.indexOf('\n', at);
        if (nl < 0 || nl >= kHeadAllowance)
            return false;
        QByteArray line = stream.mid(at, nl - at);
        if (line.endsWith('\r'))
            line.chop(1);
        at = nl + 1;
        if (line.isEmpty() && lines.isEmpty())
            continue;
        if (line.isEmpty()) {
            bodyAt = at;
            return true;
        }
        lines << line;
    }
    return false;
}

// Reference model of the first request only: must it be rejected?
bool mustReject(const QByteArray& stream)
{
    QList<QByteArray> lines;
    qsizetype bodyAt = 0;
    if (!firstHead(stream, lines, bodyAt))
        return false;
    bool chunked = false;
    for (const QByteArray& line : lines.mid(1)) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        bool ok = false;
        if (name == "content-length" && line.mid(colon + 1).trimmed().toLongLong(&ok) > kLimit && ok)
            return true;
        chunked |= name == "transfer-encoding" && line.mid(colon + 1).toLower().contains("chunked");
    }
    if (!chunked)
        return false;
    // Chunked: sizes of well-formed chunks ("<hex>\r\n<data>\r\n") until the first odd one.
    qint64 total = 0;
    qsizetype at = bodyAt;
    for (;;) {
        const qsizetype nl = stream.indexOf('\n', at);
        if (nl < 0 || nl - at > 16)
            return false;
        const QByteArray digits = stream.mid(at, nl - at).trimmed();
        bool ok = !digits.isEmpty();
        for (char c : digits)
            ok &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        const qint64 n = ok ? digits.toLongLong(&ok, 16) : 0;
        if (!ok)
            return false;
        total += n;
        if (total > kLimit)
            return true;
        if (n == 0)
            return false;
        at = nl + 1 + n;
        if (stream.mid(at, 2) != "\r\n")
            return false;
        at += 2;
    }
}

void checkAuthority(const QByteArray& host, const QByteArray& origin)
{
    AuthorityPolicy policy;
    policy.allow(QStringLiteral("127.0.0.1"), 8080);
    static const QList<QByteArray> hosts = {"127.0.0.1",      "127.0.0.1:8080", "localhost",
                                            "localhost:8080", "[::1]",          "[::1]:8080"};
    static const QList<QByteArray> origins = {"http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"};
    const QByteArray h = host.trimmed().toLower();
    const QByteArray o = origin.trimmed().toLower();
    const paas::Status reading = policy.check(host, origin, false);
    FUZZ_CHECK(reading.isOk() == (h.isEmpty() || hosts.contains(h)));
    const paas::Status writing = policy.check(host, origin, true);
    if (reading.isOk())
        FUZZ_CHECK(writing.isOk() == (o.isEmpty() || origins.contains(o)));
    else
        FUZZ_CHECK(writing.reason() == "host_not_allowed");
    FUZZ_CHECK(policy.check("LOCALHOST:8080 ", "http://Localhost:8080", true).isOk());
}

void checkBearer(const QByteArray& authorization)
{
    const bool matches = bearerMatches(authorization, kToken);
    const QByteArray given = authorization.trimmed();
    FUZZ_CHECK(matches == (given.left(7).toLower() == "bearer " && given.mid(7).trimmed() == kToken));
    FUZZ_CHECK(!bearerMatches(authorization, QByteArray()));
    FUZZ_CHECK(bearerMatches("Bearer " + kToken, kToken));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto parts = paas::fuzz::allSections(data, size);
    auto part = [&](size_t i) { return i < parts.size() ? QByteArray::fromStdString(parts[i]) : QByteArray(); };
    checkAuthority(part(0), part(1));
    checkBearer(part(2));

    QList<QByteArray> pieces;
    QByteArray stream;
    for (size_t i = 3; i < parts.size(); ++i) {
        pieces << part(i);
        stream += part(i);
    }
    const RequestGuard::Verdict asGiven = feedAll(pieces);
    FUZZ_CHECK(feedAll({stream}) == asGiven);
    if (stream.size() <= 4096) {
        QList<QByteArray> bytes;
        for (char c : stream)
            bytes << QByteArray(1, c);
        FUZZ_CHECK(feedAll(bytes) == asGiven);
    }
    if (mustReject(stream))
        FUZZ_CHECK(asGiven == RequestGuard::Verdict::Reject);
    return 0;
}
