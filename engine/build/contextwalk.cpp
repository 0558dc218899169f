#include "engine/build/contextwalk.h"

#include "engine/build/ignorepatterns.h"

#include <QByteArrayView>
#include <QRegularExpression>

#include <algorithm>
#include <map>
#include <memory>

namespace paas {

namespace {

struct Node {
    std::map<std::string, Node> children;  // std::string compares bytewise (unsigned char)
    int entry = -1;                        // >= 0: a file (listing index)
};

std::vector<std::string> splitPath(const std::string& path)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t slash = path.find('/', start);
        const std::size_t end = slash == std::string::npos ? path.size() : slash;
        parts.push_back(path.substr(start, end - start));
        if (slash == std::string::npos)
            break;
        start = slash + 1;
    }
    return parts;
}

// path.Clean for relative '/'-paths: drops "", "." and resolves "..";
// returns "" for the root and "!" when the path escapes it.
std::string cleanRelative(const std::string& path)
{
    std::vector<std::string> out;
    for (const std::string& part : splitPath(path)) {
        if (part.empty() || part == ".")
            continue;
        if (part == "..") {
            if (out.empty())
                return "!";
            out.pop_back();
            continue;
        }
        out.push_back(part);
    }
    std::string joined;
    for (const std::string& part : out)
        joined += (joined.empty() ? "" : "/") + part;
    return joined;
}

Node buildTree(const TreeListing& listing)
{
    // In path order, so conflicts resolve the same whatever the listing's
    // order: a file "a" wins over "a/b" (which sorts after it).
    std::vector<std::size_t> order(listing.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return listing[a].path < listing[b].path; });
    Node root;
    for (const std::size_t i : order) {
        const std::vector<std::string> parts = splitPath(listing[i].path);
        bool valid = QByteArrayView(listing[i].path).isValidUtf8();  // Stat.path is a protobuf string
        for (const std::string& part : parts)
            valid = valid && !part.empty() && part != "." && part != "..";
        if (!valid)
            continue;
        Node* node = &root;
        for (std::size_t k = 0; k + 1 < parts.size() && node; ++k) {
            node = &node->children[parts[k]];
            if (node->entry >= 0)
                node = nullptr;  // a file where a folder is expected
        }
        if (node && !node->children.count(parts.back()))
            node->children[parts.back()].entry = static_cast<int>(i);
    }
    return root;
}

enum class Inclusion { None, Partial, Full };

// One include pattern, split into components, each a literal or a wildcard.
struct IncludePattern {
    std::vector<std::string> literal;
    std::vector<std::shared_ptr<QRegularExpression>> glob;  // null: compare literally
};

IncludePattern compileInclude(const std::string& cleaned)
{
    IncludePattern p;
    for (const std::string& part : splitPath(cleaned)) {
        p.literal.push_back(part);
        if (part.find_first_of("*?[\\") == std::string::npos) {
            p.glob.push_back(nullptr);
            continue;
        }
        const QString rx = QRegularExpression::wildcardToRegularExpression(QString::fromStdString(part));
        p.glob.push_back(std::make_shared<QRegularExpression>(rx));
    }
    return p;
}

Inclusion matchInclude(const IncludePattern& p, const std::vector<std::string>& parts)
{
    const std::size_t n = std::min(p.literal.size(), parts.size());
    for (std::size_t k = 0; k < n; ++k) {
        const bool ok =
            p.glob[k] ? p.glob[k]->match(QString::fromStdString(parts[k])).hasMatch() : p.literal[k] == parts[k];
        if (!ok)
            return Inclusion::None;
    }
    return parts.size() >= p.literal.size() ? Inclusion::Full : Inclusion::Partial;
}

class Walker {
public:
    Walker(std::vector<IncludePattern> includes, IgnorePatterns excludes)
        : m_includes(std::move(includes)), m_excludes(std::move(excludes))
    {
    }

    std::vector<WalkItem> run(const Node& root)
    {
        std::vector<std::string> parts;
        walk(root, "", parts, IgnorePatterns::MatchInfo{}, m_includes.empty());
        return std::move(m_out);
    }

private:
    Inclusion inclusion(const std::vector<std::string>& parts) const
    {
        Inclusion best = Inclusion::None;
        for (const IncludePattern& p : m_includes) {
            const Inclusion got = matchInclude(p, parts);
            if (got == Inclusion::Full)
                return got;
            if (got == Inclusion::Partial)
                best = got;
        }
        return best;
    }

