#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages paas needs. Idempotent: packages already
# present are skipped, and apt is not touched at all when nothing is missing.
#
#   installer/deps-debian.sh          build + run dependencies
#   installer/deps-debian.sh --test   also what `make test` needs (dockerd, chromium, Xvfb, trayer)
#   installer/deps-debian.sh --buildkit  only what a local BuildKit needs (make setup-buildkit)
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  qt6-base-dev qt6-httpserver-dev qt6-websockets-dev qt6-webengine-dev libqt6svg6
  libgit2-dev libyaml-cpp-dev nlohmann-json3-dev libvalijson-dev
  libnats-dev nats-server
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libcurl4-openssl-dev   # the Docker engine API over its Unix socket (image push)
  librsvg2-bin           # rsvg-convert: the PNG icons of make package (installer/)
)
TEST_PKGS=(
  docker.io xvfb xauth trayer x11-utils chromium nodejs npm procps
  busybox-static   # a runnable binary for FROM scratch test images (tst_cidockerdfault)
  docker-registry apache2-utils   # a real OCI registry with htpasswd auth (tst_registrypush)
  # make fuzz: libFuzzer targets (clang's -fsanitize=fuzzer; the sanitizer
  # runtimes are only a Recommends of clang-16)
  clang-16 libclang-rt-16-dev libfuzzer-16-dev
  # make package-check / make test-install (installer/README.md)
  lintian desktop-file-utils appstream debootstrap jq
  # make check / task-*: format, lint, TASKMAP.yaml, function sizes (issue 14)
  clang-format-14 clang-tidy-14 python3-yaml universal-ctags
)

want=("${BUILD_PKGS[@]}")
if [[ "${1:-}" == "--test" ]]; then
  want+=("${TEST_PKGS[@]}")
elif [[ "${1:-}" == "--buildkit" ]]; then
  want=(docker.io)   # the Docker engine and its built-in BuildKit
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node and npm may come from somewhere other than Debian (e.g. a preinstalled
# toolchain); do not fight it.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

# kubectl: keep whatever is on PATH (the machine image ships 1.32); only fall
# back to Debian's kubernetes-client when there is none.
if [[ "${1:-}" == "--test" ]] && ! command -v kubectl >/dev/null; then
  missing+=(kubernetes-client)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "deps-debian: all packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "deps-debian: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
