#include "engine/build/buildkitstatus.h"

namespace paas {

BuildKitProgress::VertexState& BuildKitProgress::vertex(const std::string& digest)
{
    auto [it, inserted] = m_vertices.try_emplace(digest);
    if (inserted)
        it->second.number = static_cast<int>(m_vertices.size());
    return it->second;
}

void BuildKitProgress::onVertex(const moby::buildkit::v1::Vertex& v, std::vector<std::string>& out)
{
    VertexState& s = vertex(v.digest());
    const std::string tag = "#" + std::to_string(s.number) + " ";
    if (!v.name().empty())
        s.name = v.name();
    if (!s.started && (v.has_started() || v.cached() || v.has_completed())) {
        s.started = true;
        out.push_back(tag + s.name);
    }
    if (s.completed || !(v.has_completed() || v.cached() || !v.error().empty()))
        return;
    s.completed = true;
    s.cached = v.cached();
    s.error = v.error();
    if (!s.error.empty())
        out.push_back(tag + "ERROR: " + s.error);
    else
        out.push_back(tag + (s.cached ? "CACHED" : "DONE"));
}

void BuildKitProgress::onLog(const moby::buildkit::v1::VertexLog& log, std::vector<std::string>& out)
{
    const VertexState& s = vertex(log.vertex());
    std::string& buf = m_partial[log.vertex()];
    buf += log.msg();
    size_t start = 0;
    for (size_t nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n', start)) {
        std::string line = buf.substr(start, nl - start);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        out.push_back("#" + std::to_string(s.number) + " " + line);
        start = nl + 1;
    }
    buf.erase(0, start);
}

std::vector<std::string> BuildKitProgress::consume(const moby::buildkit::v1::StatusResponse& msg)
{
    std::vector<std::string> out;
    for (const auto& v : msg.vertexes())
        onVertex(v, out);
    for (const auto& l : msg.logs())
        onLog(l, out);
    return out;
}

std::vector<std::string> BuildKitProgress::flush()
{
    std::vector<std::string> out;
    for (auto& [digest, buf] : m_partial) {
        if (!buf.empty())
            out.push_back("#" + std::to_string(vertex(digest).number) + " " + buf);
        buf.clear();
    }
    return out;
}

int BuildKitProgress::cachedVertices() const
{
    int n = 0;
    for (const auto& [digest, s] : m_vertices)
        n += s.cached ? 1 : 0;
    return n;
}

std::string BuildKitProgress::vertexErrors() const
{
    std::map<int, std::string> ordered;
    for (const auto& [digest, s] : m_vertices)
        if (!s.error.empty())
            ordered[s.number] = s.name + ": " + s.error;
    std::string out;
    for (const auto& [n, text] : ordered)
        out += (out.empty() ? "" : "; ") + text;
    return out;
}

}  // namespace paas