    void flushPending()
    {
        for (std::string& dir : m_pending)
            m_out.push_back({std::move(dir), -1});
        m_pending.clear();
    }

    void walk(const Node& node, const std::string& prefix, std::vector<std::string>& parts,
              const IgnorePatterns::MatchInfo& parentInfo, bool parentIncluded)
    {
        for (const auto& [name, child] : node.children) {
            const std::string path = prefix.empty() ? name : prefix + "/" + name;
            parts.push_back(name);
            const Inclusion inc = parentIncluded ? Inclusion::Full : inclusion(parts);
            IgnorePatterns::MatchInfo info;
            const bool excluded = !m_excludes.empty() && m_excludes.matchesUsingParent(path, parentInfo, &info);
            if (child.entry >= 0) {
                if (inc == Inclusion::Full && !excluded) {
                    flushPending();
                    m_out.push_back({path, child.entry});
                }
            } else if (inc != Inclusion::None && !(excluded && m_excludes.canPruneExcludedDir(path))) {
                walkDir(child, path, parts, info, excluded, inc == Inclusion::Full);
            }
            parts.pop_back();
        }
    }

    void walkDir(const Node& dir, const std::string& path, std::vector<std::string>& parts,
                 const IgnorePatterns::MatchInfo& info, bool excluded, bool included)
    {
        const bool selected = included && !excluded;
        if (selected) {
            flushPending();
            m_out.push_back({path, -1});
        } else {
            m_pending.push_back(path);
        }
        walk(dir, path, parts, info, included);
        if (!selected && !m_pending.empty() && m_pending.back() == path)
            m_pending.pop_back();
    }

    std::vector<IncludePattern> m_includes;
    IgnorePatterns m_excludes;
    std::vector<std::string> m_pending;
    std::vector<WalkItem> m_out;
};

// Include patterns plus followPaths, with each followed symlink's target.
Result<std::vector<IncludePattern>> includePatterns(const TreeListing& listing, const ContextFilter& filter)
{
    std::vector<std::string> raw = filter.includePatterns;
    for (const std::string& follow : filter.followPaths) {
        raw.push_back(follow);
        const std::string cleaned = cleanRelative(follow);
        for (const TreeEntryRef& e : listing) {
            if (e.path != cleaned || e.mode != 0120000 || e.linkTarget.empty() || e.linkTarget[0] == '/')
                continue;
            const std::size_t slash = cleaned.rfind('/');
            const std::string dir = slash == std::string::npos ? "" : cleaned.substr(0, slash + 1);
            raw.push_back(dir + e.linkTarget);
        }
    }
    std::vector<IncludePattern> out;
    for (const std::string& pattern : raw) {
        const std::string cleaned = cleanRelative(pattern);
        if (cleaned == "!")
            continue;  // outside the context: matches nothing
        if (cleaned.empty())
            return std::vector<IncludePattern>{};  // "." includes everything
        out.push_back(compileInclude(cleaned));
    }
    return out;
}

}  // namespace

Result<std::vector<WalkItem>> walkContext(const TreeListing& listing, const ContextFilter& filter)
{
    Result<IgnorePatterns> excludes = IgnorePatterns::compile(filter.excludePatterns);
    if (!excludes)
        return excludes.status();
    Result<std::vector<IncludePattern>> includes = includePatterns(listing, filter);
    if (!includes)
        return includes.status();
    const bool includeEverything = includes->empty() && filter.includePatterns.empty() && filter.followPaths.empty();
    if (includes->empty() && !includeEverything) {
        // only "." patterns (everything) or only patterns outside the context (nothing)
        bool anyDot = false;
        for (const auto& p : filter.includePatterns)
            anyDot = anyDot || cleanRelative(p).empty();
        for (const auto& p : filter.followPaths)
            anyDot = anyDot || cleanRelative(p).empty();
        if (!anyDot)
            return std::vector<WalkItem>{};
    }
    const Node root = buildTree(listing);
    Walker walker(std::move(*includes), std::move(*excludes));
    return walker.run(root);
}

}  // namespace paas
