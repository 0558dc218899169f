#pragma once
// CommitMaker: new commits on main of one project's source repo, made with
// libgit2 (GitRepository::commitFiles), which runs no hooks: the only ci
// triggers are the webhooks the bench sends. Each commit changes bench.txt
// (a counter and the clock), so every commit is unique.
// Contract: open() once (false if the repo cannot be opened, printed);
// make(n) returns the shas of n new commits (fewer on a failure, printed).
// Thread affinity: one thread at a time (GitRepository's rule).
#include "bench/benchcontext.h"
#include "engine/git/gitrepository.h"

#include <optional>
#include <string>
#include <vector>

namespace paas::bench {

class CommitMaker {
public:
    CommitMaker(BenchContext& ctx, std::string projectId);

    bool open();
    std::vector<std::string> make(int count);

private:
    BenchContext& m_ctx;
    std::string m_projectId;
    std::optional<GitRepository> m_repo;
    long m_next = 0;
};

}  // namespace paas::bench
