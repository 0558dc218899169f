#pragma once
// ContextWalk: which entries of a build context are sent to BuildKit, and in
// what order, as tonistiigi/fsutil's sender walks a directory.
//
// Order: depth-first pre-order from the root (the root itself is not an
// entry), each directory's entries sorted bytewise by name; directories are
// synthesized from the file paths (git stores none). So "a", "a/b", "a.txt" -
// not git's tree order, and not a global sort of the paths.
//
// Paths that cannot be sent are skipped: empty, "." or ".." segments, a
// leading '/', invalid UTF-8 (Stat.path is a protobuf string), a path given
// twice (the first wins), an entry below a file ("a/b" when "a" is a file).
//
// Selection (the receiver's DiffCopy metadata):
//   excludePatterns  .dockerignore semantics (ignorepatterns.h): an excluded
//                    directory is pruned whole unless a `!` exception exists,
//                    in which case it is walked and only re-included entries
//                    are kept;
//   includePatterns, followPaths  as the sender of BuildKit v0.8 (Docker 20.10)
//                    applies them: each pattern is matched component by
//                    component (`*`, `?`, `[...]` within one component); a path
//                    is included when the pattern matches it or one of its
//                    parents; a directory that is a prefix of a pattern is
//                    walked. A followPath naming a symlink also includes the
//                    link's target. No patterns: everything is included.
//   A directory that is not selected itself but holds a kept entry is emitted
//   just before that entry, so every entry's parents precede it.
//
// Errors: InvalidArgument "invalid_ignore_pattern" for a pattern that does not
// compile. Pure; thread-safe.
#include "engine/core/status.h"
#include "engine/core/treefile.h"

#include <string>
#include <vector>

namespace paas {

struct ContextFilter {
    std::vector<std::string> includePatterns;
    std::vector<std::string> excludePatterns;
    std::vector<std::string> followPaths;
};

struct WalkItem {
    std::string path;  // '/'-separated, relative, no leading '/'
    int entry = -1;    // index into the listing; -1 for a directory
};

Result<std::vector<WalkItem>> walkContext(const TreeListing& listing, const ContextFilter& filter);

}  // namespace paas
