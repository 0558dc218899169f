#pragma once
// LLB construction for session-free BuildKit solves.
//
// A source Tree (engine/core/treefile.h) becomes one FileOp on scratch whose
// mkdir/mkfile actions carry every file's bytes inline, so BuildKit needs no
// client session (no local:// source) to read the build context. Modes are
// preserved (0644/0755 from the git mode); parent directories are 0755; all
// timestamps are the Unix epoch, so the same tree gives byte-identical LLB,
// identical op digests (cache hits) and reproducible layers.
//
// Symlinks (git mode 0120000) are materialized as a copy of their target when
// the target is a regular file inside the tree; other symlinks are skipped
// with a warning. Paths with "..", empty or "." segments, a leading '/', a
// NUL byte or invalid UTF-8 (protobuf strings), a path given twice, or a path
// that is a file and also the folder of another, are InvalidArgument
// ("invalid_tree_path"); so the result never depends on the entries' order.
//
// Op digests are "sha256:" + hex of the exact serialized op bytes, as BuildKit
// computes them. Pure functions; thread-safe.
#include "engine/core/status.h"
#include "engine/core/treefile.h"

#include <cstdint>
#include <string>
#include <vector>

namespace paas {

struct LlbDefinition {
    std::string bytes;       // a serialized pb.Definition (ops + terminal vertex)
    std::string rootDigest;  // digest of the op that produces the result
    int actions = 0;         // FileOp actions emitted
    std::vector<std::string> warnings;  // e.g. skipped symlinks
};

// "sha256:<64 lowercase hex>" of bytes.
std::string llbDigest(const std::string& bytes);

// The whole tree as a FileOp on scratch. An empty tree yields a definition of
// an empty root directory. `displayName` becomes the vertex name shown in
// progress (metadata "llb.customname"; it does not change the digest); empty
// means BuildKit's default (the list of actions).
Result<LlbDefinition> treeDefinition(const Tree& tree, const std::string& displayName = {});

// A scratch filesystem holding one file (used for the Dockerfile input).
Result<LlbDefinition> singleFileDefinition(const std::string& path, const std::string& data,
                                           std::uint32_t mode = 0100644, const std::string& displayName = {});

}  // namespace paas
