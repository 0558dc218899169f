#include "engine/build/dockerupgrade.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace paas {
namespace {

using Clock = std::chrono::steady_clock;

Status unreachable(const std::string& what, const std::string& why)
{
    return Status::unavailable("buildkit_unreachable", what + ": " + why);
}

int remainingMs(Clock::time_point deadline)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits for `events` on fd until the deadline. Returns false on timeout/error.
bool waitFor(int fd, short events, Clock::time_point deadline)
{
    for (;;) {
        pollfd p{fd, events, 0};
        const int rc = ::poll(&p, 1, remainingMs(deadline));
        if (rc > 0)
            return true;
        if (rc == 0 || errno != EINTR)
            return false;
    }
}

Status writeAll(int fd, const std::string& data, Clock::time_point deadline, const std::string& what)
{
    size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += static_cast<size_t>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!waitFor(fd, POLLOUT, deadline))
                return unreachable(what, "timed out sending the upgrade request");
        } else {
            return unreachable(what, std::string("send failed: ") + std::strerror(errno));
        }
    }
    return Status::ok();
}

// Reads the HTTP response head one byte at a time, stopping right after the
// blank line, so the first HTTP/2 frame stays in the socket for gRPC.
Result<std::string> readHead(int fd, Clock::time_point deadline, const std::string& what)
{
    std::string head;
    constexpr size_t kMaxHead = 16 * 1024;
    while (head.size() < kMaxHead) {
        char c = 0;
        const ssize_t n = ::recv(fd, &c, 1, 0);
        if (n == 1) {
            head.push_back(c);
            if (head.size() >= 4 && head.compare(head.size() - 4, 4, "\r\n\r\n") == 0)
                return head;
        } else if (n == 0) {
            return unreachable(what, "the engine closed the connection during the upgrade");
        } else if (errno == EAGAIN || errno == EINTR) {
            if (!waitFor(fd, POLLIN, deadline))
                return unreachable(what, "timed out waiting for the upgrade reply");
        } else {
            return unreachable(what, std::string("recv failed: ") + std::strerror(errno));
        }
    }
    return unreachable(what, "the upgrade reply header is too large");
}

}  // namespace

Result<int> dialUnixSocket(const std::string& path, int timeoutMs)
{
    const std::string what = "unix socket " + path;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof(addr.sun_path))
        return Status::invalidArgument("invalid_buildkit_address", what + ": path too long for a Unix socket");
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);

    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return unreachable(what, std::string("socket() failed: ") + std::strerror(errno));
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        if (errno != EINPROGRESS && errno != EAGAIN) {
            const int err = errno;
            ::close(fd);
            return unreachable(what, std::string("connect failed: ") + std::strerror(err));
        }
        int soErr = 0;
        socklen_t len = sizeof(soErr);
        if (!waitFor(fd, POLLOUT, deadline) || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soErr, &len) != 0 ||
            soErr != 0) {
            ::close(fd);
            return unreachable(what, soErr ? std::string("connect failed: ") + std::strerror(soErr)
                                           : std::string("connect timed out"));
        }
    }
    return fd;
}

Result<int> dialDockerGrpc(const std::string& socketPath, int timeoutMs)
{
    return dialDockerUpgrade(socketPath, "/grpc", {}, timeoutMs);
}

Result<int> dialDockerUpgrade(const std::string& socketPath, const std::string& path,
                              const std::vector<std::pair<std::string, std::string>>& headers, int timeoutMs)
{
    const std::string what = "Docker engine at " + socketPath;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    Result<int> fd = dialUnixSocket(socketPath, timeoutMs);
    if (!fd)
        return fd.status();
    std::string request = "POST " + path + " HTTP/1.1\r\nHost: docker\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n";
    for (const auto& [name, value] : headers)
        request += name + ": " + value + "\r\n";
    request += "Content-Length: 0\r\n\r\n";
    Status st = writeAll(*fd, request, deadline, what);
    Result<std::string> head = st ? readHead(*fd, deadline, what) : Result<std::string>(st);
    if (!head) {
        ::close(*fd);
        return head.status();
    }
    const std::string statusLine = head->substr(0, head->find("\r\n"));
    if (statusLine.rfind("HTTP/1.1 101", 0) != 0 && statusLine.rfind("HTTP/1.0 101", 0) != 0) {
        ::close(*fd);
        return unreachable(what, "POST " + path + " was not upgraded (got '" + statusLine +
                                     "'); the engine may be too old for BuildKit over gRPC");
    }
    return *fd;
}

}  // namespace paas
