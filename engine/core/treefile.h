#pragma once
// TreeFile: one file of a source tree as read from git at an exact commit,
// handed from the git area to the image builder. Plain value type.
#include <cstdint>
#include <string>
#include <vector>

namespace paas {

struct TreeFile {
    std::string path;              // repo-relative, '/'-separated, no leading '/'
    std::string data;              // file contents (or the link target for symlinks)
    std::uint32_t mode = 0100644;  // git file mode: 0100644, 0100755 or 0120000 (symlink)
};

using Tree = std::vector<TreeFile>;

// TreeEntryRef: one file of a commit's tree without its bytes, so a large
// tree can be listed cheaply and its blobs streamed one at a time.
struct TreeEntryRef {
    std::string path;              // as TreeFile::path
    std::uint32_t mode = 0100644;  // as TreeFile::mode
    std::string blobId;            // 40 lowercase hex: the git blob id (content address)
    std::uint64_t size = 0;        // blob size in bytes
    std::string linkTarget;        // symlinks only: the target
};

using TreeListing = std::vector<TreeEntryRef>;

}  // namespace paas
