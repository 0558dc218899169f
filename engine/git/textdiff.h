#pragma once
// TextDiff: a unified diff of two texts, made by libgit2 (git_patch_from_buffers,
// the patience algorithm), in the format of `diff -u` / `git diff`.
//
// Contract:
//   - unified(): "--- <labelBefore>" / "+++ <labelAfter>" headers, then
//     "@@ -a,b +c,d @@" hunks with `context` lines around each change (a count
//     of 1 is left out, an empty side is "-a,0", as diff -u prints them).
//     Identical inputs give "". A missing final newline is treated like a
//     present one. No cap on size: libgit2's diff is linear in memory.
//   - Bytes are diffed as text (GIT_DIFF_FORCE_TEXT): a NUL does not make the
//     input "binary".
//   - Errors (libgit2 out of memory) are values: Status internal "diff_failed".
//   - Pure function, no I/O, no shared state: thread-safe, any thread.
#include "engine/core/status.h"

#include <string>

namespace paas {

class TextDiff {
public:
    static Result<std::string> unified(const std::string& before, const std::string& after,
                                       const std::string& labelBefore, const std::string& labelAfter, int context = 3);
};

}  // namespace paas
