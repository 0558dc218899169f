// GitRepository: open/init, platform commits, refs. Reading trees and history
// lives in gitrepositoryread.cpp.
#include "engine/git/gitrepository.h"

#include "engine/core/atomicfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace paas {

namespace {

const char* const kMainRef = "refs/heads/main";

QString absoluteNoSlash(const char* libgit2Path)
{
    return QDir::cleanPath(QFileInfo(QFile::decodeName(libgit2Path)).absoluteFilePath());
}

std::uint32_t modeFor(const std::map<std::string, std::uint32_t>& modes, const std::string& path)
{
    const auto it = modes.find(path);
    return it == modes.end() ? static_cast<std::uint32_t>(GIT_FILEMODE_BLOB) : it->second;
}

Status validateInput(const std::map<std::string, std::string>& files, const std::vector<std::string>& removals,
                     const std::map<std::string, std::uint32_t>& modes)
{
    for (const auto& [path, data] : files) {
        (void)data;
        if (!isSafeRepoPath(path))
            return Status::invalidArgument("invalid_path", "unsafe repository path: " + path);
    }
    for (const auto& path : removals) {
        if (!isSafeRepoPath(path))
            return Status::invalidArgument("invalid_path", "unsafe repository path: " + path);
        if (files.count(path))
            return Status::invalidArgument("invalid_path", "path both written and removed: " + path);
    }
    for (const auto& [path, mode] : modes) {
        if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE)
            return Status::invalidArgument("invalid_mode", "unsupported file mode for " + path);
    }
    return Status::ok();
}

}  // namespace

bool isSafeRepoPath(const std::string& path)
{
    if (path.empty() || path.front() == '/' || path.back() == '/')
        return false;
    if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos)
        return false;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        const std::string seg = path.substr(start, end - start);
        if (seg.empty() || seg == "." || seg == ".." || seg == ".git")
            return false;
        start = end + 1;
    }
    return true;
}

bool GitRepository::isPlatformSync(const std::string& subject)
{
    return subject.rfind(kPlatformSyncPrefix, 0) == 0;
}

GitRepository::GitRepository(GitPtr<git_repository> repo) : m_repo(std::move(repo))
{
    m_workdir = absoluteNoSlash(git_repository_workdir(m_repo.get()));
    m_gitDir = absoluteNoSlash(git_repository_path(m_repo.get()));
}

