#include "engine/api/requestguard.h"

#include "engine/core/constanttime.h"

#include <QList>

namespace paas::api {

namespace {

// "name: value" -> lowercased trimmed name, trimmed value; false if no colon.
bool splitHeader(const QByteArray& line, QByteArray& name, QByteArray& value)
{
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return false;
    name = line.left(colon).trimmed().toLower();
    value = line.mid(colon + 1).trimmed();
    return true;
}

// Leading hex digits of a chunk-size line (extensions after ';' ignored);
// -1 when malformed, cap + 1 when larger than cap.
qint64 chunkSizeOf(const QByteArray& line, qint64 cap)
{
    const QByteArray digits = line.left(line.indexOf(';') < 0 ? line.size() : line.indexOf(';')).trimmed();
    if (digits.isEmpty())
        return -1;
    qint64 size = 0;
    for (char c : digits) {
        int v = -1;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        if (v < 0)
            return -1;
        size = size * 16 + v;
        if (size > cap)
            return cap + 1;
    }
    return size;
}

}  // namespace

// Appends bytes[at..] up to and including the next '\n' to m_line; returns
// the index after what was consumed.
qsizetype RequestGuard::consumeLine(QByteArrayView bytes, qsizetype at, bool& complete)
{
    const qsizetype nl = bytes.indexOf('\n', at);
    const qsizetype end = nl < 0 ? bytes.size() : nl;
    m_line.append(bytes.sliced(at, end - at));
    m_lineBytes += (nl < 0 ? end : end + 1) - at;
    complete = nl >= 0;
    if (complete && m_line.endsWith('\r'))
        m_line.chop(1);
    return complete ? nl + 1 : end;
}

RequestGuard::Verdict RequestGuard::feed(QByteArrayView bytes)
{
    qsizetype at = 0;
    while (at < bytes.size() && m_state != State::Rejected) {
        const qint64 left = bytes.size() - at;
        switch (m_state) {
        case State::Body:
        case State::ChunkData: {
            const qint64 take = std::min(left, m_remaining);
            m_remaining -= take;
            at += take;
            if (m_remaining == 0)
                m_state = m_state == State::Body ? State::Head : State::ChunkEnd;
            continue;
        }
        case State::Opaque:
            m_bodyTotal += left;
            at = bytes.size();
            if (m_bodyTotal > m_maxBody)
                reject();
            continue;
        default: break;
        }
        bool complete = false;
        at = consumeLine(bytes, at, complete);
        if (m_lineBytes > kHeadAllowance) {
            reject();
            break;
        }
        if (!complete)
            continue;
        const QByteArray line = std::exchange(m_line, QByteArray());
        if (m_state == State::Head)
            onHeadLine(line);
        else if (m_state == State::ChunkSize)
            onChunkSize(line);
        else if (m_state == State::ChunkEnd)
            m_state = State::ChunkSize, m_lineBytes = 0;
        else if (m_state == State::Trailers && line.isEmpty())
            m_state = State::Head, m_lineBytes = 0;
    }
    return m_state == State::Rejected ? Verdict::Reject : Verdict::Pass;
}

void RequestGuard::onHeadLine(const QByteArray& line)
{
    if (line.isEmpty()) {
        if (m_sawRequestLine)
            onHeadEnd();
        else
            m_lineBytes = 0;  // empty lines before a request line are skipped
        return;
    }
    if (!m_sawRequestLine) {
        m_sawRequestLine = true;
        return;
    }
    QByteArray name, value;
    if (!splitHeader(line, name, value))
        return;
    if (name == "content-length") {
        bool ok = false;
        const qint64 n = value.toLongLong(&ok);
        if (ok && n > m_maxBody)
            return reject();
        if (ok && n > m_contentLength)
            m_contentLength = n;
    } else if (name == "transfer-encoding" && value.toLower().contains("chunked")) {
        m_chunked = true;
    }
}

void RequestGuard::onHeadEnd()
{
    m_lineBytes = 0;
    m_bodyTotal = 0;
    m_sawRequestLine = false;
    if (m_chunked) {
        m_state = State::ChunkSize;
    } else if (m_contentLength > 0) {
        m_state = State::Body;
        m_remaining = m_contentLength;
    }
    m_chunked = false;
    m_contentLength = 0;
}

void RequestGuard::onChunkSize(const QByteArray& line)
{
    m_lineBytes = 0;
    const qint64 size = chunkSizeOf(line, m_maxBody);
    if (size < 0) {
        m_state = State::Opaque;  // QHttpServer will refuse it; count what follows
        return;
    }
    m_bodyTotal += size;
    if (m_bodyTotal > m_maxBody)
        return reject();
    if (size == 0) {
        m_state = State::Trailers;
        return;
    }
    m_state = State::ChunkData;
    m_remaining = size;
}

void AuthorityPolicy::allow(const QString& host, quint16 port)
{
    const QByteArray p = QByteArray::number(port);
    QList<QByteArray> names{"127.0.0.1", "localhost", "[::1]"};
    const QByteArray own = host.contains(':') ? "[" + host.toLatin1() + "]" : host.toLatin1();
    if (!names.contains(own))
        names << own;
    for (const QByteArray& name : names) {
        m_hosts << name << name + ":" + p;
        m_origins << "http://" + name + ":" + p;
    }
}

Status AuthorityPolicy::check(const QByteArray& hostHeader, const QByteArray& originHeader, bool changesState) const
{
    const QByteArray host = hostHeader.trimmed().toLower();
    if (!host.isEmpty() && !m_hosts.contains(host))
        return {Status::Code::Misdirected, "host_not_allowed",
                "Host '" + host.toStdString() + "' is not this server; use http://127.0.0.1:<port> or localhost"};
    const QByteArray origin = originHeader.trimmed().toLower();
    if (changesState && !origin.isEmpty() && !m_origins.contains(origin))
        return {Status::Code::Forbidden, "origin_not_allowed",
                "cross-origin request from '" + origin.toStdString() + "' refused"};
    return Status::ok();
}

bool bearerMatches(const QByteArray& authorization, const QByteArray& token)
{
    const QByteArray given = authorization.trimmed();
    return !token.isEmpty() && given.size() > 7 && given.left(7).toLower() == "bearer " &&
           constantTimeEquals(given.mid(7).trimmed(), token);
}

}  // namespace paas::api
