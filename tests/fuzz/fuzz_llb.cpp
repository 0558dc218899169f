// Fuzz target: building LLB from a source tree (engine/build/llbbuilder).
//
// Input: sections split at 0x1E, one tree entry each: a mode byte
// ('x' 0100755, 'l' symlink 0120000, anything else 0100644: the modes
// GitRepository::readTree hands over),
// the path up to the first '\n', then the file data (a symlink's target).
// Invariants: a definition parses back; its digests are the sha256 of the
// op bytes and the terminal op points at the root op; the FileOp chains its
// actions, makes each folder before what is in it, and writes exactly the
// regular files (and in-tree symlinks to files) of the tree, each once, with
// the tree's bytes; the same tree in another order gives the same bytes.
#include "engine/build/llbbuilder.h"
#include "engine/build/proto/ops.pb.h"
#include "tests/fuzz/fuzzsupport.h"

#include <algorithm>
#include <map>
#include <set>

using paas::Tree;
using paas::TreeFile;

namespace {

Tree treeOf(const uint8_t* data, size_t size)
{
    Tree tree;
    for (const std::string& part : paas::fuzz::allSections(data, size)) {
        if (part.empty() || tree.size() >= 64)
            continue;
        TreeFile f;
        f.mode = part[0] == 'x' ? 0100755 : part[0] == 'l' ? 0120000 : 0100644;
        const size_t nl = part.find('\n', 1);
        f.path = part.substr(1, nl == std::string::npos ? std::string::npos : nl - 1);
        f.data = nl == std::string::npos ? std::string() : part.substr(nl + 1);
        tree.push_back(std::move(f));
    }
    return tree;
}

void checkFileOp(const pb::FileOp& op, const Tree& tree, const paas::LlbDefinition& def)
{
    FUZZ_CHECK(op.actions_size() == def.actions && def.actions > 0);
    std::set<std::string> dirs{"/"}, files;
    std::map<std::string, const TreeFile*> byPath;
    for (const TreeFile& f : tree)
        byPath[f.path] = &f;
    for (int i = 0; i < op.actions_size(); ++i) {
        const pb::FileAction& a = op.actions(i);
        FUZZ_CHECK(a.input() == i - 1 && a.secondaryinput() == -1);
        FUZZ_CHECK(a.output() == (i + 1 == op.actions_size() ? 0 : -1));
        const std::string path = a.has_mkdir() ? a.mkdir().path() : a.mkfile().path();
        FUZZ_CHECK(a.has_mkdir() || a.has_mkfile());
        FUZZ_CHECK(!path.empty() && path[0] == '/');
        const std::string parent = path.substr(0, std::max<size_t>(1, path.rfind('/')));
        FUZZ_CHECK(path == "/" || dirs.count(parent) == 1);   // parents first
        FUZZ_CHECK(files.count(path) == 0 && (path == "/" || dirs.count(path) == 0));
        (a.has_mkdir() ? dirs : files).insert(path);
        if (a.has_mkfile()) {
            const auto it = byPath.find(path.substr(1));
            FUZZ_CHECK(it != byPath.end());
            if ((it->second->mode & 0170000) != 0120000)
                FUZZ_CHECK(a.mkfile().data() == it->second->data && a.mkfile().mode() == int(it->second->mode & 0777));
        }
    }
    for (const TreeFile& f : tree)
        if ((f.mode & 0170000) == 0100000)
            FUZZ_CHECK(files.count("/" + f.path) == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const Tree tree = treeOf(data, size);
    paas::Result<paas::LlbDefinition> def = paas::treeDefinition(tree, "fuzz");
    if (!def) {
        FUZZ_CHECK(def.status().reason() == "invalid_tree_path");
        return 0;
    }
    pb::Definition parsed;
    FUZZ_CHECK(parsed.ParseFromString(def->bytes));
    FUZZ_CHECK(parsed.def_size() == 2);
    FUZZ_CHECK(paas::llbDigest(parsed.def(0)) == def->rootDigest);
    FUZZ_CHECK(parsed.metadata().count(def->rootDigest) == 1);
    pb::Op root, terminal;
    FUZZ_CHECK(root.ParseFromString(parsed.def(0)) && root.has_file());
    FUZZ_CHECK(terminal.ParseFromString(parsed.def(1)) && terminal.inputs_size() == 1);
    FUZZ_CHECK(terminal.inputs(0).digest() == def->rootDigest);
    checkFileOp(root.file(), tree, *def);

    Tree reversed(tree.rbegin(), tree.rend());
    paas::Result<paas::LlbDefinition> again = paas::treeDefinition(reversed, "fuzz");
    FUZZ_CHECK(again && again->bytes == def->bytes);
    return 0;
}
