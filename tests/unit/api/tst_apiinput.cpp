// Unit tests for the request-input parsers of engine/api (paas_api_input):
// the request guard, Host/Origin/bearer checks, JSON bodies, webhook
// payloads and signatures, artifact paths and query/SSE parameters. The
// cases named after a fuzz target are its findings (tests/fuzz/corpus).
#include "engine/api/artifactpath.h"
#include "engine/api/pagecursor.h"
#include "engine/api/queryparams.h"
#include "engine/api/registrationbody.h"
#include "engine/api/requestbody.h"
#include "engine/api/requestguard.h"
#include "engine/api/webhookpayload.h"

#include <QDir>
#include <QFile>
#include <QMessageAuthenticationCode>
#include <QTemporaryDir>
#include <QtTest>

using namespace paas;
using namespace paas::api;
using json = nlohmann::json;

namespace {

using Verdict = RequestGuard::Verdict;

// Feeds `pieces` in order; the verdict after the last one.
Verdict feed(qint64 limit, const QList<QByteArray>& pieces)
{
    RequestGuard guard(limit);
    Verdict v = Verdict::Pass;
    for (const QByteArray& p : pieces)
        v = guard.feed(p);
    return v;
}

QList<QByteArray> byteByByte(const QByteArray& stream)
{
    QList<QByteArray> out;
    for (char c : stream)
        out << QByteArray(1, c);
    return out;
}

}  // namespace

class TestApiInput : public QObject {
    Q_OBJECT

private slots:
    void guardPassesSmallRequestsOnOneConnection()
    {
        const QByteArray two = "POST /a HTTP/1.1\r\nContent-Length: 200\r\n\r\n" + QByteArray(200, 'x') +
                               "POST /b HTTP/1.1\r\nContent-Length: 200\r\n\r\n" + QByteArray(200, 'y');
        QCOMPARE(feed(256, {two}), Verdict::Pass);
        QCOMPARE(feed(256, byteByByte(two)), Verdict::Pass);
        const QByteArray chunked =
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5;ext=1\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\nGET / HTTP/1.1\r\n\r\n";
        QCOMPARE(feed(256, byteByByte(chunked)), Verdict::Pass);
    }

    void guardRejectsDeclaredLengthOverLimit()
    {
        QCOMPARE(feed(256, {"POST / HTTP/1.1\r\nContent-Length: 257\r\n\r\n"}), Verdict::Reject);
        QCOMPARE(feed(256, {"POST / HTTP/1.1\r\ncontent-length:   999  \r\n\r\n"}), Verdict::Reject);
    }

    // The old guard looked for the Content-Length in each read on its own
    // (peek() only returns the unread bytes): a head split across two reads
    // hid it, and the body then streamed in unchecked.
    void guardSeesContentLengthInAHeadSplitAcrossReads()
    {
        QCOMPARE(feed(256, {"POST / HTTP/1.1\r\nContent-Len", "gth: 999999\r\n\r\n", "x"}), Verdict::Reject);
    }

    // QHttpServer's http_parser also ends a head at a bare "\n\n".
    void guardFollowsBareLineFeeds()
    {
        QCOMPARE(feed(256, {"POST / HTTP/1.1\nContent-Length: 999\n\n"}), Verdict::Reject);
    }

