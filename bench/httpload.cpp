#include "bench/httpload.h"

#include "bench/benchcontext.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

namespace paas::bench {

namespace {

constexpr size_t kIncomplete = 0;
constexpr size_t kMalformed = std::string::npos;

int openSocket(quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

// The value of header `name` (lower case) in a response head.
bool headerValue(std::string_view head, std::string_view name, std::string& value)
{
    size_t at = head.find("\r\n");
    while (at != std::string_view::npos) {
        const size_t start = at + 2;
        const size_t end = std::min(head.find("\r\n", start), head.size());
        const std::string_view line = head.substr(start, end - start);
        if (line.size() > name.size() && line[name.size()] == ':') {
            bool same = true;
            for (size_t i = 0; i < name.size() && same; ++i)
                same = lower(line[i]) == name[i];
            if (same) {
                value.clear();
                for (char c : line.substr(name.size() + 1))
                    if (c != ' ' && c != '\t')
                        value.push_back(lower(c));
                return true;
            }
        }
        at = end < head.size() ? end : std::string_view::npos;
    }
    return false;
}

// Size of the chunked body at `at` (through its last CRLF); kIncomplete if
// it has not all arrived.
size_t chunkedLength(const std::string& in, size_t at, std::string* body)
{
    size_t pos = at;
    for (;;) {
        const size_t eol = in.find("\r\n", pos);
        if (eol == std::string::npos)
            return kIncomplete;
        const size_t size = std::strtoul(in.c_str() + pos, nullptr, 16);
        pos = eol + 2;
        if (size == 0) {
            for (;;) {  // trailers, up to the empty line
                const size_t end = in.find("\r\n", pos);
                if (end == std::string::npos)
                    return kIncomplete;
                if (end == pos)
                    return end + 2 - at;
                pos = end + 2;
            }
        }
        if (in.size() < pos + size + 2)
            return kIncomplete;
        if (body)
            body->append(in, pos, size);
        pos += size + 2;
    }
}

// One whole answer at the start of `in`: its size in bytes, kIncomplete, or
// kMalformed.
size_t parseAnswer(const std::string& in, bool eof, int& status, std::string* body, bool& close)
{
    const size_t headEnd = in.find("\r\n\r\n");
    if (headEnd == std::string::npos)
        return kIncomplete;
    const std::string_view head(in.data(), headEnd);
    const size_t space = head.find(' ');
    if (head.substr(0, 5) != "HTTP/" || space == std::string_view::npos)
        return kMalformed;
    status = std::atoi(head.data() + space + 1);
    std::string value;
    close = headerValue(head, "connection", value) && value.find("close") != std::string::npos;
    const size_t bodyAt = headEnd + 4;
    if (body)
        body->clear();
    if (headerValue(head, "transfer-encoding", value) && value.find("chunked") != std::string::npos) {
        const size_t n = chunkedLength(in, bodyAt, body);
        return n == kIncomplete ? kIncomplete : bodyAt + n;
    }
    if (headerValue(head, "content-length", value)) {
        const size_t length = std::strtoull(value.c_str(), nullptr, 10);
        if (in.size() < bodyAt + length)
            return kIncomplete;
        if (body)
            body->assign(in, bodyAt, length);
        return bodyAt + length;
    }
    if (status < 200 || status == 204 || status == 304)
        return bodyAt;
    if (!eof)
        return kIncomplete;
    close = true;
    if (body)
        body->assign(in, bodyAt);
    return in.size();
}

}  // namespace

struct HttpLoad::Connection {
    int fd = -1;
    bool busy = false;
    bool eof = false;
    size_t tag = 0;
    std::string out;
    size_t written = 0;
    std::string in;
    int64_t startNs = 0;
    bool keepBody = false;
    bool reused = false;   // answered a request before this one
    bool retried = false;  // this request was sent again on a new connection

    void close()
    {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
        eof = false;
        in.clear();
        out.clear();
        written = 0;
        reused = false;
    }
};

HttpLoad::HttpLoad(quint16 port, int connections) : m_port(port)
{
    for (int i = 0; i < std::max(1, connections); ++i)
        m_connections.push_back(std::make_unique<Connection>());
}

HttpLoad::~HttpLoad()
{
    for (auto& c : m_connections)
        c->close();
}

bool HttpLoad::begin(Connection& c, size_t tag, const HttpRequest& request)
{
    c.tag = tag;
    c.busy = true;
    c.retried = false;
    c.startNs = steadyNs();
    if (c.fd < 0)
        c.fd = openSocket(m_port);
    if (c.fd < 0)
        return false;
    c.out = request.method + ' ' + request.path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(m_port) + "\r\n";
    if (!request.body.empty() || request.method != "GET")
        c.out += "Content-Type: application/json\r\nContent-Length: " + std::to_string(request.body.size()) + "\r\n";
    c.out += "\r\n";
    c.out += request.body;
    c.written = 0;
    return flush(c) || retry(c);
}

bool HttpLoad::flush(Connection& c)
{
    while (c.written < c.out.size()) {
        const ssize_t n = ::send(c.fd, c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL);
        if (n > 0)
            c.written += static_cast<size_t>(n);
        else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return true;
        else
            return false;
    }
    return true;
}

bool HttpLoad::receive(Connection& c)
{
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            c.in.append(buffer, static_cast<size_t>(n));
            continue;
        }
        if (n == 0) {
            c.eof = true;
            return true;
        }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    }
}

