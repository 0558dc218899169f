#include "engine/build/llbbuilder.h"

#include "engine/build/proto/ops.pb.h"

#include <QByteArrayView>
#include <QCryptographicHash>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <map>
#include <set>

namespace paas {
namespace {

constexpr std::uint32_t kTypeMask = 0170000;
constexpr std::uint32_t kSymlink = 0120000;
constexpr int kDirMode = 0755;
constexpr int kMaxLinkHops = 8;

std::string serialize(const google::protobuf::MessageLite& msg)
{
    std::string out;
    {
        google::protobuf::io::StringOutputStream sos(&out);
        google::protobuf::io::CodedOutputStream cos(&sos);
        cos.SetSerializationDeterministic(true);
        msg.SerializeToCodedStream(&cos);
    }
    return out;
}

Status checkPath(const std::string& path)
{
    auto bad = [&](const std::string& why) {
        return Status::invalidArgument("invalid_tree_path", "tree path '" + path + "' " + why,
                                       {{"/tree", path}});
    };
    if (path.empty() || path.front() == '/' || path.back() == '/')
        return bad("must be relative and name a file");
    size_t start = 0;
    while (start <= path.size()) {
        const size_t end = std::min(path.find('/', start), path.size());
        const std::string seg = path.substr(start, end - start);
        if (seg.empty() || seg == "." || seg == "..")
            return bad("has an empty, '.' or '..' segment");
        start = end + 1;
    }
    if (path.find('\0') != std::string::npos)
        return bad("contains a NUL byte");
    if (!QByteArrayView(path.data(), qsizetype(path.size())).isValidUtf8())
        return bad("is not valid UTF-8 (LLB paths are protobuf strings)");
    return Status::ok();
}

// Git never hands over such trees, but the result must not depend on the
// order of the entries: a path twice, or a path that is a file and also the
// folder of another path, is refused.
Status checkTreeShape(const Tree& tree)
{
    std::set<std::string> paths;
    for (const TreeFile& f : tree)
        if (!paths.insert(f.path).second)
            return Status::invalidArgument("invalid_tree_path", "tree path '" + f.path + "' appears twice",
                                           {{"/tree", f.path}});
    for (const std::string& path : paths)
        for (size_t s = path.find('/'); s != std::string::npos; s = path.find('/', s + 1))
            if (paths.count(path.substr(0, s)))
                return Status::invalidArgument("invalid_tree_path", "tree path '" + path.substr(0, s)
                                                   + "' is both a file and the folder of '" + path + "'",
                                               {{"/tree", path.substr(0, s)}});
    return Status::ok();
}

// Normalizes "dir/../x"-style link targets relative to the link's directory;
// empty result means the target leaves the tree.
std::string resolveLinkTarget(const std::string& linkPath, const std::string& target)
{
    if (target.empty() || target.front() == '/')
        return {};
    std::vector<std::string> parts;
    const size_t slash = linkPath.rfind('/');
    std::string joined = (slash == std::string::npos ? "" : linkPath.substr(0, slash + 1)) + target;
    size_t start = 0;
    while (start <= joined.size()) {
        const size_t end = std::min(joined.find('/', start), joined.size());
        const std::string seg = joined.substr(start, end - start);
        if (seg == "..") {
            if (parts.empty())
                return {};
            parts.pop_back();
        } else if (!seg.empty() && seg != ".") {
            parts.push_back(seg);
        }
        start = end + 1;
    }
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : "/") + p;
    return out;
}

// Regular-file view of the tree: symlinks to files inside the tree become
// copies of their target; the rest are reported in warnings.
std::map<std::string, const TreeFile*> regularFiles(const Tree& tree, std::vector<std::string>& warnings)
{
    std::map<std::string, const TreeFile*> byPath;
    for (const TreeFile& f : tree)
        byPath[f.path] = &f;
    std::map<std::string, const TreeFile*> out;
    for (const auto& [path, file] : byPath) {
        const TreeFile* cur = file;
        std::string curPath = path;
        for (int hop = 0; cur && (cur->mode & kTypeMask) == kSymlink; ++hop) {
            const auto it = hop < kMaxLinkHops ? byPath.find(resolveLinkTarget(curPath, cur->data)) : byPath.end();
            cur = it == byPath.end() ? nullptr : it->second;
            curPath = it == byPath.end() ? std::string() : it->first;
        }
        if (cur)
            out[path] = cur;
        else
            warnings.push_back("skipped symlink '" + path + "' -> '" + file->data +
                               "': its target is not a file inside the source tree");
    }
    return out;
}

void addAction(pb::FileOp& op, pb::FileAction action)
{
    const int index = op.actions_size();
    action.set_input(index == 0 ? -1 : index - 1);  // chain on the previous action (no op inputs)
    action.set_secondaryinput(-1);
    action.set_output(-1);
    *op.add_actions() = std::move(action);
}

pb::FileAction mkdirAction(const std::string& path)
{
    pb::FileAction a;
    auto* mk = a.mutable_mkdir();
    mk->set_path(path);
    mk->set_mode(kDirMode);
    mk->set_makeparents(true);
    mk->set_timestamp(0);
    return a;
}

pb::FileAction mkfileAction(const std::string& path, const std::string& data, std::uint32_t mode)
{
    pb::FileAction a;
    auto* mk = a.mutable_mkfile();
    mk->set_path("/" + path);
    mk->set_mode(static_cast<int>(mode & 0777));
    mk->set_data(data);
    mk->set_timestamp(0);
    return a;
}

// Wraps a FileOp into a Definition: [fileOp, terminal op -> fileOp:0].
LlbDefinition finish(pb::FileOp fileOp, const std::string& displayName)
{
    pb::FileAction* last = fileOp.mutable_actions(fileOp.actions_size() - 1);
    last->set_output(0);
    LlbDefinition out;
    out.actions = fileOp.actions_size();

    pb::Op op;
    *op.mutable_file() = std::move(fileOp);
    const std::string opBytes = serialize(op);
    out.rootDigest = llbDigest(opBytes);

    pb::Op terminal;
    auto* in = terminal.add_inputs();
    in->set_digest(out.rootDigest);
    in->set_index(0);
    const std::string terminalBytes = serialize(terminal);

    pb::Definition def;
    def.add_def(opBytes);
    def.add_def(terminalBytes);
    pb::OpMetadata& meta = (*def.mutable_metadata())[out.rootDigest];
    if (!displayName.empty())
        (*meta.mutable_description())["llb.customname"] = displayName;
    (*def.mutable_metadata())[llbDigest(terminalBytes)];
    out.bytes = serialize(def);
    return out;
}

}  // namespace

