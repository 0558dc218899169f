#pragma once
// HttpLoad: the load generator of paas_bench. A minimal HTTP/1.1 client on
// raw non-blocking loopback sockets and poll(), so that the client costs as
// little as possible next to the server it measures (no Qt event loop, no
// QNetworkAccessManager, no per-request allocation beyond the buffers).
//
// Contract:
//  - `connections` keep-alive connections to 127.0.0.1:<port>, opened lazily
//    and re-opened after the server closes one; one request in flight per
//    connection (no pipelining), so N connections = N concurrent requests.
//  - run() sends every request (the next one goes to whichever connection is
//    free first) and returns the answers in request order. A request that got
//    no complete answer before the deadline, or whose connection failed,
//    has status 0. Bodies are kept only when asked for.
//  - Latency of one request: from its first byte written to the last byte of
//    its answer read, on a steady clock.
//  - repeat() sends one request over and over on every connection for a
//    duration: a throughput figure.
//  - Answers may be Content-Length framed, chunked, or have no body
//    (1xx/204/304); anything else is read until the server closes.
// Thread affinity: one thread at a time; every call blocks that thread.
#include <QtGlobal>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace paas::bench {

struct HttpRequest {
    std::string method = "GET";
    std::string path;
    std::string body;  // sent as application/json when not empty
};

struct HttpResult {
    int status = 0;  // 0: no answer
    double ms = 0;
    std::string body;
};

struct HttpRate {
    double perSecond = 0;
    size_t answered = 0;  // any HTTP status
    size_t failed = 0;    // status 0 or >= 400
    std::vector<double> ms;
};

class HttpLoad {
public:
    HttpLoad(quint16 port, int connections);
    ~HttpLoad();
    HttpLoad(const HttpLoad&) = delete;
    HttpLoad& operator=(const HttpLoad&) = delete;

    std::vector<HttpResult> run(const std::vector<HttpRequest>& requests, int timeoutMs = 300000,
                                bool keepBodies = true);
    HttpResult send(const HttpRequest& request, int timeoutMs = 60000);
    HttpRate repeat(const HttpRequest& request, double seconds);

private:
    struct Connection;
    // The core loop: take() hands out the next request (false: none left),
    // done() gets each answer with the tag take() gave.
    using Take = std::function<bool(size_t& tag, const HttpRequest*& request)>;
    using Done = std::function<void(size_t tag, HttpResult&& result)>;
    void drive(const Take& take, const Done& done, int64_t deadlineNs, bool keepBodies);
    bool begin(Connection& c, size_t tag, const HttpRequest& request);
    bool flush(Connection& c);
    // Reads what is there; false when the connection is gone.
    bool receive(Connection& c);
    // Sends the request again on a new connection when the server closed a
    // kept-alive one before answering anything (once per request).
    bool retry(Connection& c);
    void finish(Connection& c, int status, const Done& done, std::string body);
    void dropAll(const Done& done);

    quint16 m_port;
    std::vector<std::unique_ptr<Connection>> m_connections;
};

}  // namespace paas::bench
