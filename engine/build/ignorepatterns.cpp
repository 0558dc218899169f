// .dockerignore matching; see ignorepatterns.h for the contract. The structure
// follows moby/patternmatcher (pattern kinds exact/prefix/suffix/regexp and the
// glob-to-regexp translation) so its behaviour, quirks included, carries over.
#include "engine/build/ignorepatterns.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string_view>
#include <utility>

namespace paas {

namespace {

// Length of the UTF-8 sequence a lead byte announces (1 for anything invalid).
std::size_t utf8Length(unsigned char c)
{
    if (c >= 0xF0 && c < 0xF8)
        return 4;
    if (c >= 0xE0)
        return c < 0xF0 ? 3 : 1;
    if (c >= 0xC0)
        return 2;
    return 1;
}

// Decodes one code point at s[i]; returns -1 (and length 1) when invalid,
// like Go's utf8.RuneError with width 1.
long decodeRune(std::string_view s, std::size_t i, std::size_t* len)
{
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = utf8Length(c);
    *len = 1;
    if (n == 1)
        return c < 0x80 ? long(c) : -1;
    if (i + n > s.size())
        return -1;
    long r = c & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80)
            return -1;
        r = (r << 6) | (b & 0x3F);
    }
    static const long minimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (r < minimum[n] || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        return -1;
    *len = n;
    return r;
}

// Go's unicode.IsSpace.
bool isGoSpace(long r)
{
    switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000: return true;
    default: return r >= 0x2000 && r <= 0x200A;
    }
}

// Go's strings.TrimSpace.
std::string trimSpace(std::string_view s)
{
    std::size_t begin = 0;
    while (begin < s.size()) {
        std::size_t len = 0;
        if (!isGoSpace(decodeRune(s, begin, &len)))
            break;
        begin += len;
    }
    std::size_t end = s.size();
    while (end > begin) {
        std::size_t start = end - 1;  // back up to the lead byte (at most 3 steps)
        while (start > begin && end - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
            --start;
        std::size_t len = 0;
        if (!isGoSpace(decodeRune(s, start, &len)) || start + len != end)
            break;
        end = start;
    }
    return std::string(s.substr(begin, end - begin));
}

// Go's path.Clean: '/'-separated, lexical.
std::string cleanPath(std::string_view p)
{
    if (p.empty())
        return ".";
    const bool rooted = p[0] == '/';
    const std::size_t n = p.size();
    std::string out = rooted ? "/" : "";
    std::size_t r = rooted ? 1 : 0;
    std::size_t dotdot = out.size();  // where ".." can no longer backtrack
    while (r < n) {
        if (p[r] == '/') {
            ++r;
        } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
            ++r;
        } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
            r += 2;
            if (out.size() > dotdot) {
                std::size_t w = out.size() - 1;
                while (w > dotdot && out[w] != '/')
                    --w;
                out.resize(w);
            } else if (!rooted) {
                if (!out.empty())
                    out += '/';
                out += "..";
                dotdot = out.size();
            }
        } else {
            if ((rooted && out.size() != 1) || (!rooted && !out.empty()))
                out += '/';
            for (; r < n && p[r] != '/'; ++r)
                out += p[r];
        }
    }
    return out.empty() ? std::string(".") : out;
}

// One class member of filepath.Match (getEsc); false on a syntax error.
bool classChar(std::string_view p, std::size_t* i)
{
    if (*i >= p.size() || p[*i] == '-' || p[*i] == ']')
        return false;
    if (p[*i] == '\\' && ++*i >= p.size())
        return false;
    std::size_t len = 0;
    if (decodeRune(p, *i, &len) < 0)
        return false;
    *i += len;
    return *i < p.size();
}

// The syntax check patternmatcher gets from filepath.Match(pattern, "."):
// classes must be closed, non-empty, with well-formed ranges; no trailing '\'.
bool globSyntaxOk(std::string_view p)
{
    std::size_t i = 0;
    while (i < p.size()) {
        const char c = p[i++];
        if (c == '\\') {
            if (i >= p.size())
                return false;
            ++i;
        } else if (c == '[') {
            if (i < p.size() && p[i] == '^')
                ++i;
            for (int nrange = 0;; ++nrange) {
                if (i < p.size() && p[i] == ']' && nrange > 0) {
                    ++i;
                    break;
                }
                if (!classChar(p, &i))
                    return false;
                if (p[i] == '-' && !classChar(p, &++i))
                    return false;
            }
        }
    }
    return true;
}

