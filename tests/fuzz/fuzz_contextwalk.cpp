// Fuzz target: which files of a build context are sent to BuildKit, in what
// order (engine/build/contextwalk, with ignorepatterns and parseDockerignore).
//
// Input: sections split at 0x1E: the .dockerignore text, the include patterns
// (one per line), the followpaths (one per line), then tree entries, each a
// mode byte ('x' 0100755, 'l' symlink 0120000, anything else 0100644), the
// path up to the first '\n', then a symlink's target.
// Invariants (the receiver's validator in tonistiigi/fsutil): every entry's
// parent folder precedes it; within a folder names strictly increase
// bytewise; a path is sent once; every file sent is in the tree and not
// excluded by the patterns as the walk applies them (fsutil's
// MatchesUsingParentResults down the path, which can differ from
// MatchesOrParentMatches: see tst_ignorepatterns::walkFormDiffersFromParentsForm);
// without patterns every valid path is sent; the same tree in another order
// gives the same walk.
#include "engine/build/contextwalk.h"
#include "engine/build/ignorepatterns.h"
#include "tests/fuzz/fuzzsupport.h"

#include <QByteArrayView>

#include <algorithm>
#include <map>
#include <set>

using paas::TreeEntryRef;
using paas::TreeListing;

namespace {

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (start < text.size() && out.size() < 32) {
        const size_t nl = text.find('\n', start);
        const size_t end = nl == std::string::npos ? text.size() : nl;
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

TreeListing listingOf(const std::vector<std::string>& parts)
{
    TreeListing listing;
    for (size_t i = 3; i < parts.size() && listing.size() < 64; ++i) {
        const std::string& part = parts[i];
        if (part.empty())
            continue;
        TreeEntryRef e;
        e.mode = part[0] == 'x' ? 0100755 : part[0] == 'l' ? 0120000 : 0100644;
        const size_t nl = part.find('\n', 1);
        e.path = part.substr(1, nl == std::string::npos ? std::string::npos : nl - 1);
        if (e.mode == 0120000)
            e.linkTarget = nl == std::string::npos ? std::string() : part.substr(nl + 1);
        e.blobId = std::string(40, 'a');
        listing.push_back(std::move(e));
    }
    return listing;
}

void checkOrder(const std::vector<paas::WalkItem>& items, const TreeListing& listing)
{
    std::set<std::string> dirs{""};
    std::set<std::string> seen;
    std::map<std::string, std::string> lastInDir;
    for (const paas::WalkItem& item : items) {
        FUZZ_CHECK(!item.path.empty() && item.path.front() != '/' && item.path.back() != '/');
        FUZZ_CHECK(seen.insert(item.path).second);
        const size_t slash = item.path.rfind('/');
        const std::string parent = slash == std::string::npos ? "" : item.path.substr(0, slash);
        const std::string name = slash == std::string::npos ? item.path : item.path.substr(slash + 1);
        FUZZ_CHECK(dirs.count(parent) == 1);
        FUZZ_CHECK(!name.empty() && name != "." && name != "..");
        const auto last = lastInDir.find(parent);
        FUZZ_CHECK(last == lastInDir.end() || last->second < name);
        lastInDir[parent] = name;
        if (item.entry < 0)
            dirs.insert(item.path);
        else
            FUZZ_CHECK(static_cast<size_t>(item.entry) < listing.size() && listing[item.entry].path == item.path);
    }
}

bool validPath(const std::string& path)
{
    if (!QByteArrayView(path).isValidUtf8())
        return false;
    if (path.empty() || path.front() == '/' || path.back() == '/' || path.find("//") != std::string::npos)
        return false;
    const std::string wrapped = "/" + path + "/";
    return wrapped.find("/./") == std::string::npos && wrapped.find("/../") == std::string::npos;
}

// The walk's exclusion rule: matchesUsingParent from the top folder down.
bool excludedInWalk(const paas::IgnorePatterns& patterns, const std::string& path)
{
    paas::IgnorePatterns::MatchInfo info;
    for (size_t slash = path.find('/');; slash = path.find('/', slash + 1)) {
        paas::IgnorePatterns::MatchInfo next;
        const bool excluded = patterns.matchesUsingParent(path.substr(0, slash), info, &next);
        if (slash == std::string::npos)
            return excluded;
        info = std::move(next);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::vector<std::string> parts = paas::fuzz::allSections(data, size);
    const std::vector<std::string> excludes = paas::parseDockerignore(parts.size() > 0 ? parts[0] : "");
    paas::ContextFilter filter{parts.size() > 1 ? lines(parts[1]) : std::vector<std::string>{}, excludes,
                               parts.size() > 2 ? lines(parts[2]) : std::vector<std::string>{}};
    TreeListing listing = listingOf(parts);
    paas::Result<std::vector<paas::WalkItem>> walked = paas::walkContext(listing, filter);
    if (!walked) {
        FUZZ_CHECK(walked.status().reason() == "invalid_ignore_pattern");
        return 0;
    }
    checkOrder(*walked, listing);
    paas::Result<paas::IgnorePatterns> patterns = paas::IgnorePatterns::compile(excludes);
    FUZZ_CHECK(patterns.isOk());
    for (const paas::WalkItem& item : *walked)
        FUZZ_CHECK(item.entry < 0 || !excludedInWalk(*patterns, item.path));
    if (filter.includePatterns.empty() && filter.followPaths.empty() && excludes.empty()) {
        std::set<std::string> files;
        for (const paas::WalkItem& item : *walked)
            if (item.entry >= 0)
                files.insert(item.path);
        for (const TreeEntryRef& e : listing)  // the first of duplicates wins; a file under a file is dropped
            FUZZ_CHECK(!validPath(e.path) || files.count(e.path) ||
                       std::count_if(listing.begin(), listing.end(), [&](const TreeEntryRef& o) {
                           return o.path == e.path || e.path.rfind(o.path + "/", 0) == 0 ||
                                  o.path.rfind(e.path + "/", 0) == 0;
                       }) > 1);
    }
    TreeListing reversed(listing.rbegin(), listing.rend());
    std::set<std::string> unique;
    for (const TreeEntryRef& e : listing)
        unique.insert(e.path);
    if (unique.size() == listing.size()) {  // no duplicate paths: order must not matter
        paas::Result<std::vector<paas::WalkItem>> again = paas::walkContext(reversed, filter);
        FUZZ_CHECK(again.isOk() && again->size() == walked->size());
        for (size_t i = 0; i < walked->size(); ++i)
            FUZZ_CHECK((*again)[i].path == (*walked)[i].path);
    }
    return 0;
}