bool HttpLoad::retry(Connection& c)
{
    if (!c.reused || c.retried || !c.in.empty())
        return false;
    std::string request = std::move(c.out);
    c.close();
    c.fd = openSocket(m_port);
    c.out = std::move(request);
    c.retried = true;
    return c.fd >= 0 && flush(c);
}

void HttpLoad::finish(Connection& c, int status, const Done& done, std::string body)
{
    c.busy = false;
    c.reused = true;
    done(c.tag, HttpResult{status, double(steadyNs() - c.startNs) / 1e6, std::move(body)});
}

void HttpLoad::dropAll(const Done& done)
{
    for (auto& c : m_connections)
        if (c->busy) {
            finish(*c, 0, done, {});
            c->close();
        }
}

void HttpLoad::drive(const Take& take, const Done& done, int64_t deadlineNs, bool keepBodies)
{
    bool more = true;
    std::vector<pollfd> fds;
    std::vector<Connection*> polled;
    for (;;) {
        for (auto& c : m_connections) {
            size_t tag = 0;
            const HttpRequest* request = nullptr;
            if (c->busy || !more || !(more = take(tag, request)))
                continue;
            c->keepBody = keepBodies;
            if (!begin(*c, tag, *request)) {
                finish(*c, 0, done, {});
                c->close();
            }
        }
        fds.clear();
        polled.clear();
        for (auto& c : m_connections)
            if (c->busy) {
                fds.push_back({c->fd, short(POLLIN | (c->written < c->out.size() ? POLLOUT : 0)), 0});
                polled.push_back(c.get());
            }
        if (fds.empty() && !more)
            return;
        if (steadyNs() > deadlineNs)
            return dropAll(done);
        if (fds.empty() || ::poll(fds.data(), fds.size(), 50) <= 0)
            continue;
        for (size_t i = 0; i < fds.size(); ++i) {
            Connection& c = *polled[i];
            if (!fds[i].revents)
                continue;
            bool alive = !(fds[i].revents & POLLOUT) || flush(c);
            if (alive && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                alive = receive(c);
            int status = 0;
            bool close = false;
            std::string body;
            const bool ended = c.eof || !alive;
            const size_t n = parseAnswer(c.in, ended, status, c.keepBody ? &body : nullptr, close);
            if (n == kIncomplete && ended && retry(c))
                continue;  // a kept-alive connection the server had closed
            if (n == kMalformed || (n == kIncomplete && ended)) {
                finish(c, 0, done, {});
                c.close();
            } else if (n != kIncomplete) {
                c.in.erase(0, n);
                finish(c, status, done, std::move(body));
                if (close || ended)
                    c.close();
            }
        }
    }
}

std::vector<HttpResult> HttpLoad::run(const std::vector<HttpRequest>& requests, int timeoutMs, bool keepBodies)
{
    std::vector<HttpResult> out(requests.size());
    size_t next = 0;
    drive(
        [&](size_t& tag, const HttpRequest*& request) {
            if (next >= requests.size())
                return false;
            tag = next;
            request = &requests[next++];
            return true;
        },
        [&](size_t tag, HttpResult&& result) { out[tag] = std::move(result); },
        steadyNs() + int64_t(timeoutMs) * 1000000, keepBodies);
    return out;
}

HttpResult HttpLoad::send(const HttpRequest& request, int timeoutMs)
{
    return run({request}, timeoutMs, true).front();
}

HttpRate HttpLoad::repeat(const HttpRequest& request, double seconds)
{
    HttpRate rate;
    const int64_t start = steadyNs();
    const int64_t stopAt = start + int64_t(seconds * 1e9);
    size_t ok = 0;
    drive(
        [&](size_t& tag, const HttpRequest*& r) {
            tag = 0;
            r = &request;
            return steadyNs() < stopAt;
        },
        [&](size_t, HttpResult&& result) {
            rate.answered += result.status != 0;
            if (result.status == 0 || result.status >= 400)
                ++rate.failed;
            else
                ++ok;
            rate.ms.push_back(result.ms);
        },
        stopAt + int64_t(30) * 1000000000, false);
    const double elapsed = double(steadyNs() - start) / 1e9;
    rate.perSecond = elapsed > 0 ? double(ok) / elapsed : 0;
    return rate;
}

}  // namespace paas::bench