    // The old guard only counted the bytes of one read: a chunked body sent
    // in small reads was never refused.
    void guardCountsChunkedBodiesAcrossReads()
    {
        QList<QByteArray> pieces{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"};
        for (int i = 0; i < 5; ++i)
            pieces << "40\r\n" + QByteArray(64, 'x') + "\r\n";
        pieces << "0\r\n\r\n";
        QCOMPARE(feed(256, pieces), Verdict::Reject);
        QCOMPARE(feed(256, {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n"}),
                 Verdict::Reject);
    }

    void guardCountsBytesAfterMalformedChunkFraming()
    {
        const QByteArray head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
        QCOMPARE(feed(256, {head, QByteArray(100, 'q')}), Verdict::Pass);
        QCOMPARE(feed(256, {head, QByteArray(300, 'q')}), Verdict::Reject);
    }

    void guardRejectsOversizedHeadAndStaysRejected()
    {
        RequestGuard guard(256);
        QCOMPARE(guard.feed("GET / HTTP/1.1\r\nX: " + QByteArray(kHeadAllowance, 'a')), Verdict::Reject);
        QCOMPARE(guard.feed("\r\n\r\n"), Verdict::Reject);
        QVERIFY(guard.rejected());
    }

    void authorityPolicyChecksHostAndOrigin()
    {
        AuthorityPolicy policy;
        policy.allow("127.0.0.1", 8080);
        QVERIFY(policy.check("", "", true).isOk());
        QVERIFY(policy.check(" LocalHost:8080 ", "http://[::1]:8080", true).isOk());
        QCOMPARE(policy.check("evil.example", "", false).reason(), std::string("host_not_allowed"));
        QCOMPARE(policy.check("127.0.0.1:8080", "http://evil.example", true).reason(),
                 std::string("origin_not_allowed"));
        QVERIFY(policy.check("127.0.0.1:8080", "http://evil.example", false).isOk());
        AuthorityPolicy v6;
        v6.allow("::1", 9000);
        QVERIFY(v6.check("[::1]:9000", "http://[::1]:9000", true).isOk());
    }

    void bearerMatchesOnlyTheToken()
    {
        QVERIFY(bearerMatches("Bearer abc", "abc"));
        QVERIFY(bearerMatches("  bEaReR   abc  ", "abc"));
        QVERIFY(!bearerMatches("Bearer abcd", "abc"));
        QVERIFY(!bearerMatches("Basic abc", "abc"));
        QVERIFY(!bearerMatches("Bearer ", ""));
    }

    // fuzz_webhook: nlohmann reports a number outside the double range as
    // out_of_range (406), not parse_error; it escaped jsonBody() and
    // terminated the server.
    void jsonBodyRefusesOutOfRangeNumbers()
    {
        for (const QByteArray& body : {QByteArray(R"({"a":1e999})"), QByteArray(R"({"a":-1e400})")}) {
            Result<json> doc = parseJsonObjectBody(body);
            QVERIFY(!doc);
            QCOMPARE(doc.status().reason(), std::string("malformed_json"));
        }
        QVERIFY(parseJsonObjectBody(R"({"a":18446744073709551616,"b":1e-400})"));
    }

    void jsonBodyLimits()
    {
        QCOMPARE(parseJsonObjectBody("  ").status().reason(), std::string("malformed_json"));
        QCOMPARE(parseJsonObjectBody("[1]").status().reason(), std::string("malformed_json"));
        QCOMPARE(parseJsonObjectBody(QByteArray(70, '[') + QByteArray(70, ']')).status().reason(),
                 std::string("too_deep"));
    }

    // fuzz_webhook: repository.name of another type threw type_error from
    // json::value() and terminated the server.
    void forgePushWithOddTypesReadsEmpty()
    {
        const json push = json::parse(R"({"ref": 1, "after": null, "repository": {"name": 7}})");
        Result<WebhookPayload> p = parseWebhookPayload(push, "");
        QVERIFY(p);
        QCOMPARE(p->projectId, std::string());
        QCOMPARE(p->ref, std::string());
        Result<WebhookPayload> q = parseWebhookPayload(push, "demo");
        QVERIFY(q);
        QCOMPARE(q->projectId, std::string("demo"));
    }

    void referencePayloadFieldsMustBeStrings()
    {
        Result<WebhookPayload> ok =
            parseWebhookPayload(json{{"project_id", "demo"}, {"commit", "abc"}, {"trigger", "hook"}}, "ignored");
        QVERIFY(ok);
        QCOMPARE(ok->projectId, std::string("demo"));
        QCOMPARE(ok->source, std::string("hook"));
        Result<WebhookPayload> bad = parseWebhookPayload(json{{"project_id", "demo"}, {"branch", 3}}, "");
        QVERIFY(!bad);
        QCOMPARE(bad.status().reason(), std::string("invalid_field"));
        QCOMPARE(bad.status().details().front().path, std::string("/branch"));
    }

    // Found beside fuzz_specparser: a non-string action or project_id threw
    // type_error from json::value() in the registration routes and
    // terminated the server.
    void registrationFieldsMustBeStrings()
    {
        for (const char* body :
             {R"({"action":1})", R"({"action":"create","project_id":[1]})", R"({"project_id":{}})"}) {
            Result<RegistrationBody> r = parseRegistrationBody(json::parse(body), "", "");
            QVERIFY2(!r, body);
            QCOMPARE(r.status().reason(), std::string("invalid_field"));
        }
        Result<RegistrationBody> ok = parseRegistrationBody(
            json::parse(R"({"action":"update","project_id":"demo","spec":{"a":1},"webhook_secret":7})"), "", "");
        QVERIFY(ok);
        QCOMPARE(ok->action, std::string("update"));
        QCOMPARE(ok->projectId, std::string("demo"));
        QCOMPARE(ok->spec, json::parse(R"({"a":1})"));
        QVERIFY(!ok->webhookSecret);
        Result<RegistrationBody> legacy =
            parseRegistrationBody(json::parse(R"({"action":5,"project_id":null})"), "delete", "x");
        QVERIFY(legacy);
        QCOMPARE(legacy->action, std::string("delete"));
        QCOMPARE(*optionalStringField(json::parse(R"({"project_id":null})"), "project_id"), std::string());
    }

    void hubSignature()
    {
        const QByteArray body = R"({"ref":"refs/heads/main"})";
        const QByteArray sig =
            "sha256=" + QMessageAuthenticationCode::hash(body, "k", QCryptographicHash::Sha256).toHex();
        QVERIFY(hubSignatureMatches(body, "k", sig));
        QVERIFY(hubSignatureMatches(body, "k", " " + sig + "\r\n"));
        QVERIFY(!hubSignatureMatches(body, "other", sig));
        QVERIFY(!hubSignatureMatches(body, "k", ""));
    }

    void artifactPaths()
    {
        QTemporaryDir tmp;
        const QString root = QDir(tmp.path()).canonicalPath() + "/proj";
        QVERIFY(QDir().mkpath(root + "/src") && QDir().mkpath(root + "/.git") && QDir().mkpath(root + "-evil"));
        for (const QString& f : {root + "/src/main.go", root + "/.git/config", root + "-evil/secret"}) {
            QFile file(f);
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        QVERIFY(QFile::link("../proj-evil/secret", root + "/sibling"));
        QVERIFY(QFile::link(".git/config", root + "/git-link"));
        QVERIFY(QFile::link("src/main.go", root + "/in-link"));
        QCOMPARE(*resolveArtifactPath(root, "src/main.go"), root + "/src/main.go");
        QCOMPARE(*resolveArtifactPath(root, "in-link"), root + "/src/main.go");
        for (const char* hidden : {"sibling", "git-link", ".git/config", "src", "missing"})
            QCOMPARE(resolveArtifactPath(root, hidden).status().reason(), std::string("artifact_not_found"));
        const QStringList invalid{"../proj-evil/secret", "/etc/passwd", "src\\..\\..\\x",
                                  QString("a") + QChar(0) + "b"};
        for (const QString& path : invalid)
            QCOMPARE(resolveArtifactPath(root, path).status().reason(), std::string("invalid_path"));
    }

    void pageCursorsAndLimits()
    {
        const ListCursor c{"name", "caf\xc3\xa9 \"x\"", "p-1"};
        const std::string text = encodeCursor(c);
        QVERIFY(text.find_first_of("+/=") == std::string::npos);  // URL-safe as is
        Result<ListCursor> back = decodeCursor(text);
        QVERIFY(back);
        QCOMPARE(back->key, c.key);
        QCOMPARE(back->id, c.id);
        for (const std::string& bad : {std::string(), std::string("!!"), std::string("e30"), std::string("WzEsMiwzXQ"),
                                       std::string(kMaxCursorChars + 1, 'A')}) {
            Result<ListCursor> r = decodeCursor(bad);
            QVERIFY(!r);
            QCOMPARE(r.status().reason(), std::string("invalid_cursor"));
            QCOMPARE(r.status().details().front().path, std::string("/cursor"));
        }
        auto limitOf = [](const char* query) {
            return pageLimit(QUrl(QStringLiteral("http://h/api/projects") + QLatin1String(query)), 500);
        };
        QVERIFY(limitOf("") && !limitOf("")->has_value());
        QCOMPARE(limitOf("?limit=500")->value(), 500);
        QCOMPARE(limitOf("?limit=1")->value(), 1);
        for (const char* bad : {"?limit=0", "?limit=501", "?limit=+5", "?limit=5x", "?limit=", "?limit=%205"})
            QVERIFY2(!limitOf(bad) && limitOf(bad).status().details().front().path == "/limit", bad);
    }

    void queryAndSseParameters()
    {
        QUrl url("http://127.0.0.1/api/events");
        url.setQuery("lastEventId=%2042%20&logs=TRUE&project_id=demo&limit=100000&offset=x", QUrl::TolerantMode);
        QCOMPARE(lastEventId("", url), uint64_t(42));
        QCOMPARE(lastEventId(" 7 ", url), uint64_t(7));
        QCOMPARE(lastEventId("12abc", url), uint64_t(0));
        QCOMPARE(lastEventId("18446744073709551616", url), uint64_t(0));
        QCOMPARE(lastEventId("18446744073709551615", url), uint64_t(18446744073709551615ULL));
        QCOMPARE(lastEventId("+17", url), uint64_t(0));
        // fuzz_sseparams: QByteArray::toULongLong() stopped at a NUL byte.
        QCOMPARE(lastEventId(QByteArray("1\0x", 3), url), uint64_t(0));
        QUrl nul("http://127.0.0.1/api/events");
        nul.setQuery("lastEventId=1%00x", QUrl::TolerantMode);
        QCOMPARE(lastEventId("", nul), uint64_t(0));
        QCOMPARE(feedFilter(url).projectId, std::string("demo"));
        QVERIFY(feedFilter(url).logs);
        QCOMPARE(queryIntValue(url, "limit", 50, 1, 500), 500);
        QCOMPARE(queryIntValue(url, "offset", 0, 0, 100000), 0);
        QCOMPARE(queryIntValue(url, "absent", 9, 0, 10), 9);
    }
};

QTEST_GUILESS_MAIN(TestApiInput)
#include "tst_apiinput.moc"
