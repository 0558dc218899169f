#include "engine/build/buildkitaddress.h"

#include <array>
#include <string_view>

namespace paas {
namespace {

struct Scheme {
    std::string_view prefix;
    BuildKitEndpoint::Kind kind;
    bool wantsPath;  // absolute socket path (true) or host:port (false)
};

constexpr std::array<Scheme, 3> kSchemes{{
    {"unix://", BuildKitEndpoint::Unix, true},
    {"docker://", BuildKitEndpoint::Docker, true},
    {"tcp://", BuildKitEndpoint::Tcp, false},
}};

Status bad(const std::string& address, const std::string& why)
{
    return Status::invalidArgument(
        "invalid_buildkit_address",
        "BuildKit address '" + address + "' " + why + " (expected unix:///PATH, tcp://HOST:PORT or docker:///PATH)");
}

Status checkHostPort(const std::string& address, const std::string& hp)
{
    const auto colon = hp.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == hp.size())
        return bad(address, "needs HOST:PORT");
    const std::string port = hp.substr(colon + 1);
    if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 || std::stoi(port) == 0 ||
        std::stoi(port) > 65535)
        return bad(address, "has an invalid port");
    if (hp.find_first_of("/?#@ ") != std::string::npos)
        return bad(address, "has characters not allowed in HOST:PORT");
    return Status::ok();
}

}  // namespace

Result<BuildKitEndpoint> parseBuildKitAddress(const std::string& address)
{
    for (const Scheme& s : kSchemes) {
        if (address.rfind(s.prefix, 0) != 0)
            continue;
        BuildKitEndpoint ep{s.kind, address.substr(s.prefix.size()), address};
        if (s.wantsPath) {
            if (ep.pathOrHostPort.empty() || ep.pathOrHostPort.front() != '/')
                return bad(address, "needs an absolute socket path");
            if (ep.pathOrHostPort.find('\0') != std::string::npos)
                return bad(address, "contains a NUL byte");
        } else if (Status st = checkHostPort(address, ep.pathOrHostPort); !st) {
            return st;
        }
        return ep;
    }
    return bad(address, "has an unknown scheme");
}

std::vector<std::string> defaultBuildKitCandidates()
{
    return {"unix:///run/buildkit/buildkitd.sock", "docker:///var/run/docker.sock"};
}

}  // namespace paas
