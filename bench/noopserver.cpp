#include "bench/noopserver.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <strings.h>
#include <vector>

namespace paas::bench {

namespace {

constexpr char kAnswer[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
    "{\"status\":\"ok\"}";

struct Peer {
    int fd = -1;
    std::string in, out;
};

// Content-Length of a request head (0 when absent).
size_t contentLength(const std::string& in, size_t headEnd)
{
    for (size_t at = in.find('\n'); at != std::string::npos && at < headEnd; at = in.find('\n', at + 1))
        if (strncasecmp(in.c_str() + at + 1, "content-length:", 15) == 0)
            return std::strtoull(in.c_str() + at + 16, nullptr, 10);
    return 0;
}

// Answers every whole request in the peer's buffer; false when it is gone.
bool serve(Peer& p)
{
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::recv(p.fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            p.in.append(buffer, static_cast<size_t>(n));
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            return false;
        break;
    }
    for (size_t end = p.in.find("\r\n\r\n"); end != std::string::npos; end = p.in.find("\r\n\r\n")) {
        const size_t total = end + 4 + contentLength(p.in, end);
        if (p.in.size() < total)
            break;
        p.in.erase(0, total);
        p.out.append(kAnswer, sizeof kAnswer - 1);
    }
    while (!p.out.empty()) {
        const ssize_t n = ::send(p.fd, p.out.data(), p.out.size(), MSG_NOSIGNAL);
        if (n <= 0)
            return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
        p.out.erase(0, static_cast<size_t>(n));
    }
    return true;
}

}  // namespace

NoopServer::~NoopServer()
{
    stop();
}

quint16 NoopServer::start()
{
    m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (m_listen < 0 || ::bind(m_listen, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(m_listen, 512) != 0 || ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        stop();
        return 0;
    }
    m_stop = false;
    m_thread = std::thread([this] { loop(); });
    return ntohs(address.sin_port);
}

void NoopServer::stop()
{
    m_stop = true;
    if (m_thread.joinable())
        m_thread.join();
    if (m_listen >= 0)
        ::close(m_listen);
    m_listen = -1;
}

void NoopServer::loop()
{
    std::vector<Peer> peers;
    std::vector<pollfd> fds;
    while (!m_stop) {
        fds.assign(1, pollfd{m_listen, POLLIN, 0});
        for (const Peer& p : peers)
            fds.push_back({p.fd, short(POLLIN | (p.out.empty() ? 0 : POLLOUT)), 0});
        if (::poll(fds.data(), fds.size(), 50) <= 0)
            continue;
        for (size_t i = peers.size(); i-- > 0;)
            if (fds[i + 1].revents && !serve(peers[i])) {
                ::close(peers[i].fd);
                peers.erase(peers.begin() + static_cast<std::ptrdiff_t>(i));
            }
        if (fds[0].revents & POLLIN)
            for (int fd; (fd = ::accept4(m_listen, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
                const int one = 1;
                ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                peers.push_back({fd, {}, {}});
            }
    }
    for (const Peer& p : peers)
        ::close(p.fd);
}

}  // namespace paas::bench
