#include "engine/build/buildsession.h"

#include "engine/build/dockerupgrade.h"
#include "engine/build/filesyncservice.h"
#include "engine/build/sessionauth.h"

#include <QUuid>

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/server_posix.h>

#include <QByteArray>

#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace paas {

namespace bk = moby::buildkit::v1;

// Control.Session: the stream and the pumps between it and the socketpair.
struct ControlTunnel {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReaderWriter<bk::BytesMessage, bk::BytesMessage>> stream;
    int localFd = -1;  // our end of the socketpair (the other one is gRPC's)
    std::thread up;    // socketpair -> stream
    std::thread down;  // stream -> socketpair

    void stop()
    {
        context.TryCancel();
        if (localFd >= 0)
            ::shutdown(localFd, SHUT_RDWR);
        if (up.joinable())
            up.join();
        if (down.joinable())
            down.join();
        if (stream)
            stream->Finish();
        stream.reset();
        if (localFd >= 0)
            ::close(localFd);
        localFd = -1;
    }
};

struct BuildSession::Impl {
    std::string id;
    std::unique_ptr<FileSyncService> fileSync;
    std::unique_ptr<SessionAuthService> auth;
    std::unique_ptr<grpc::Server> server;
    std::unique_ptr<ControlTunnel> tunnel;
};

namespace {

std::vector<std::pair<std::string, std::string>> sessionHeaders(const std::string& id, const std::string& sharedKey)
{
    std::vector<std::pair<std::string, std::string>> h = {
        {"X-Docker-Expose-Session-Uuid", id},
        {"X-Docker-Expose-Session-Name", "paas"},
        {"X-Docker-Expose-Session-Sharedkey", sharedKey.empty() ? id : sharedKey},
        {"X-Docker-Expose-Session-Grpc-Method", "/moby.filesync.v1.FileSync/DiffCopy"},
        {"X-Docker-Expose-Session-Grpc-Method", "/moby.filesync.v1.Auth/Credentials"},
        {"X-Docker-Expose-Session-Grpc-Method", "/grpc.health.v1.Health/Check"},
    };
    return h;
}

bool printableAscii(const std::string& s)
{
    for (const unsigned char c : s)
        if (c < 0x21 || c > 0x7e)
            return false;
    return true;
}

void pumpUp(ControlTunnel* t)
{
    std::vector<char> buffer(32 * 1024);
    bk::BytesMessage m;
    for (;;) {
        const ssize_t n = ::read(t->localFd, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        m.set_data(buffer.data(), static_cast<std::size_t>(n));
        if (!t->stream->Write(m))
            break;
    }
    t->stream->WritesDone();
}

void pumpDown(ControlTunnel* t)
{
    bk::BytesMessage m;
    while (t->stream->Read(&m)) {
        const std::string& data = m.data();
        std::size_t off = 0;
        while (off < data.size()) {
            const ssize_t n = ::send(t->localFd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return;
            off += static_cast<std::size_t>(n);
        }
    }
    ::shutdown(t->localFd, SHUT_WR);
}

std::unique_ptr<grpc::Server> startServer(FileSyncService& fileSync, SessionAuthService& auth)
{
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.RegisterService(&fileSync);
    builder.RegisterService(&auth);
    builder.SetMaxReceiveMessageSize(4 * 1024 * 1024);
    return builder.BuildAndStart();
}

}  // namespace

BuildSession::BuildSession(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

BuildSession::~BuildSession()
{
    close();
}

// The session's server, started with no port: FileSync, Auth and health.
Result<std::unique_ptr<BuildSession::Impl>> BuildSession::startImpl(std::map<std::string, BuildLocal> locals,
                                                                    RegistryCredentials credentials,
                                                                    const std::string& sharedKey)
{
    if (!printableAscii(sharedKey))
        return Status::invalidArgument("invalid_session_key", "a session's shared key must be printable ASCII");
    auto impl = std::make_unique<Impl>();
    impl->id = QUuid::createUuid().toString(QUuid::Id128).toStdString();
    impl->fileSync = std::make_unique<FileSyncService>(std::move(locals));
    impl->auth = std::make_unique<SessionAuthService>(std::move(credentials));
    impl->server = startServer(*impl->fileSync, *impl->auth);
    if (!impl->server)
        return Status::internal("session_failed", "could not start the build session's gRPC server");
    return impl;
}

Result<std::unique_ptr<BuildSession>> BuildSession::openDocker(const std::string& socketPath,
                                                               std::map<std::string, BuildLocal> locals,
                                                               RegistryCredentials credentials,
                                                               const std::string& sharedKey, int timeoutMs)
{
    Result<std::unique_ptr<Impl>> impl = startImpl(std::move(locals), std::move(credentials), sharedKey);
    if (!impl)
        return impl.status();
    Result<int> fd = dialDockerUpgrade(socketPath, "/session", sessionHeaders((*impl)->id, sharedKey), timeoutMs);
    if (!fd) {
        (*impl)->server->Shutdown();
        return fd.status();
    }
    grpc::AddInsecureChannelFromFd((*impl)->server.get(), *fd);  // takes the fd
    return std::unique_ptr<BuildSession>(new BuildSession(std::move(*impl)));
}

Result<std::unique_ptr<BuildSession>> BuildSession::openOverControl(bk::Control::Stub& stub,
                                                                    std::map<std::string, BuildLocal> locals,
                                                                    RegistryCredentials credentials,
                                                                    const std::string& sharedKey)
{
    Result<std::unique_ptr<Impl>> started = startImpl(std::move(locals), std::move(credentials), sharedKey);
    if (!started)
        return started.status();
    std::unique_ptr<Impl> impl = std::move(*started);
    int fds[2] = {-1, -1};
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        impl->server->Shutdown();
        return Status::internal("session_failed", "could not create the session's socketpair");
    }
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    grpc::AddInsecureChannelFromFd(impl->server.get(), fds[0]);  // takes the fd
    impl->tunnel = std::make_unique<ControlTunnel>();
    ControlTunnel* t = impl->tunnel.get();
    t->localFd = fds[1];
    for (const auto& [name, value] : sessionHeaders(impl->id, sharedKey))
        t->context.AddMetadata(QByteArray::fromStdString(name).toLower().toStdString(), value);
    t->stream = stub.Session(&t->context);
    t->up = std::thread(pumpUp, t);
    t->down = std::thread(pumpDown, t);
    return std::unique_ptr<BuildSession>(new BuildSession(std::move(impl)));
}

const std::string& BuildSession::id() const
{
    return m_impl->id;
}

TransferStats BuildSession::stats(const std::string& local) const
{
    return m_impl->fileSync->stats(local);
}

std::string BuildSession::firstError() const
{
    return m_impl->fileSync->firstError();
}

std::set<std::string> BuildSession::authHosts() const
{
    return m_impl->auth->asked();
}

void BuildSession::close()
{
    if (!m_impl || !m_impl->server)
        return;
    // Calls still running (a daemon that did not finish a transfer) are
    // cancelled after a short grace period.
    m_impl->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    if (m_impl->tunnel)
        m_impl->tunnel->stop();
    m_impl->server->Wait();
    m_impl->server.reset();
}

}  // namespace paas
