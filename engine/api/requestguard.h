#pragma once
// Request-head guards, free of sockets and QHttpServer so they can be fuzzed
// (tests/fuzz/fuzz_requestguard):
//
//   RequestGuard     the byte-stream accountant behind GuardedTcpServer
//   AuthorityPolicy  the Host / Origin checks of the Router
//   bearerMatches()  the Router's "Authorization: Bearer" check
//
// RequestGuard contract: feed() gets every byte of one connection exactly
// once, in order, in pieces of any size (the verdict never depends on how
// the stream is split). It follows HTTP/1.1 framing across keep-alive
// requests: heads end at an empty line (CRLF or bare LF, as QHttpServer's
// http_parser accepts both); the body is Content-Length bytes, or chunked
// (Transfer-Encoding: chunked wins over Content-Length). It answers Reject,
// and stays rejected, when
//   - a head (or a chunk-size/trailer line) exceeds kHeadAllowance bytes,
//   - any Content-Length of a head is over maxBodyBytes,
//   - the chunk sizes of one body add up to more than maxBodyBytes,
//   - framing it cannot follow (a malformed chunk size) is followed by more
//     than maxBodyBytes bytes on the connection.
// Everything else is Pass; malformed requests are left to QHttpServer.
//
// AuthorityPolicy contract: check() answers 421 "host_not_allowed" for a
// non-empty Host (trimmed, case-insensitive) not in the allowed set, and
// 403 "origin_not_allowed" for a state-changing request with a non-empty
// Origin not in the allowed set; else ok. allow(host, port) admits
// 127.0.0.1, localhost, [::1] and host (bracketed when IPv6), each with and
// without ":port", and the origins http://<name>:<port>.
// Thread affinity: value types; one object per connection / router.
#include "engine/core/status.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QSet>
#include <QString>

namespace paas::api {

inline constexpr qint64 kHeadAllowance = 64 * 1024;

class RequestGuard {
public:
    enum class Verdict { Pass, Reject };

    explicit RequestGuard(qint64 maxBodyBytes) : m_maxBody(maxBodyBytes) {}

    Verdict feed(QByteArrayView bytes);
    bool rejected() const { return m_state == State::Rejected; }
    qint64 maxBodyBytes() const { return m_maxBody; }

private:
    enum class State { Head, Body, ChunkSize, ChunkData, ChunkEnd, Trailers, Opaque, Rejected };

    qsizetype consumeLine(QByteArrayView bytes, qsizetype at, bool& complete);
    void onHeadLine(const QByteArray& line);
    void onHeadEnd();
    void onChunkSize(const QByteArray& line);
    void reject() { m_state = State::Rejected; }

    qint64 m_maxBody;
    State m_state = State::Head;
    QByteArray m_line;       // the line being collected (without its '\n')
    qint64 m_lineBytes = 0;  // bytes of the current head / trailer section
    bool m_sawRequestLine = false;
    bool m_chunked = false;
    qint64 m_contentLength = 0;
    qint64 m_remaining = 0;  // Body / ChunkData bytes still expected
    qint64 m_bodyTotal = 0;  // this request's body so far (chunked, opaque)
};

class AuthorityPolicy {
public:
    void allow(const QString& host, quint16 port);
    Status check(const QByteArray& hostHeader, const QByteArray& originHeader, bool changesState) const;

private:
    QSet<QByteArray> m_hosts;
    QSet<QByteArray> m_origins;
};

// "Bearer <token>" (scheme case-insensitive, spaces trimmed), compared in
// constant time. An empty token never matches.
bool bearerMatches(const QByteArray& authorization, const QByteArray& token);

}  // namespace paas::api
