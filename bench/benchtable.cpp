#include "bench/benchtable.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

#include <algorithm>
#include <cstdio>

namespace paas::bench {

namespace {

using Rule = BenchRow::Rule;

std::string number(double value)
{
    char text[32];
    const double a = std::fabs(value);
    std::snprintf(text, sizeof text, a >= 1000 ? "%.0f" : a >= 100 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", value);
    return text;
}

std::string withUnit(double value, const std::string& unit)
{
    return std::isnan(value) ? "-" : number(value) + (unit.empty() ? "" : " " + unit);
}

nlohmann::json orNull(double value)
{
    return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}

// Goal rows first, P rows by id then the others (L1), then the info rows in
// the order they were added.
std::vector<BenchRow> ordered(const std::vector<BenchRow>& rows)
{
    std::vector<BenchRow> out = rows;
    std::stable_sort(out.begin(), out.end(), [](const BenchRow& a, const BenchRow& b) {
        const bool infoA = a.rule == Rule::Info, infoB = b.rule == Rule::Info;
        if (infoA || infoB)
            return !infoA && infoB;
        const bool pA = a.id.rfind("P", 0) == 0, pB = b.id.rfind("P", 0) == 0;
        return pA != pB ? pA : a.id < b.id;
    });
    return out;
}

}  // namespace

void BenchTable::add(BenchRow row)
{
    m_rows.push_back(std::move(row));
}

double BenchTable::ratio(const BenchRow& row)
{
    if (std::isnan(row.figure) || std::isnan(row.floor) || row.floor == 0)
        return NAN;
    return row.figure / row.floor;
}

std::string BenchTable::verdict(const BenchRow& row)
{
    if (!row.skipped.empty())
        return "skipped";
    if (row.rule == Rule::Info)
        return std::isnan(row.figure) ? "not run" : "info";
    if (std::isnan(row.figure))
        return "not run";
    if (row.broken)
        return "misses";
    const double r = ratio(row);
    const bool needsFloor = row.rule == Rule::RatioAtMost || row.rule == Rule::RatioAtLeast ||
                            row.rule == Rule::RatioAbove || row.rule == Rule::EqualsFloor;
    if (needsFloor && std::isnan(row.floor))
        return "not run";
    bool meets = false;
    switch (row.rule) {
    case Rule::Below: meets = row.figure < row.target; break;
    case Rule::AtMost: meets = row.figure <= row.target; break;
    case Rule::AtLeast: meets = row.figure >= row.target; break;
    case Rule::RatioAtMost: meets = !std::isnan(r) && r <= row.target; break;
    case Rule::RatioAtLeast: meets = !std::isnan(r) && r >= row.target; break;
    case Rule::RatioAbove: meets = !std::isnan(r) && r > row.target; break;
    case Rule::EqualsFloor: meets = row.figure == row.floor; break;
    case Rule::Info: break;
    }
    return meets ? "meets" : "misses";
}

void BenchTable::print(std::FILE* out, const std::string& title) const
{
    const char* format = "%-5s %-58s %15s %15s %8s %-24s %s\n";
    std::fprintf(out, "\n%s\n", title.c_str());
    std::fprintf(out, format, "row", "measure", "figure", "floor", "ratio", "goal", "verdict");
    std::fprintf(out, "%s\n", std::string(140, '-').c_str());
    bool infoStarted = false;
    const std::vector<BenchRow> rows = ordered(m_rows);
    for (const BenchRow& row : rows) {
        if (row.rule == Rule::Info && !infoStarted) {
            infoStarted = true;
            std::fprintf(out, "%s\n", std::string(140, '-').c_str());
        }
        const double r = ratio(row);
        const std::string ratioText = std::isnan(r) ? "-" : number(r) + "x";
        std::fprintf(out, format, row.id.c_str(), row.measure.c_str(), withUnit(row.figure, row.unit).c_str(),
                     withUnit(row.floor, row.floorUnit.empty() ? row.unit : row.floorUnit).c_str(), ratioText.c_str(),
                     row.goal.empty() ? "-" : row.goal.c_str(), verdict(row).c_str());
    }
    bool notes = false;
    for (const BenchRow& row : rows)
        if (!row.note.empty()) {
            if (!notes)
                std::fprintf(out, "\nnotes:\n");
            notes = true;
            std::fprintf(out, "  %-5s %s\n", row.id.c_str(), row.note.c_str());
        }
    std::fflush(out);
}

bool BenchTable::writeJson(const std::string& path, const nlohmann::json& run) const
{
    nlohmann::json rows = nlohmann::json::array();
    for (const BenchRow& row : ordered(m_rows))
        rows.push_back({{"id", row.id},
                        {"measure", row.measure},
                        {"figure", orNull(row.figure)},
                        {"unit", row.unit},
                        {"floor", orNull(row.floor)},
                        {"floor_unit", row.floorUnit.empty() ? row.unit : row.floorUnit},
                        {"ratio", orNull(ratio(row))},
                        {"goal", row.goal},
                        {"verdict", verdict(row)},
                        {"note", row.note},
                        {"kind", row.rule == BenchRow::Rule::Info ? "info" : "goal"}});
    const QString file = QString::fromStdString(path);
    QDir().mkpath(QFileInfo(file).absolutePath());
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly))
        return false;
    out.write(QByteArray::fromStdString(nlohmann::json{{"run", run}, {"rows", rows}}.dump(2) + "\n"));
    return out.commit();
}

}  // namespace paas::bench
