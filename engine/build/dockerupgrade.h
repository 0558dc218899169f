#pragma once
// Socket plumbing for reaching BuildKit through a Docker engine socket.
//
// dialUnixSocket() connects a Unix stream socket within a deadline.
// dialDockerGrpc() and dialDockerUpgrade() connect to a Docker engine socket and upgrades the
// connection to cleartext HTTP/2 with `POST /grpc` (`Upgrade: h2c`), reading
// the `101 Switching Protocols` reply byte by byte up to the blank line so no
// HTTP/2 byte is consumed. The returned fd is then handed to
// grpc::CreateInsecureChannelFromFd (which takes ownership). Such a channel
// cannot reconnect: dial again after a failure.
//
// Both return an owned fd (close-on-exec, non-blocking) or Unavailable with
// reason "buildkit_unreachable". Stateless; thread-safe.
#include "engine/core/status.h"

#include <string>
#include <utility>
#include <vector>

namespace paas {

Result<int> dialUnixSocket(const std::string& path, int timeoutMs);
Result<int> dialDockerGrpc(const std::string& socketPath, int timeoutMs);
// The same upgrade on any engine path (e.g. "/session"), with extra request
// headers (name, value; a name may repeat: each pair is its own line).
Result<int> dialDockerUpgrade(const std::string& socketPath, const std::string& path,
                              const std::vector<std::pair<std::string, std::string>>& headers, int timeoutMs);

}  // namespace paas