std::string llbDigest(const std::string& bytes)
{
    const QByteArray hash = QCryptographicHash::hash(QByteArray::fromRawData(bytes.data(), qsizetype(bytes.size())),
                                                     QCryptographicHash::Sha256);
    return "sha256:" + hash.toHex().toStdString();
}

Result<LlbDefinition> treeDefinition(const Tree& tree, const std::string& displayName)
{
    for (const TreeFile& f : tree)
        if (Status st = checkPath(f.path); !st)
            return st;
    if (Status st = checkTreeShape(tree); !st)
        return st;
    std::vector<std::string> warnings;
    const auto files = regularFiles(tree, warnings);

    std::set<std::string> dirs;  // sorted: parents come before children
    for (const auto& [path, file] : files)
        for (size_t s = path.find('/'); s != std::string::npos; s = path.find('/', s + 1))
            dirs.insert("/" + path.substr(0, s));

    pb::FileOp op;
    if (files.empty())
        addAction(op, mkdirAction("/"));
    for (const auto& d : dirs)
        addAction(op, mkdirAction(d));
    for (const auto& [path, file] : files)
        addAction(op, mkfileAction(path, file->data, file->mode));
    LlbDefinition def = finish(std::move(op), displayName);
    def.warnings = std::move(warnings);
    return def;
}

Result<LlbDefinition> singleFileDefinition(const std::string& path, const std::string& data, std::uint32_t mode,
                                           const std::string& displayName)
{
    return treeDefinition(Tree{TreeFile{path, data, mode}}, displayName);
}

}  // namespace paas
