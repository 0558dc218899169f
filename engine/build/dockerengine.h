#pragma once
// DockerEngine: the few Docker Engine API calls the builder needs beyond
// BuildKit, over the engine's Unix socket (libcurl; no HTTP code of ours).
//
// pushImage() pushes a local image to its registry, as `docker push` and
// buildx's docker driver do: POST /images/{name}/push?tag={tag} with the
// login in X-Registry-Auth (base64url JSON; "{}" when anonymous). The engine
// streams JSON progress objects; "status" lines go to onLog, an "error"
// object fails the push with the registry's message, and the final "aux"
// object carries the manifest digest the registry stored.
//
// Errors: Unavailable "buildkit_unavailable" (the engine cannot be reached),
// Unprocessable "registry_push_failed" (the engine or registry refused; the
// message is theirs). Never a success without a digest. The password never
// appears in a message or log line.
// Thread affinity: blocking; call from a worker thread. Stateless.
#include "engine/build/registrycredentials.h"
#include "engine/core/status.h"

#include <functional>
#include <optional>
#include <string>

namespace paas {

class DockerEngine {
public:
    explicit DockerEngine(std::string socketPath) : m_socket(std::move(socketPath)) {}

    // image: "host[:port]/path:tag". Returns the pushed manifest digest.
    Result<std::string> pushImage(const std::string& image, const std::optional<RegistryLogin>& login,
                                  const std::function<void(const std::string&)>& onLog, int timeoutMs = 600000) const;

private:
    std::string m_socket;
};

}  // namespace paas
