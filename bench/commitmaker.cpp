#include "bench/commitmaker.h"

namespace paas::bench {

CommitMaker::CommitMaker(BenchContext& ctx, std::string projectId) : m_ctx(ctx), m_projectId(std::move(projectId)) {}

bool CommitMaker::open()
{
    const QString path = m_ctx.artifactsRoot() + "/" + QString::fromStdString(m_projectId) + "/repos/source";
    Result<GitRepository> repo = GitRepository::open(path);
    if (!repo) {
        BenchContext::note("cannot open " + path + ": " + QString::fromStdString(repo.status().message()));
        return false;
    }
    m_repo.emplace(std::move(repo.value()));
    return true;
}

std::vector<std::string> CommitMaker::make(int count)
{
    std::vector<std::string> out;
    if (!m_repo && !open())
        return out;
    for (int i = 0; i < count; ++i) {
        const std::string n = std::to_string(++m_next);
        // The clock makes the content unique across CommitMakers of one repo.
        const std::string content = "bench change " + n + " at " + std::to_string(steadyNs()) + "\n";
        Result<std::string> sha = m_repo->commitFiles({{"bench.txt", content}}, "bench: change " + n);
        if (!sha) {
            BenchContext::note("commit failed: " + QString::fromStdString(sha.status().message()));
            break;
        }
        out.push_back(*sha);
    }
    return out;
}

}  // namespace paas::bench
