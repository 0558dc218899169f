#pragma once
// Atomic file writes: write to a temp file in the same directory, fsync, then
// rename over the target, so readers never see a half-written artifact.
// Parent directories are created as needed. Thread-safe (no shared state).
#include "engine/core/status.h"

#include <QByteArray>
#include <QString>

namespace paas {

Status writeFileAtomic(const QString& path, const QByteArray& data);
Status writeFileAtomic(const QString& path, const std::string& data);

// Whether `path` is a readable file holding exactly `data`.
bool fileHasContent(const QString& path, const QByteArray& data);

// writeFileAtomic, unless the file already holds exactly `data`: then
// nothing is written (no temp file, no fsync, mtime kept). A rendered
// artifact that did not change costs one read instead of a disk sync.
Status writeFileIfChanged(const QString& path, const QByteArray& data);
Status writeFileIfChanged(const QString& path, const std::string& data);

// Replaces `path` with a fresh file created owner-only (0600) before any byte
// is written, for secrets (tokens, credentials). Not atomic: the old file is
// removed first. Parent directories are created as needed.
Status writeOwnerOnlyFile(const QString& path, const QByteArray& data);

// Reads a whole file; NotFound if it does not exist.
Result<QByteArray> readFile(const QString& path);

}  // namespace paas
