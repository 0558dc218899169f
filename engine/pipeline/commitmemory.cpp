#include "engine/pipeline/commitmemory.h"

#include <algorithm>

namespace paas {

void CommitMemory::remember(const std::string& projectId, const std::string& commit, const std::string& opId)
{
    std::lock_guard lock(m_mutex);
    const std::string k = key(projectId, commit);
    if (m_ops.insert_or_assign(k, opId).second)
        m_order.push_back(k);
    while (m_order.size() > kCapacity) {
        m_ops.erase(m_order.front());
        m_order.pop_front();
    }
}

std::optional<std::string> CommitMemory::recall(const std::string& projectId, const std::string& commit) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_ops.find(key(projectId, commit));
    if (it == m_ops.end())
        return std::nullopt;
    return it->second;
}

void CommitMemory::forget(const std::string& projectId, const std::string& commit)
{
    std::lock_guard lock(m_mutex);
    m_ops.erase(key(projectId, commit));  // its key leaves m_order when it ages out
}

bool CommitMemory::isFullId(const std::string& commit)
{
    return (commit.size() == 40 || commit.size() == 64) && std::all_of(commit.begin(), commit.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

}  // namespace paas