// Appends the regexp for "\c": Go's regexp (which patternmatcher hands the
// escape to) reads punctuation literally and letters as its own escapes.
bool appendEscape(std::string_view esc, std::string* re)
{
    const char c = esc[0];
    const bool ascii = static_cast<unsigned char>(c) < 0x80;
    const bool alnum = ascii && (std::isalnum(static_cast<unsigned char>(c)) != 0);
    if (ascii && !alnum) {
        *re += '\\';
        *re += c;
        return true;
    }
    if (ascii && std::strchr("dDsSwWbBAztnrf", c) != nullptr) {
        *re += '\\';
        *re += c;
        return true;
    }
    if (c == 'v' || c == 'a') {
        *re += c == 'v' ? "\\x0B" : "\\x07";
        return true;
    }
    return false;
}

constexpr const char* kPatternChars = "*[]?^\\";  // fsutil's patternChars on Unix

// fsutil's patternWithoutTrailingGlob.
std::string withoutTrailingGlob(std::string s)
{
    if (s.size() >= 3 && s.ends_with("/**"))
        s.resize(s.size() - 3);
    if (s.size() >= 2 && s.ends_with("/*"))
        s.resize(s.size() - 2);
    return s;
}

Status invalidPattern(const std::string& pattern, const std::string& why)
{
    return Status::invalidArgument("invalid_ignore_pattern",
                                   "invalid .dockerignore pattern \"" + pattern + "\": " + why);
}

// The parent directories of path as filepath.Dir + Split give them:
// "a/b/c" -> {"a", "a/b"}; none for a top-level path.
std::vector<std::string> parentDirs(const std::string& path)
{
    std::vector<std::string> out;
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos)
        return out;
    const std::string dir = cleanPath(std::string_view(path).substr(0, slash + 1));
    if (dir == ".")
        return out;
    for (std::size_t pos = dir.find('/'); pos != std::string::npos; pos = dir.find('/', pos + 1))
        out.push_back(dir.substr(0, pos));
    out.push_back(dir);
    return out;
}

}  // namespace

std::vector<std::string> parseDockerignore(const std::string& text)
{
    std::vector<std::string> out;
    std::string_view rest(text);
    bool first = true;
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (first && line.starts_with("\xEF\xBB\xBF"))
            line.remove_prefix(3);
        first = false;
        if (line.starts_with('#'))
            continue;
        std::string pattern = trimSpace(line);
        if (pattern.empty())
            continue;
        const bool invert = pattern[0] == '!';
        if (invert)
            pattern = trimSpace(std::string_view(pattern).substr(1));
        if (!pattern.empty()) {
            pattern = cleanPath(pattern);
            if (pattern.size() > 1 && pattern[0] == '/')
                pattern.erase(0, 1);
        }
        out.push_back(invert ? "!" + pattern : pattern);
    }
    return out;
}

// patternmatcher's Pattern.compile: pick the cheapest kind, else build a regexp.
// Differences in spelling only: ".*" becomes "[^\n]*" (Go's '.' stops at '\n')
// and the closing "$" becomes "\z" (PCRE's "$" would also match before a final
// newline).
Status IgnorePatterns::compileOne(const std::string& cleaned, Pattern* out)
{
    std::string re = "^";
    Kind kind = Kind::Exact;
    const std::size_t n = cleaned.size();
    for (std::size_t i = 0; i < n;) {
        const bool atStart = i == 0;
        const char c = cleaned[i];
        if (c == '*' && i + 1 < n && cleaned[i + 1] == '*') {
            i += 2;
            if (i < n && cleaned[i] == '/')
                ++i;
            if (i < n) {
                re += "([^\\n]*/)?";
                kind = Kind::Regexp;
            } else if (kind == Kind::Exact) {
                kind = Kind::Prefix;
            } else {
                re += "[^\\n]*";
                kind = Kind::Regexp;
            }
            if (atStart)
                kind = Kind::Suffix;
        } else if (c == '*' || c == '?') {
            re += c == '*' ? "[^/]*" : "[^/]";
            kind = Kind::Regexp;
            ++i;
        } else if (std::strchr(".+()|{}$", c) != nullptr) {
            (re += '\\') += c;
            ++i;
        } else if (c == '\\') {
            if (i + 1 >= n)
                return invalidPattern(cleaned, "trailing '\\'");
            const std::size_t len = std::min(utf8Length(static_cast<unsigned char>(cleaned[i + 1])), n - i - 1);
            if (!appendEscape(std::string_view(cleaned).substr(i + 1, len), &re))
                return invalidPattern(cleaned, "unsupported escape \\" + cleaned.substr(i + 1, len));
            kind = Kind::Regexp;
            i += 1 + len;
        } else {
            if (c == '[' || c == ']')
                kind = Kind::Regexp;
            re += c;
            ++i;
        }
    }
    out->cleaned = cleaned;
    out->kind = kind;
    if (kind != Kind::Regexp)
        return Status::ok();
    re += "\\z";
    out->regex = QRegularExpression(QString::fromStdString(re));
    if (!out->regex.isValid())  // also compiles (and JITs) it now, once
        return invalidPattern(cleaned, out->regex.errorString().toStdString());
    return Status::ok();
}

