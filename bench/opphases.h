#pragma once
// OpPhases: where an op's time went, from the timestamps its record keeps
// (created_at, each step's started_at/finished_at, finished_at; ms
// precision). Used by P3's note, so a slow run says which part was slow.
//
// Contract:
//  - add() takes one op's JSON (GET /api/ops/{id}); ops without the
//    timestamps are ignored.
//  - summary() names each phase with its p50 over the ops added:
//    "queue" (created -> first step started), each step's run, the gaps
//    between steps, and "end" (last step finished -> op finished).
// Thread affinity: any one thread.
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace paas::bench {

class OpPhases {
public:
    void add(const nlohmann::json& op);
    std::string summary() const;
    size_t count() const { return m_count; }

private:
    void addPhase(const std::string& name, double ms);
    std::vector<std::string> m_order;
    std::map<std::string, std::vector<double>> m_ms;
    size_t m_count = 0;
};

}  // namespace paas::bench
