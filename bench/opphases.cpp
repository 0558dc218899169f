#include "bench/opphases.h"

#include "bench/benchcontext.h"

#include <QDateTime>
#include <QString>

#include <algorithm>

namespace paas::bench {

namespace {

// Milliseconds since the epoch of an RFC 3339 time with ms, or -1.
double msOf(const nlohmann::json& j, const char* key)
{
    if (!j.is_object() || !j.contains(key) || !j[key].is_string())
        return -1;
    const QDateTime t = QDateTime::fromString(QString::fromStdString(j[key].get<std::string>()), Qt::ISODateWithMs);
    return t.isValid() ? double(t.toMSecsSinceEpoch()) : -1;
}

}  // namespace

void OpPhases::add(const nlohmann::json& op)
{
    const nlohmann::json& steps = op.contains("steps") ? op["steps"] : nlohmann::json();
    const double created = msOf(op, "created_at");
    const double finished = msOf(op, "finished_at");
    if (!steps.is_array() || steps.empty() || created < 0 || finished < 0)
        return;
    std::vector<std::pair<std::string, double>> parts;
    double last = created;
    for (size_t i = 0; i < steps.size(); ++i) {
        const double start = msOf(steps[i], "started_at");
        const double end = msOf(steps[i], "finished_at");
        if (start < 0 || end < 0)
            return;
        const std::string name = steps[i].value("name", "step");
        parts.emplace_back(i == 0 ? std::string("queue") : "gap->" + name, start - last);
        parts.emplace_back(name, end - start);
        last = end;
    }
    parts.emplace_back("end", finished - last);
    for (const auto& [name, ms] : parts)
        addPhase(name, ms);
    ++m_count;
}

void OpPhases::addPhase(const std::string& name, double ms)
{
    if (!m_ms.count(name))
        m_order.push_back(name);
    m_ms[name].push_back(ms);
}

std::string OpPhases::summary() const
{
    std::string out;
    for (const std::string& name : m_order) {
        std::vector<double> v = m_ms.at(name);
        out += (out.empty() ? "" : ", ") + name + " " + fixed(percentile(v, 50), 1);
    }
    return "parts p50 (ms, from the op record's timestamps, " + std::to_string(m_count) + " ops): " + out;
}

}  // namespace paas::bench
