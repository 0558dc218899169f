#include "engine/build/buildkitclient.h"

#include "engine/build/buildkitaddress.h"
#include "engine/build/buildkitsolve.h"
#include "engine/build/buildsession.h"
#include "engine/build/dockerengine.h"
#include "engine/build/dockerupgrade.h"
#include "engine/build/proto/control.grpc.pb.h"

#include <QCryptographicHash>

#include <grpcpp/create_channel.h>
#include <grpcpp/create_channel_posix.h>
#include <grpcpp/security/credentials.h>

#include <chrono>
#include <unistd.h>

namespace paas {

namespace bk = moby::buildkit::v1;

struct BuildKitClient::Impl {
    BuildKitEndpoint endpoint;
    int timeoutMs = 0;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<bk::Control::Stub> stub;
};

namespace {

grpc::ChannelArguments channelArgs()
{
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);
    args.SetMaxSendMessageSize(-1);
    return args;
}

Status unreachable(const BuildKitEndpoint& ep, const std::string& why)
{
    return Status::unavailable("buildkit_unreachable", "BuildKit at " + ep.text + " is unreachable: " + why);
}

// Drives a reconnecting channel until READY; gives up at the first
// TRANSIENT_FAILURE (nothing listens) or at the deadline.
Status waitReady(grpc::Channel& channel, const BuildKitEndpoint& ep, int timeoutMs)
{
    const auto deadline = std::chrono::system_clock::now() + std::chrono::milliseconds(timeoutMs);
    for (;;) {
        const grpc_connectivity_state state = channel.GetState(true);
        if (state == GRPC_CHANNEL_READY)
            return Status::ok();
        if (state == GRPC_CHANNEL_TRANSIENT_FAILURE || state == GRPC_CHANNEL_SHUTDOWN)
            return unreachable(ep, "connection failed");
        if (!channel.WaitForStateChange(state, deadline))
            return unreachable(ep, "no connection within " + std::to_string(timeoutMs) + " ms");
    }
}

Result<std::shared_ptr<grpc::Channel>> dial(const BuildKitEndpoint& ep, int timeoutMs)
{
    if (ep.kind == BuildKitEndpoint::Docker) {
        Result<int> fd = dialDockerGrpc(ep.pathOrHostPort, timeoutMs);
        if (!fd)
            return unreachable(ep, fd.status().message());
        // Takes ownership of the fd.
        return grpc::CreateCustomInsecureChannelFromFd("docker", *fd, channelArgs());
    }
    if (ep.kind == BuildKitEndpoint::Unix) {
        // Probe first: a missing or refusing socket must fail at once.
        Result<int> probe = dialUnixSocket(ep.pathOrHostPort, timeoutMs);
        if (!probe)
            return unreachable(ep, probe.status().message());
        ::close(*probe);
    }
    const std::string target = ep.kind == BuildKitEndpoint::Unix ? "unix:" + ep.pathOrHostPort : ep.pathOrHostPort;
    auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), channelArgs());
    if (Status st = waitReady(*channel, ep, timeoutMs); !st)
        return st;
    return channel;
}

// The git blob id of bytes: sha1("blob <size>\0" + bytes).
std::string gitBlobId(const std::string& data)
{
    QCryptographicHash hash(QCryptographicHash::Sha1);
    const std::string header = "blob " + std::to_string(data.size());
    hash.addData(QByteArrayView(header.data(), static_cast<qsizetype>(header.size() + 1)));
    hash.addData(QByteArrayView(data.data(), static_cast<qsizetype>(data.size())));
    return hash.result().toHex().toStdString();
}

// An in-memory tree as a session local.
BuildLocal localFromTree(Tree tree)
{
    auto files = std::make_shared<std::map<std::string, std::string>>();
    BuildLocal local;
    for (TreeFile& f : tree) {
        TreeEntryRef ref{f.path, f.mode, gitBlobId(f.data), f.data.size(), f.mode == 0120000 ? f.data : std::string()};
        local.listing.push_back(std::move(ref));
        (*files)[f.path] = std::move(f.data);
    }
    local.read = [files](const TreeEntryRef& e) -> Result<std::string> {
        const auto it = files->find(e.path);
        if (it == files->end())
            return Status::notFound("unknown_blob", "no file " + e.path + " in the build context");
        return it->second;
    };
    return local;
}

std::string platformText(const pb::Platform& p)
{
    std::string s = p.os() + "/" + p.architecture();
    return p.variant().empty() ? s : s + "/" + p.variant();
}

}  // namespace

