#!/usr/bin/env bash
# Installs paas's dependencies with Homebrew (macOS). Idempotent.
#   installer/deps-macos.sh          build + run
#   installer/deps-macos.sh --test   also what `make test` needs
set -euo pipefail
BUILD_PKGS=(cmake ninja ccache pkg-config git curl qt libgit2 yaml-cpp nlohmann-json valijson cnats nats-server grpc protobuf)
TEST_PKGS=(node kubernetes-cli)
want=("${BUILD_PKGS[@]}")
[[ "${1:-}" == "--test" ]] && want+=("${TEST_PKGS[@]}")
missing=()
for p in "${want[@]}"; do brew list --versions "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [[ ${#missing[@]} -eq 0 ]]; then echo "deps-macos: all packages present"; exit 0; fi
echo "deps-macos: installing ${missing[*]}"
brew install "${missing[@]}"
# Tests need a Docker engine (Docker Desktop or colima) for BuildKit and a Chromium for the web tests.
