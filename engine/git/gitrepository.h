#pragma once
// GitRepository: the project's only way to touch a git repository (libgit2).
//
// Contract:
//   - init() creates a non-bare repository whose HEAD is the unborn branch
//     `main`; it is idempotent (an existing repository is just opened).
//   - commitFiles() writes the given files into the working tree (atomic
//     writes), commits them on `main` with the fixed platform author
//     `paas platform <platform@paas.local>`, and stages exactly those paths in
//     the repository index. The new commit's tree is HEAD's tree plus the given
//     files minus the removals; anything else the user has staged or edited is
//     left alone and is NOT swept into the platform commit. When the tree would
//     not change, no commit is made and the current HEAD sha is returned.
//     Fails with Conflict `not_on_main` when HEAD is not (unborn) `main`.
//   - listTree() lists the files of an exact commit from the object database
//     (never the working tree), with git modes, blob ids and sizes, bounded
//     in count; readBlob() reads one file's bytes by its blob id.
//   - All errors are Status values; nothing throws.
//
// Thread affinity: libgit2 is initialised once, thread-safely. One
// GitRepository object must be used by one thread at a time (it may move
// between threads); distinct objects, even on the same path, may be used in
// parallel.
#include "engine/core/status.h"
#include "engine/core/treefile.h"
#include "engine/git/gitptr.h"

#include <QString>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace paas {

class GitRepository {
public:
    static constexpr const char* kMainBranch = "main";
    static constexpr const char* kAuthorName = "paas platform";
    static constexpr const char* kAuthorEmail = "platform@paas.local";
    static constexpr const char* kPlatformSyncPrefix = "platform-sync:";

    // Creates (mkpath) or opens the repository at `path` (the working tree).
    static Result<GitRepository> init(const QString& path);
    // Opens an existing repository; NotFound `repo_not_found` otherwise.
    static Result<GitRepository> open(const QString& path);

    // files: repo-relative '/'-separated path -> exact bytes.
    // modes: optional per-path git mode (0100644 default, 0100755 executable).
    // Returns the sha of the new commit, or of HEAD when nothing changed.
    Result<std::string> commitFiles(const std::map<std::string, std::string>& files, const std::string& message,
                                    const std::vector<std::string>& removals = {},
                                    const std::map<std::string, std::uint32_t>& modes = {});

    // Any revision libgit2 understands (sha, short sha, branch, HEAD~1) ->
    // full commit sha. NotFound `unknown_commit` otherwise.
    Result<std::string> resolveCommit(const std::string& rev);
    // Tip of refs/heads/<branch>; NotFound `unknown_branch` if it has no commit.
    Result<std::string> branchHead(const std::string& branch = kMainBranch);
    // Short name of the branch HEAD points to (also when unborn);
    // NotFound `detached_head` when HEAD is detached.
    Result<std::string> currentBranch();

    // The commit's files without their bytes (blob ids and sizes from the
    // object headers; symlink targets read), in git tree order. Submodules are
    // skipped. TooLarge `tree_too_large` over maxEntries files.
    Result<TreeListing> listTree(const std::string& commitSha, std::size_t maxEntries = 1000000);
    // A blob's bytes by its 40-hex id; NotFound `unknown_blob` otherwise.
    Result<std::string> readBlob(const std::string& blobId);
    // One file's bytes at a commit; std::nullopt when the path is not a blob there.
    Result<std::optional<std::string>> readFileAt(const std::string& commitSha, const std::string& path);

    // The commit summary (first paragraph, as `git log --format=%s`).
    Result<std::string> commitSubject(const std::string& sha);
    // Commits reachable from toInclusive but not from fromExclusive, oldest
    // first (topological). An empty fromExclusive means the whole history.
    // At most maxCount commits (the newest ones are kept).
    Result<std::vector<std::string>> commitsBetween(const std::string& fromExclusive, const std::string& toInclusive,
                                                    std::size_t maxCount = 10000);

    static bool isPlatformSync(const std::string& subject);

    QString workdir() const { return m_workdir; }  // absolute, no trailing '/'
    QString gitDir() const { return m_gitDir; }    // absolute, no trailing '/'

    GitRepository(GitRepository&&) noexcept = default;
    GitRepository& operator=(GitRepository&&) noexcept = default;

private:
    explicit GitRepository(GitPtr<git_repository> repo);
    Result<GitPtr<git_commit>> lookupCommit(const std::string& rev);
    Result<std::optional<git_oid>> headOfMain();
    Status writeWorkingTree(const std::map<std::string, std::string>& files, const std::vector<std::string>& removals,
                            const std::map<std::string, std::uint32_t>& modes);
    Result<git_oid> buildTree(const std::optional<git_oid>& parent, const std::map<std::string, std::string>& files,
                              const std::vector<std::string>& removals,
                              const std::map<std::string, std::uint32_t>& modes);
    Result<bool> treeUnchanged(const std::optional<git_oid>& parent, const git_oid& tree);
    Result<std::string> createCommit(const git_oid& tree, const std::optional<git_oid>& parent,
                                     const std::string& message);
    Status stagePaths(const std::map<std::string, std::string>& files, const std::vector<std::string>& removals);

    GitPtr<git_repository> m_repo;
    QString m_workdir;
    QString m_gitDir;
};

// True for a safe repo-relative path: non-empty, '/'-separated, no leading
// '/', no empty, '.' or '..' segment, no '.git' segment, no NUL or '\\'.
bool isSafeRepoPath(const std::string& path);

}  // namespace paas
