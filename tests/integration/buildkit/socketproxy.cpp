#include "tests/integration/buildkit/socketproxy.h"

#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace paas::test {
namespace {

sockaddr_un address(const std::string& path)
{
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
    return a;
}

bool forward(int from, int to)
{
    char buf[65536];
    const ssize_t n = ::read(from, buf, sizeof buf);
    if (n <= 0)
        return false;
    for (ssize_t off = 0; off < n;) {
        const ssize_t w = ::send(to, buf + off, size_t(n - off), MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        off += w;
    }
    return true;
}

}  // namespace

SocketProxy::SocketProxy(std::string listenPath, std::string upstreamPath)
    : m_listenPath(std::move(listenPath)), m_upstreamPath(std::move(upstreamPath))
{
}

SocketProxy::~SocketProxy()
{
    cut();
}

bool SocketProxy::start()
{
    if (::pipe(m_wakePipe) != 0)
        return false;
    m_listenFd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_un a = address(m_listenPath);
    ::unlink(m_listenPath.c_str());
    if (::bind(m_listenFd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || ::listen(m_listenFd, 8) != 0)
        return false;
    m_thread = std::thread([this] { run(); });
    return true;
}

void SocketProxy::cut()
{
    if (!m_thread.joinable())
        return;
    const char c = 'x';
    (void)!::write(m_wakePipe[1], &c, 1);
    m_thread.join();
    ::close(m_wakePipe[0]);
    ::close(m_wakePipe[1]);
}

// Relays each accepted client to a fresh upstream connection until cut().
void SocketProxy::run()
{
    std::vector<std::pair<int, int>> pairs;  // client, upstream
    for (;;) {
        std::vector<pollfd> fds{{m_wakePipe[0], POLLIN, 0}, {m_listenFd, POLLIN, 0}};
        for (const auto& [c, u] : pairs) {
            fds.push_back({c, POLLIN, 0});
            fds.push_back({u, POLLIN, 0});
        }
        if (::poll(fds.data(), fds.size(), -1) < 0)
            continue;
        const size_t polled = pairs.size();  // a pair accepted below was not polled yet
        if (fds[0].revents)
            break;
        if (fds[1].revents & POLLIN) {
            const int client = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC);
            const int upstream = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            const sockaddr_un a = address(m_upstreamPath);
            if (client >= 0 && ::connect(upstream, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0) {
                pairs.emplace_back(client, upstream);
                ++m_connections;
            } else {
                ::close(client);
                ::close(upstream);
            }
        }
        for (size_t i = 0; i < polled; ++i) {
            auto [c, u] = pairs[i];
            const bool ok =
                (!(fds[2 + 2 * i].revents) || forward(c, u)) && (!(fds[3 + 2 * i].revents) || forward(u, c));
            if (!ok) {
                ::close(c);
                ::close(u);
                pairs[i] = {-1, -1};
            }
        }
        std::erase_if(pairs, [](const auto& p) { return p.first < 0; });
    }
    for (const auto& [c, u] : pairs) {
        ::shutdown(c, SHUT_RDWR);
        ::close(c);
        ::close(u);
    }
    ::close(m_listenFd);
    ::unlink(m_listenPath.c_str());
}

}  // namespace paas::test
