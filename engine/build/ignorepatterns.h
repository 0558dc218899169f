#pragma once
// .dockerignore patterns with the semantics BuildKit applies to a build
// context: moby/patternmatcher (PatternMatcher) as used by tonistiigi/fsutil's
// filtered walk, and moby/patternmatcher/ignorefile.ReadAll for the file text.
//
// Pattern language (after path.Clean on '/'):
//   *      any run of non-'/' characters     ?      one non-'/' character
//   [...]  a class, ranges and '^' negation  \c     the character c, literally
//   **     any number of path segments, zero included ("**/x", "x/**", "a/**/b")
//   !p     an exception: re-includes what p matches
// A pattern matches a path when it matches the path or one of its parent
// directories; the last pattern that matches decides (an exception flips the
// result back to "not matched"). Paths are relative, '/'-separated, cleaned and
// without a leading '/', exactly as the walker produces them.
//
// Errors: compile() returns InvalidArgument "invalid_ignore_pattern" naming the
// pattern for a lone "!", a syntax error (unclosed or malformed '[' class, a
// trailing '\'), a pattern whose translated regular expression does not compile
// (e.g. the reversed range "[z-a]", which patternmatcher only reports at match
// time), an escaped letter or digit outside the Go regexp escapes \d \D \s \S
// \w \W \b \B \A \z \t \n \r \f \v \a (patternmatcher hands "\c" to Go's regexp
// as is), more than 10,000 patterns, or a pattern over 4,096 bytes.
//
// Thread-safety: pure; immutable after compile; thread-safe.
#include "engine/core/status.h"

#include <QRegularExpression>

#include <cstddef>
#include <string>
#include <vector>

namespace paas {

// Splits .dockerignore text into patterns exactly like ignorefile.ReadAll:
// lines split at '\n' (a trailing '\r' dropped), a UTF-8 BOM stripped from the
// first line, lines starting with '#' skipped (before trimming), whitespace
// trimmed, empty lines skipped; a leading '!' is kept as an exception marker
// and the rest is trimmed, path.Clean'ed and loses one leading '/'. A lone "!"
// is kept (compile() rejects it); a line cleaning to "." is kept as ".".
std::vector<std::string> parseDockerignore(const std::string& text);

class IgnorePatterns {
public:
    static constexpr std::size_t kMaxPatterns = 10000;
    static constexpr std::size_t kMaxPatternBytes = 4096;

    // Per-pattern results for a directory, carried down a pre-order walk
    // (patternmatcher.MatchInfo). A default-constructed value means "no
    // information": the parents are then checked from scratch (so is a value
    // of the wrong size, which patternmatcher reports as an error).
    struct MatchInfo {
        std::vector<bool> parentMatched;
    };

    IgnorePatterns() = default;  // no patterns: matches nothing

    // patternmatcher.New: each entry is trimmed and path.Clean'ed; empty ones
    // are skipped; a leading '!' marks an exception.
    static Result<IgnorePatterns> compile(const std::vector<std::string>& patterns);

    bool empty() const { return m_patterns.empty(); }
    bool hasExclusions() const { return m_hasExclusions; }  // any '!' pattern
    std::size_t size() const { return m_patterns.size(); }

    // MatchesOrParentMatches: true when the path is excluded from the context.
    bool matches(const std::string& path) const;

    // MatchesUsingParentResults, the walk form: pass the MatchInfo returned for
    // the path's parent directory (or {} at the top level, or when unknown);
    // *info, if given, receives this path's MatchInfo for its children.
    bool matchesUsingParent(const std::string& path, const MatchInfo& parent, MatchInfo* info = nullptr) const;

    // For a directory that matches(): may the walker skip its whole subtree?
    // fsutil's rule: yes when there are no exceptions; with exceptions, only
    // when every exception is a plain path (no * ? [ ] ^ \ once a trailing
    // "/*" or "/**" is dropped) and none of them lies inside the directory.
    // A directory that is excluded but not pruned is still walked; it is sent
    // only if something below it is sent (fsutil then emits it first).
    bool canPruneExcludedDir(const std::string& dir) const;

private:
    enum class Kind { Exact, Prefix, Suffix, Regexp };
    struct Pattern {
        std::string cleaned;  // without the '!'
        bool exclusion = false;
        Kind kind = Kind::Exact;
        QRegularExpression regex;  // compiled only for Kind::Regexp
    };

    static Status compileOne(const std::string& raw, Pattern* out);
    static bool matchOne(const Pattern& p, const std::string& path);
    static bool matchSelfOrParents(const Pattern& p, const std::string& path);

    std::vector<Pattern> m_patterns;
    bool m_hasExclusions = false;
    bool m_onlyPrefixExceptions = true;  // fsutil's onlyPrefixExcludeExceptions
};

}  // namespace paas
