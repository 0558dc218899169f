#pragma once
// BenchTable: the one result table of `make bench` (issue 11). Each row has
// its figure, the floor measured in the same run, the ratio figure/floor,
// the goal, and a verdict: "meets" / "misses" for a row with a goal, "info"
// for a figure reported without one, "not run" when its phase did not run
// or could not measure it, "skipped" when a prerequisite was missing (the
// note then starts with "skipped: <reason>").
//
// Contract:
//  - add() takes a row; the verdict is computed from the figure, the floor
//    and the goal's test (Rule) when the table is printed or written.
//  - print() writes the table to a FILE (stdout); writeJson() writes the same
//    rows, and the run's description, as JSON (nlohmann) to a path, creating
//    its folder.
// Thread affinity: one thread.
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace paas::bench {

struct BenchRow {
    enum class Rule {
        Info,          // no goal
        Below,         // figure <  target
        AtMost,        // figure <= target
        AtLeast,       // figure >= target
        RatioAtMost,   // figure / floor <= target
        RatioAtLeast,  // figure / floor >= target
        RatioAbove,    // figure / floor >  target
        EqualsFloor,   // figure == floor
    };
    std::string id;  // "P1", "P6a", ...
    std::string measure;
    double figure = NAN;
    std::string unit;
    double floor = NAN;     // NAN: "-"
    std::string floorUnit;  // empty: same as unit
    Rule rule = Rule::Info;
    double target = 0;
    std::string goal;     // as printed, e.g. "<= 3x floor"
    std::string note;     // printed under the table
    bool broken = false;  // the measurement failed its own check (lost frames, ops): misses
    std::string skipped;  // why the row could not be measured (no Docker engine, ...): "skipped"
};

class BenchTable {
public:
    void add(BenchRow row);
    const std::vector<BenchRow>& rows() const { return m_rows; }
    static std::string verdict(const BenchRow& row);
    static double ratio(const BenchRow& row);

    void print(std::FILE* out, const std::string& title) const;
    bool writeJson(const std::string& path, const nlohmann::json& run) const;

private:
    std::vector<BenchRow> m_rows;
};

}  // namespace paas::bench
