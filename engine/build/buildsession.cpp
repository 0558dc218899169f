#include "engine/build/buildsession.h"

#include "engine/build/dockerupgrade.h"
#include "engine/build/filesyncservice.h"

#include <QUuid>

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/server_posix.h>

#include <chrono>

namespace paas {

struct BuildSession::Impl {
    std::string id;
    std::unique_ptr<FileSyncService> fileSync;
    std::unique_ptr<grpc::Server> server;
};

namespace {

std::vector<std::pair<std::string, std::string>> sessionHeaders(const std::string& id, const std::string& sharedKey)
{
    std::vector<std::pair<std::string, std::string>> h = {
        {"X-Docker-Expose-Session-Uuid", id},
        {"X-Docker-Expose-Session-Name", "paas"},
        {"X-Docker-Expose-Session-Sharedkey", sharedKey.empty() ? id : sharedKey},
        {"X-Docker-Expose-Session-Grpc-Method", "/moby.filesync.v1.FileSync/DiffCopy"},
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

}  // namespace

BuildSession::BuildSession(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

BuildSession::~BuildSession() { close(); }

Result<std::unique_ptr<BuildSession>> BuildSession::openDocker(const std::string& socketPath,
                                                               std::map<std::string, BuildLocal> locals,
                                                               const std::string& sharedKey, int timeoutMs)
{
    if (!printableAscii(sharedKey))
        return Status::invalidArgument("invalid_session_key", "a session's shared key must be printable ASCII");
    auto impl = std::make_unique<Impl>();
    impl->id = QUuid::createUuid().toString(QUuid::Id128).toStdString();
    impl->fileSync = std::make_unique<FileSyncService>(std::move(locals));
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.RegisterService(impl->fileSync.get());
    builder.SetMaxReceiveMessageSize(4 * 1024 * 1024);
    impl->server = builder.BuildAndStart();
    if (!impl->server)
        return Status::internal("session_failed", "could not start the build session's gRPC server");
    Result<int> fd = dialDockerUpgrade(socketPath, "/session", sessionHeaders(impl->id, sharedKey), timeoutMs);
    if (!fd) {
        impl->server->Shutdown();
        return fd.status();
    }
    grpc::AddInsecureChannelFromFd(impl->server.get(), *fd);  // takes the fd
    return std::unique_ptr<BuildSession>(new BuildSession(std::move(impl)));
}

const std::string& BuildSession::id() const { return m_impl->id; }

TransferStats BuildSession::stats(const std::string& local) const { return m_impl->fileSync->stats(local); }

std::string BuildSession::firstError() const { return m_impl->fileSync->firstError(); }

void BuildSession::close()
{
    if (!m_impl || !m_impl->server)
        return;
    // Calls still running (a daemon that did not finish a transfer) are
    // cancelled after a short grace period.
    m_impl->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    m_impl->server->Wait();
    m_impl->server.reset();
}

}  // namespace paas
