#include "engine/git/textdiff.h"

#include "engine/git/gitptr.h"

#include <algorithm>

namespace paas {

namespace {

std::string withFinalNewline(const std::string& text)
{
    return text.empty() || text.back() == '\n' ? text : text + "\n";
}

// diff -u's range: "start" for one line, "start,count" otherwise.
std::string rangeOf(int start, int count)
{
    return count == 1 ? std::to_string(start) : std::to_string(start) + "," + std::to_string(count);
}

void appendHunk(git_patch* patch, size_t index, std::string& out)
{
    const git_diff_hunk* hunk = nullptr;
    size_t lines = 0;
    if (git_patch_get_hunk(&hunk, &lines, patch, index) != 0)
        return;
    out +=
        "@@ -" + rangeOf(hunk->old_start, hunk->old_lines) + " +" + rangeOf(hunk->new_start, hunk->new_lines) + " @@\n";
    for (size_t l = 0; l < lines; ++l) {
        const git_diff_line* line = nullptr;
        if (git_patch_get_line_in_hunk(&line, patch, index, l) != 0)
            continue;
        if (line->origin != GIT_DIFF_LINE_CONTEXT && line->origin != GIT_DIFF_LINE_ADDITION &&
            line->origin != GIT_DIFF_LINE_DELETION)
            continue;  // "\ No newline at end of file": never produced, both sides end in '\n'
        out += line->origin;
        out.append(line->content, line->content_len);
    }
}

}  // namespace

Result<std::string> TextDiff::unified(const std::string& before, const std::string& after,
                                      const std::string& labelBefore, const std::string& labelAfter, int context)
{
    const std::string a = withFinalNewline(before), b = withFinalNewline(after);
    if (a == b)
        return std::string();
    ensureLibgit2();
    git_diff_options opts;
    git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
    opts.context_lines = static_cast<uint32_t>(std::max(0, context));
    opts.interhunk_lines = 0;
    opts.flags = GIT_DIFF_PATIENCE | GIT_DIFF_FORCE_TEXT;
    git_patch* raw = nullptr;
    if (git_patch_from_buffers(&raw, a.data(), a.size(), labelBefore.c_str(), b.data(), b.size(), labelAfter.c_str(),
                               &opts) != 0)
        return gitErrorStatus(Status::Code::Internal, "diff_failed", "diffing " + labelBefore);
    GitPtr<git_patch> patch(raw);
    std::string out = "--- " + labelBefore + "\n+++ " + labelAfter + "\n";
    const size_t hunks = git_patch_num_hunks(patch.get());
    for (size_t h = 0; h < hunks; ++h)
        appendHunk(patch.get(), h, out);
    return out;
}

}  // namespace paas