Result<IgnorePatterns> IgnorePatterns::compile(const std::vector<std::string>& patterns)
{
    if (patterns.size() > kMaxPatterns)
        return Status::invalidArgument(
            "invalid_ignore_pattern",
            "too many .dockerignore patterns (" + std::to_string(patterns.size()) + ", at most 10000)");
    IgnorePatterns out;
    out.m_patterns.reserve(patterns.size());
    for (const std::string& raw : patterns) {
        if (raw.size() > kMaxPatternBytes)
            return invalidPattern(raw.substr(0, 64) + "...", "longer than 4096 bytes");
        std::string p = trimSpace(raw);
        if (p.empty())
            continue;
        p = cleanPath(p);
        Pattern pattern;
        if (p[0] == '!') {
            if (p.size() == 1)
                return invalidPattern(p, "illegal exclusion pattern");
            pattern.exclusion = true;
            p.erase(0, 1);
        }
        if (!globSyntaxOk(p))
            return invalidPattern(p, "syntax error in pattern");
        if (Status s = compileOne(p, &pattern); !s)
            return s;
        if (pattern.exclusion) {
            out.m_hasExclusions = true;
            if (withoutTrailingGlob(p).find_first_of(kPatternChars) != std::string::npos)
                out.m_onlyPrefixExceptions = false;
        }
        out.m_patterns.push_back(std::move(pattern));
    }
    return out;
}

bool IgnorePatterns::matchOne(const Pattern& p, const std::string& path)
{
    switch (p.kind) {
    case Kind::Exact: return path == p.cleaned;
    case Kind::Prefix:  // "dir/**": everything starting "dir/"
        return path.starts_with(std::string_view(p.cleaned).substr(0, p.cleaned.size() - 2));
    case Kind::Suffix: {  // "**/x" or "**x": everything ending so; "**/x" also "x"
        const std::string_view suffix = std::string_view(p.cleaned).substr(2);
        if (path.ends_with(suffix))
            return true;
        return !suffix.empty() && suffix[0] == '/' && path == suffix.substr(1);
    }
    case Kind::Regexp: return p.regex.match(QString::fromStdString(path)).hasMatch();
    }
    return false;
}

bool IgnorePatterns::matchSelfOrParents(const Pattern& p, const std::string& path)
{
    if (matchOne(p, path))
        return true;
    for (const std::string& dir : parentDirs(path))
        if (matchOne(p, dir))
            return true;
    return false;
}

bool IgnorePatterns::matches(const std::string& path) const
{
    bool matched = false;
    for (const Pattern& p : m_patterns) {
        // An inclusion cannot change a match, nor an exception a non-match.
        if (p.exclusion != matched)
            continue;
        if (matchSelfOrParents(p, path))
            matched = !p.exclusion;
    }
    return matched;
}

bool IgnorePatterns::matchesUsingParent(const std::string& path, const MatchInfo& parent, MatchInfo* info) const
{
    const bool known = parent.parentMatched.size() == m_patterns.size() && !m_patterns.empty();
    std::vector<bool> mine(m_patterns.size(), false);
    bool matched = false;
    for (std::size_t i = 0; i < m_patterns.size(); ++i) {
        const Pattern& p = m_patterns[i];
        bool match = known && parent.parentMatched[i];
        if (!match) {
            if (p.exclusion != matched)
                continue;
            match = known ? matchOne(p, path) : matchSelfOrParents(p, path);
        }
        mine[i] = match;
        if (match)
            matched = !p.exclusion;
    }
    if (info)
        info->parentMatched = std::move(mine);
    return matched;
}

bool IgnorePatterns::canPruneExcludedDir(const std::string& dir) const
{
    if (!m_hasExclusions)
        return true;
    if (!m_onlyPrefixExceptions)
        return false;
    const std::string dirSlash = dir + "/";
    for (const Pattern& p : m_patterns) {
        if (p.exclusion && (withoutTrailingGlob(p.cleaned) + "/").starts_with(dirSlash))
            return false;
    }
    return true;
}

}  // namespace paas