BuildKitClient::BuildKitClient(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
BuildKitClient::~BuildKitClient() = default;

const std::string& BuildKitClient::address() const
{
    return m_impl->endpoint.text;
}

Result<std::unique_ptr<BuildKitClient>> BuildKitClient::connect(const std::string& address, int timeoutMs)
{
    Result<BuildKitEndpoint> ep = parseBuildKitAddress(address);
    if (!ep)
        return ep.status();
    auto impl = std::make_unique<Impl>();
    impl->endpoint = *ep;
    impl->timeoutMs = timeoutMs > 0 ? timeoutMs : 1;
    Result<std::shared_ptr<grpc::Channel>> channel = dial(*ep, impl->timeoutMs);
    if (!channel)
        return channel.status();
    impl->channel = *channel;
    impl->stub = bk::Control::NewStub(impl->channel);
    return std::unique_ptr<BuildKitClient>(new BuildKitClient(std::move(impl)));
}

Result<nlohmann::json> BuildKitClient::workers()
{
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(m_impl->timeoutMs));
    bk::ListWorkersRequest req;
    bk::ListWorkersResponse resp;
    const grpc::Status st = m_impl->stub->ListWorkers(&ctx, req, &resp);
    if (!st.ok())
        return Status::unavailable("buildkit_unavailable", "BuildKit at " + m_impl->endpoint.text +
                                                               " did not answer ListWorkers: " + st.error_message());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& w : resp.record()) {
        nlohmann::json platforms = nlohmann::json::array();
        for (const auto& p : w.platforms())
            platforms.push_back(platformText(p));
        nlohmann::json labels = nlohmann::json::object();
        for (const auto& [k, v] : w.labels())
            labels[k] = v;
        out.push_back({{"id", w.id()}, {"platforms", platforms}, {"labels", labels}});
    }
    return out;
}

Status BuildKitClient::ping()
{
    Result<nlohmann::json> ws = workers();
    if (!ws)
        return ws.status();
    if (ws->empty())
        return Status::unavailable("buildkit_unavailable", "BuildKit at " + m_impl->endpoint.text + " has no workers");
    return Status::ok();
}

namespace {

Status withTransferError(const Status& failed, const BuildSession& session)
{
    const std::string transferError = session.firstError();
    if (transferError.empty() || failed.reason() == "build_cancelled")
        return failed;
    return Status(failed.code(), failed.reason(), failed.message() + " (context transfer: " + transferError + ")");
}

}  // namespace

Result<BuildResult> BuildKitClient::build(const BuildRequest& request)
{
    const bool docker = m_impl->endpoint.kind == BuildKitEndpoint::Docker;
    SolveOptions opts;
    opts.address = m_impl->endpoint.text;
    opts.exporter = docker ? "moby" : "image";
    if (request.push && !docker) {
        opts.exporterAttrs["push"] = "true";
        if (request.registryInsecure)
            opts.exporterAttrs["registry.insecure"] = "true";
    }
    std::map<std::string, BuildLocal> locals;
    locals["context"] = request.contextSource.read ? request.contextSource : localFromTree(request.context);
    locals["dockerfile"] = localFromTree({TreeFile{"Dockerfile", request.dockerfile, 0100644}});
    Result<std::unique_ptr<BuildSession>> session =
        docker && !request.tunnelSession
            ? BuildSession::openDocker(m_impl->endpoint.pathOrHostPort, std::move(locals), request.credentials,
                                       request.sharedKey, m_impl->timeoutMs)
            : BuildSession::openOverControl(*m_impl->stub, std::move(locals), request.credentials, request.sharedKey);
    if (!session)
        return session.status();
    opts.sessionId = (*session)->id();
    Result<BuildResult> result = runDockerfileSolve(*m_impl->stub, opts, request);
    (*session)->close();
    for (const std::string& host : (*session)->authHosts())
        if (request.onLog)
            request.onLog("paas: registry login asked for " + host);
    if (!result)
        return withTransferError(result.status(), **session);
    result->transport = docker && !request.tunnelSession ? "session" : "control-session";
    result->contextSent = (*session)->stats("context");
    result->dockerfileSent = (*session)->stats("dockerfile");
    if (request.push && !docker)
        result->pushedDigest = result->digest;
    if (request.push && docker) {
        const std::string host = RegistryCredentials::normalizeHost(request.image);
        Result<std::string> pushed = DockerEngine(m_impl->endpoint.pathOrHostPort)
                                         .pushImage(request.image, request.credentials.lookup(host), request.onLog);
        if (!pushed) {
            const std::string note = request.credentials.lookup(host)
                                         ? std::string()
                                         : " (no login for " + host + " in " + request.credentials.path() + ")";
            return Status(pushed.status().code(), pushed.status().reason(), pushed.status().message() + note);
        }
        result->pushedDigest = *pushed;
    }
    return result;
}

}  // namespace paas
