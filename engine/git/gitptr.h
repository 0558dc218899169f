#pragma once
// GitPtr<T>: RAII ownership for libgit2 handles (git_repository, git_commit,
// git_tree, git_index, git_blob, git_reference, git_revwalk, git_object, ...).
// Every handle the git area obtains from libgit2 is wrapped immediately, so it
// is freed on every path, including early error returns.
// Also: ensureLibgit2() (git_libgit2_init exactly once, thread-safe) and
// gitErrorStatus() which turns the last libgit2 error into a paas::Status.
// Thread affinity: a GitPtr is a move-only value owned by one thread at a time;
// ensureLibgit2() and gitErrorStatus() may be called from any thread.
// Internal to engine/git: other areas use GitRepository (and TextDiff).
#include "engine/core/status.h"

#include <git2.h>

#include <memory>
#include <string>

namespace paas {

template <typename T>
struct GitFree;
// `type` is a type name: it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define PAAS_GIT_FREE(type, fn)                   \
    template <>                                   \
    struct GitFree<type> {                        \
        void operator()(type* p) const { fn(p); } \
    };
// NOLINTEND(bugprone-macro-parentheses)
PAAS_GIT_FREE(git_repository, git_repository_free)
PAAS_GIT_FREE(git_commit, git_commit_free)
PAAS_GIT_FREE(git_tree, git_tree_free)
PAAS_GIT_FREE(git_tree_entry, git_tree_entry_free)
PAAS_GIT_FREE(git_index, git_index_free)
PAAS_GIT_FREE(git_blob, git_blob_free)
PAAS_GIT_FREE(git_reference, git_reference_free)
PAAS_GIT_FREE(git_revwalk, git_revwalk_free)
PAAS_GIT_FREE(git_object, git_object_free)
PAAS_GIT_FREE(git_signature, git_signature_free)
PAAS_GIT_FREE(git_odb, git_odb_free)
PAAS_GIT_FREE(git_patch, git_patch_free)
#undef PAAS_GIT_FREE

template <typename T>
using GitPtr = std::unique_ptr<T, GitFree<T>>;

// Initialises libgit2 once per process (std::call_once). Never shut down:
// handles may outlive any particular owner.
void ensureLibgit2();

// Status built from git_error_last(), with the given category and reason.
Status gitErrorStatus(Status::Code code, const std::string& reason, const std::string& context);

}  // namespace paas
