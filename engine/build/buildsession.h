#pragma once
// BuildSession: a BuildKit session served by this process, so the daemon can
// pull the build's locals (filesyncservice.h) instead of receiving them inline.
//
// openDocker() starts an in-process gRPC server with no listening port
// (FileSync, Auth - registry logins, sessionauth.h - and the standard health
// service, which BuildKit probes every second), opens a new connection to the Docker engine socket, upgrades it
// with `POST /session` (h2c) carrying the session headers - the id, the
// shared key, and each served method on its own X-Docker-Expose-Session-
// Grpc-Method line - and hands the upgraded fd to the server
// (grpc::AddInsecureChannelFromFd): after the 101 the daemon is the HTTP/2
// client and calls in. The reply is read up to its blank line only, so the
// daemon's HTTP/2 preface stays in the socket for gRPC.
//
// openOverControl() is the same session for a buildkitd (unix://, tcp://),
// where no /session endpoint exists: the HTTP/2 bytes travel inside the
// bidirectional Control.Session stream (the headers become its metadata). A
// socketpair joins the stream to the server: one end goes to gRPC as above,
// two pump threads copy the other end to and from the stream.
//
// The session must stay open until the Solve that names it returns; close()
// (or the destructor) then shuts the server down, which closes the
// connection and ends the session on the daemon. Its id is 32 hex digits,
// unique per session (BuildKit refuses a duplicate).
//
// Errors: Unavailable "buildkit_unreachable" when the socket or the upgrade
// fails; Internal "session_failed" when the server cannot start.
// Thread affinity: open and close on one (worker) thread; stats() from any.
// A tunnelled session runs two pump threads between open and close.
#include "engine/build/buildkitclient.h"
#include "engine/build/proto/control.grpc.pb.h"

#include <map>
#include <set>
#include <memory>
#include <string>

namespace paas {

class BuildSession {
public:
    static Result<std::unique_ptr<BuildSession>> openDocker(const std::string& socketPath,
                                                            std::map<std::string, BuildLocal> locals,
                                                            RegistryCredentials credentials,
                                                            const std::string& sharedKey, int timeoutMs);
    // The stub must outlive the session.
    static Result<std::unique_ptr<BuildSession>> openOverControl(moby::buildkit::v1::Control::Stub& stub,
                                                                 std::map<std::string, BuildLocal> locals,
                                                                 RegistryCredentials credentials,
                                                                 const std::string& sharedKey);
    ~BuildSession();

    const std::string& id() const;
    TransferStats stats(const std::string& local) const;
    std::string firstError() const;
    // Registries BuildKit asked the Auth service about ("host", or "host (anonymous)").
    std::set<std::string> authHosts() const;
    void close();

private:
    struct Impl;
    explicit BuildSession(std::unique_ptr<Impl> impl);
    static Result<std::unique_ptr<Impl>> startImpl(std::map<std::string, BuildLocal> locals,
                                                   RegistryCredentials credentials, const std::string& sharedKey);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace paas
