#pragma once
// The artifact path resolver behind GET /api/projects/{id}/artifacts/{path},
// free of QHttpServer so it can be fuzzed (tests/fuzz/fuzz_artifactpath).
//
// Contract:
//   - checkArtifactPath(): 400 "invalid_path" for a NUL byte, an absolute
//     path ('/', '\' or a drive) or a ".." segment ('/' or '\' separated).
//   - isHiddenArtifact(): true for ".git" and anything inside a ".git"
//     folder (relative paths).
//   - resolveArtifactPath(): checkArtifactPath(), then the canonical path of
//     root/relative (symlinks followed). It must be a regular file strictly
//     inside root (a canonical folder path) and not hidden, else 404
//     "artifact_not_found". The result always starts with root + "/".
// Thread affinity: pure functions over the file system, thread-safe.
#include "engine/core/status.h"

#include <QString>

namespace paas::api {

Status checkArtifactPath(const QString& relative);
bool isHiddenArtifact(const QString& relative);
Result<QString> resolveArtifactPath(const QString& root, const QString& relative);

}  // namespace paas::api