Result<GitRepository> GitRepository::open(const QString& path)
{
    ensureLibgit2();
    git_repository* raw = nullptr;
    const QByteArray native = QFile::encodeName(path);
    const int rc = git_repository_open_ext(&raw, native.constData(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
    GitPtr<git_repository> repo(raw);
    if (rc == GIT_ENOTFOUND)
        return Status::notFound("repo_not_found", "no git repository at " + path.toStdString());
    if (rc < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot open repository " + path.toStdString());
    if (git_repository_is_bare(repo.get()))
        return Status::invalidArgument("bare_repository", "repository has no working tree: " + path.toStdString());
    return GitRepository(std::move(repo));
}

Result<GitRepository> GitRepository::init(const QString& path)
{
    Result<GitRepository> opened = open(path);
    if (opened.isOk() || opened.status().code() != Status::Code::NotFound)
        return opened;
    git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    opts.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
    opts.initial_head = kMainBranch;
    git_repository* raw = nullptr;
    const QByteArray native = QFile::encodeName(path);
    const int rc = git_repository_init_ext(&raw, native.constData(), &opts);
    GitPtr<git_repository> repo(raw);
    if (rc < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot create repository " + path.toStdString());
    return GitRepository(std::move(repo));
}

Result<std::string> GitRepository::currentBranch()
{
    git_reference* raw = nullptr;
    if (git_reference_lookup(&raw, m_repo.get(), "HEAD") < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot read HEAD");
    GitPtr<git_reference> head(raw);
    if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC)
        return Status::notFound("detached_head", "HEAD is detached in " + m_workdir.toStdString());
    const std::string target = git_reference_symbolic_target(head.get());
    const std::string prefix = "refs/heads/";
    if (target.rfind(prefix, 0) != 0)
        return Status::notFound("detached_head", "HEAD points outside refs/heads: " + target);
    return target.substr(prefix.size());
}

Result<std::optional<git_oid>> GitRepository::headOfMain()
{
    Result<std::string> branch = currentBranch();
    if (!branch.isOk() || *branch != kMainBranch)
        return Status::conflict("not_on_main", "HEAD of " + m_workdir.toStdString() + " is not on branch main");
    git_oid oid;
    const int rc = git_reference_name_to_id(&oid, m_repo.get(), kMainRef);
    if (rc == GIT_ENOTFOUND)
        return std::optional<git_oid>();
    if (rc < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot resolve refs/heads/main");
    return std::optional<git_oid>(oid);
}

Result<std::string> GitRepository::branchHead(const std::string& branch)
{
    const std::string ref = "refs/heads/" + branch;
    int valid = 0;
    if (git_reference_name_is_valid(&valid, ref.c_str()) < 0 || !valid)
        return Status::invalidArgument("invalid_branch", "invalid branch name: " + branch);
    git_oid oid;
    const int rc = git_reference_name_to_id(&oid, m_repo.get(), ref.c_str());
    if (rc == GIT_ENOTFOUND)
        return Status::notFound("unknown_branch", "branch has no commit: " + branch);
    if (rc < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot resolve " + ref);
    return std::string(git_oid_tostr_s(&oid));
}

Status GitRepository::writeWorkingTree(const std::map<std::string, std::string>& files,
                                       const std::vector<std::string>& removals,
                                       const std::map<std::string, std::uint32_t>& modes)
{
    const QFileDevice::Permissions exec =
        QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther | QFileDevice::ExeUser;
    for (const auto& [path, data] : files) {
        const QString target = m_workdir + '/' + QString::fromStdString(path);
        if (Status st = writeFileIfChanged(target, data); !st)  // a render rewrites few of its files
            return st;
        QFileDevice::Permissions perms = QFile::permissions(target);
        perms = modeFor(modes, path) == GIT_FILEMODE_BLOB_EXECUTABLE ? (perms | exec) : (perms & ~exec);
        if (!QFile::setPermissions(target, perms))
            return Status::internal("io_error", "cannot set permissions of " + target.toStdString());
    }
    for (const auto& path : removals) {
        const QString target = m_workdir + '/' + QString::fromStdString(path);
        if (QFileInfo::exists(target) && !QFile::remove(target))
            return Status::internal("io_error", "cannot remove " + target.toStdString());
    }
    return Status::ok();
}

Result<git_oid> GitRepository::buildTree(const std::optional<git_oid>& parent,
                                         const std::map<std::string, std::string>& files,
                                         const std::vector<std::string>& removals,
                                         const std::map<std::string, std::uint32_t>& modes)
{
    git_index* rawIndex = nullptr;
    if (git_index_new(&rawIndex) < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot create in-memory index");
    GitPtr<git_index> index(rawIndex);
    if (parent) {
        git_commit* rawCommit = nullptr;
        if (git_commit_lookup(&rawCommit, m_repo.get(), &*parent) < 0)
            return gitErrorStatus(Status::Code::Internal, "git_error", "cannot load HEAD commit");
        GitPtr<git_commit> commit(rawCommit);
        git_tree* rawTree = nullptr;
        if (git_commit_tree(&rawTree, commit.get()) < 0)
            return gitErrorStatus(Status::Code::Internal, "git_error", "cannot load HEAD tree");
        GitPtr<git_tree> tree(rawTree);
        if (git_index_read_tree(index.get(), tree.get()) < 0)
            return gitErrorStatus(Status::Code::Internal, "git_error", "cannot read HEAD tree into index");
    }
    for (const auto& [path, data] : files) {
        git_index_entry entry{};
        if (git_blob_create_from_buffer(&entry.id, m_repo.get(), data.data(), data.size()) < 0)
            return gitErrorStatus(Status::Code::Internal, "git_error", "cannot write blob for " + path);
        entry.mode = modeFor(modes, path);
        entry.path = path.c_str();
        if (git_index_add(index.get(), &entry) < 0)
            return gitErrorStatus(Status::Code::Internal, "git_error", "cannot stage " + path);
    }
    for (const auto& path : removals) {
        const int rc = git_index_remove(index.get(), path.c_str(), 0);
        if (rc < 0 && rc != GIT_ENOTFOUND)
            return gitErrorStatus(Status::Code::Internal, "git_error", "cannot unstage " + path);
    }
    git_oid treeId;
    if (git_index_write_tree_to(&treeId, index.get(), m_repo.get()) < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot write tree");
    return treeId;
}

Status GitRepository::stagePaths(const std::map<std::string, std::string>& files,
                                 const std::vector<std::string>& removals)
{
    git_index* raw = nullptr;
    if (git_repository_index(&raw, m_repo.get()) < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot open index");
    GitPtr<git_index> index(raw);
    if (git_index_read(index.get(), 0) < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot reload index");
    for (const auto& [path, data] : files) {
        (void)data;
        if (git_index_add_bypath(index.get(), path.c_str()) < 0)
            return gitErrorStatus(Status::Code::Internal, "git_error", "cannot stage " + path);
    }
    for (const auto& path : removals) {
        const int rc = git_index_remove_bypath(index.get(), path.c_str());
        if (rc < 0 && rc != GIT_ENOTFOUND)
            return gitErrorStatus(Status::Code::Internal, "git_error", "cannot unstage " + path);
    }
    if (git_index_write(index.get()) < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot write index");
    return Status::ok();
}

Result<std::string> GitRepository::createCommit(const git_oid& tree, const std::optional<git_oid>& parent,
                                                const std::string& message)
{
    git_signature* rawSig = nullptr;
    if (git_signature_now(&rawSig, kAuthorName, kAuthorEmail) < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot create signature");
    GitPtr<git_signature> sig(rawSig);
    git_tree* rawTree = nullptr;
    if (git_tree_lookup(&rawTree, m_repo.get(), &tree) < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot load new tree");
    GitPtr<git_tree> treeObj(rawTree);
    GitPtr<git_commit> parentCommit;
    if (parent) {
        git_commit* rawParent = nullptr;
        if (git_commit_lookup(&rawParent, m_repo.get(), &*parent) < 0)
            return gitErrorStatus(Status::Code::Internal, "git_error", "cannot load HEAD commit");
        parentCommit.reset(rawParent);
    }
    const git_commit* parents[1] = {parentCommit.get()};
    const std::string text = (!message.empty() && message.back() == '\n') ? message : message + '\n';
    git_oid commitId;
    // update_ref with a parent is a compare-and-set: libgit2 refuses when main
    // moved since we read it.
    if (git_commit_create(&commitId, m_repo.get(), kMainRef, sig.get(), sig.get(), nullptr, text.c_str(), treeObj.get(),
                          parentCommit ? 1 : 0, parents) < 0)
        return gitErrorStatus(Status::Code::Conflict, "commit_failed", "cannot commit on main");
    return std::string(git_oid_tostr_s(&commitId));
}

Result<bool> GitRepository::treeUnchanged(const std::optional<git_oid>& parent, const git_oid& tree)
{
    if (!parent)
        return false;
    git_commit* rawHead = nullptr;
    if (git_commit_lookup(&rawHead, m_repo.get(), &*parent) < 0)
        return gitErrorStatus(Status::Code::Internal, "git_error", "cannot load HEAD commit");
    GitPtr<git_commit> head(rawHead);
    return git_oid_equal(git_commit_tree_id(head.get()), &tree) != 0;
}

Result<std::string> GitRepository::commitFiles(const std::map<std::string, std::string>& files,
                                               const std::string& message, const std::vector<std::string>& removals,
                                               const std::map<std::string, std::uint32_t>& modes)
{
    if (Status st = validateInput(files, removals, modes); !st)
        return st;
    Result<std::optional<git_oid>> parent = headOfMain();
    if (!parent)
        return parent.status();
    Result<git_oid> tree = buildTree(*parent, files, removals, modes);
    if (!tree)
        return tree.status();
    Result<bool> unchanged = treeUnchanged(*parent, *tree);
    if (!unchanged)
        return unchanged.status();
    if (*unchanged) {
        // Nothing to commit. Re-stage paths whose working copy already has the
        // desired bytes (heals an index left stale by a crash after a commit).
        std::map<std::string, std::string> settled;
        for (const auto& [path, data] : files)
            if (fileHasContent(m_workdir + '/' + QString::fromStdString(path), QByteArray::fromStdString(data)))
                settled.emplace(path, std::string());
        if (Status st = stagePaths(settled, {}); !st)
            return st;
        return std::string(git_oid_tostr_s(&**parent));
    }
    // Working tree first: a crash before the commit leaves the repo as if the
    // user had edited, and a rerun commits; never HEAD ahead of the files.
    if (Status st = writeWorkingTree(files, removals, modes); !st)
        return st;
    Result<std::string> sha = createCommit(*tree, *parent, message);
    if (!sha)
        return sha.status();
    if (Status st = stagePaths(files, removals); !st)
        return st;
    return sha;
}

}  // namespace paas
