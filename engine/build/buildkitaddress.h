#pragma once
// BuildKit address parsing: turns PAAS_BUILDKIT_ADDR-style strings into a
// typed endpoint, and lists the default candidates tried when no address is
// configured.
//
// Accepted forms:
//   unix:///abs/path/buildkitd.sock   buildkitd on a Unix socket
//   tcp://host:port                   buildkitd on TCP (plain, no TLS)
//   docker:///abs/path/docker.sock    the Docker engine's built-in BuildKit,
//                                     reached by upgrading POST /grpc to h2c
// Anything else is InvalidArgument (reason "invalid_buildkit_address").
// Pure functions; thread-safe.
#include "engine/core/status.h"

#include <string>
#include <vector>

namespace paas {

struct BuildKitEndpoint {
    enum Kind { Unix, Tcp, Docker };
    Kind kind = Unix;
    std::string pathOrHostPort;  // socket path (Unix, Docker) or "host:port" (Tcp)
    std::string text;            // the address as given, for logs and errors
};

Result<BuildKitEndpoint> parseBuildKitAddress(const std::string& address);

// The addresses tried, in order, when PAAS_BUILDKIT_ADDR is unset:
// unix:///run/buildkit/buildkitd.sock, then docker:///var/run/docker.sock.
std::vector<std::string> defaultBuildKitCandidates();

}  // namespace paas
