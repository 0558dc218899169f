// GitRepository, read side: revisions, trees at a commit, history walks.
#include "engine/git/gitrepository.h"

#include <algorithm>

namespace paas {

namespace {

std::string oidString(const git_oid* oid)
{
    return std::string(git_oid_tostr_s(oid));
}

std::uint32_t normalisedMode(git_filemode_t mode)
{
    switch (mode) {
    case GIT_FILEMODE_BLOB_EXECUTABLE: return GIT_FILEMODE_BLOB_EXECUTABLE;
    case GIT_FILEMODE_LINK: return GIT_FILEMODE_LINK;
    default: return GIT_FILEMODE_BLOB;  // includes the legacy 0100664
    }
}

struct ListState {
    git_repository* repo = nullptr;
    git_odb* odb = nullptr;
    std::size_t limit = 0;
    TreeListing entries;
    Status error;
};

int listEntry(const char* root, const git_tree_entry* entry, void* payload)
{
    auto* state = static_cast<ListState*>(payload);
    if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
        return 0;
    TreeEntryRef ref;
    ref.path = std::string(root) + git_tree_entry_name(entry);
    ref.mode = normalisedMode(git_tree_entry_filemode(entry));
    ref.blobId = oidString(git_tree_entry_id(entry));
    if (state->entries.size() >= state->limit) {
        state->error = Status::tooLarge(
            "tree_too_large", "source tree has over " + std::to_string(state->limit) + " files (at " + ref.path + ")");
        return -1;
    }
    size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (git_odb_read_header(&size, &type, state->odb, git_tree_entry_id(entry)) < 0) {
        state->error = gitErrorStatus(Status::Code::Internal, "git_error", "cannot read blob header of " + ref.path);
        return -1;
    }
    ref.size = size;
    if (ref.mode == GIT_FILEMODE_LINK) {
        git_blob* raw = nullptr;
        if (git_blob_lookup(&raw, state->repo, git_tree_entry_id(entry)) < 0) {
            state->error = gitErrorStatus(Status::Code::Internal, "git_error", "cannot read link " + ref.path);
            return -1;
        }
        GitPtr<git_blob> blob(raw);
        ref.linkTarget.assign(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                              static_cast<std::size_t>(git_blob_rawsize(blob.get())));
    }
    state->entries.push_back(std::move(ref));
    return 0;
}

}  // namespace

Result<GitPtr<git_commit>> GitRepository::lookupCommit(const std::string& rev)
{
    if (rev.empty())
        return Status::notFound("unknown_commit", "empty revision");
    git_object* rawObj = nullptr;
    int rc = git_revparse_single(&rawObj, m_repo.get(), rev.c_str());
    GitPtr<git_object> obj(rawObj);
    if (rc == GIT_ENOTFOUND || rc == GIT_EAMBIGUOUS || rc == GIT_EINVALIDSPEC)
        return Status::notFound("unknown_commit", "unknown commit: " + rev);
    if (rc < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot resolve " + rev);
    git_object* rawPeeled = nullptr;
    rc = git_object_peel(&rawPeeled, obj.get(), GIT_OBJECT_COMMIT);
    GitPtr<git_object> peeled(rawPeeled);
    if (rc < 0)
        return Status::notFound("unknown_commit", "not a commit: " + rev);
    return GitPtr<git_commit>(reinterpret_cast<git_commit*>(peeled.release()));
}

Result<std::string> GitRepository::resolveCommit(const std::string& rev)
{
    Result<GitPtr<git_commit>> commit = lookupCommit(rev);
    if (!commit)
        return commit.status();
    return oidString(git_commit_id(commit->get()));
}

Result<std::string> GitRepository::commitSubject(const std::string& sha)
{
    Result<GitPtr<git_commit>> commit = lookupCommit(sha);
    if (!commit)
        return commit.status();
    const char* summary = git_commit_summary(commit->get());
    if (!summary)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot read summary of " + sha);
    return std::string(summary);
}

Result<TreeListing> GitRepository::listTree(const std::string& commitSha, std::size_t maxEntries)
{
    Result<GitPtr<git_commit>> commit = lookupCommit(commitSha);
    if (!commit)
        return commit.status();
    git_tree* rawTree = nullptr;
    if (git_commit_tree(&rawTree, commit->get()) < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot load tree of " + commitSha);
    GitPtr<git_tree> tree(rawTree);
    git_odb* rawOdb = nullptr;
    if (git_repository_odb(&rawOdb, m_repo.get()) < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot open object database");
    GitPtr<git_odb> odb(rawOdb);
    ListState state;
    state.repo = m_repo.get();
    state.odb = odb.get();
    state.limit = maxEntries;
    if (git_tree_walk(tree.get(), GIT_TREEWALK_PRE, listEntry, &state) < 0) {
        if (!state.error.isOk())
            return state.error;
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot walk tree of " + commitSha);
    }
    return std::move(state.entries);
}

Result<std::string> GitRepository::readBlob(const std::string& blobId)
{
    git_oid oid;
    if (blobId.size() != GIT_OID_HEXSZ || git_oid_fromstrn(&oid, blobId.data(), blobId.size()) < 0)
        return Status::notFound("unknown_blob", "not a blob id: " + blobId);
    git_blob* raw = nullptr;
    if (git_blob_lookup(&raw, m_repo.get(), &oid) < 0)
        return Status::notFound("unknown_blob", "no blob " + blobId + " in the repository");
    GitPtr<git_blob> blob(raw);
    return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                       static_cast<std::size_t>(git_blob_rawsize(blob.get())));
}

Result<std::optional<std::string>> GitRepository::readFileAt(const std::string& commitSha, const std::string& path)
{
    Result<GitPtr<git_commit>> commit = lookupCommit(commitSha);
    if (!commit)
        return commit.status();
    git_tree* rawTree = nullptr;
    if (git_commit_tree(&rawTree, commit->get()) < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot load tree of " + commitSha);
    GitPtr<git_tree> tree(rawTree);
    git_tree_entry* rawEntry = nullptr;
    const int rc = git_tree_entry_bypath(&rawEntry, tree.get(), path.c_str());
    GitPtr<git_tree_entry> entry(rawEntry);
    if (rc == GIT_ENOTFOUND)
        return std::optional<std::string>();
    if (rc < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot look up " + path);
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB)
        return std::optional<std::string>();
    git_blob* rawBlob = nullptr;
    if (git_blob_lookup(&rawBlob, m_repo.get(), git_tree_entry_id(entry.get())) < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot read blob " + path);
    GitPtr<git_blob> blob(rawBlob);
    const auto* bytes = static_cast<const char*>(git_blob_rawcontent(blob.get()));
    return std::optional<std::string>(std::string(bytes, static_cast<std::size_t>(git_blob_rawsize(blob.get()))));
}

Result<std::vector<std::string>> GitRepository::commitsBetween(const std::string& fromExclusive,
                                                               const std::string& toInclusive, std::size_t maxCount)
{
    Result<GitPtr<git_commit>> to = lookupCommit(toInclusive);
    if (!to)
        return to.status();
    git_revwalk* rawWalk = nullptr;
    if (git_revwalk_new(&rawWalk, m_repo.get()) < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot create revwalk");
    GitPtr<git_revwalk> walk(rawWalk);
    git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
    if (git_revwalk_push(walk.get(), git_commit_id(to->get())) < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot walk from " + toInclusive);
    if (!fromExclusive.empty()) {
        Result<GitPtr<git_commit>> from = lookupCommit(fromExclusive);
        if (!from)
            return from.status();
        if (git_revwalk_hide(walk.get(), git_commit_id(from->get())) < 0)
            return gitErrorStatus(Status::Code::Internal, "git_error", "cannot hide " + fromExclusive);
    }
    std::vector<std::string> newestFirst;
    git_oid oid;
    while (newestFirst.size() < maxCount && git_revwalk_next(&oid, walk.get()) == 0)
        newestFirst.push_back(oidString(&oid));
    std::reverse(newestFirst.begin(), newestFirst.end());
    return newestFirst;
}

}  // namespace paas
