#pragma once
// BuildKitProgress: turns Control.Status stream messages into plain log lines
// in the style of `buildctl --progress=plain`, and counts vertices.
//
//   "#3 [2/2] COPY app.txt /app.txt"     a vertex started
//   "#3 hello from RUN"                   a log line of vertex #3
//   "#3 DONE" / "#3 CACHED" / "#3 ERROR: <text>"
//
// Vertices are numbered in the order first seen. Log bytes are split on '\n';
// a trailing partial line is held until more bytes arrive or flush().
// Internal to engine/build (exposes generated protobuf types).
// Not thread-safe: one owner (the client guards it with its own mutex).
#include "engine/build/proto/control.pb.h"

#include <map>
#include <string>
#include <vector>

namespace paas {

class BuildKitProgress {
public:
    std::vector<std::string> consume(const moby::buildkit::v1::StatusResponse& msg);
    std::vector<std::string> flush();  // pending partial log lines

    int vertices() const { return static_cast<int>(m_vertices.size()); }
    int cachedVertices() const;
    // Error texts reported on vertices ("" when none), in vertex order.
    std::string vertexErrors() const;

private:
    struct VertexState {
        int number = 0;
        std::string name;
        bool started = false;
        bool completed = false;
        bool cached = false;
        std::string error;
    };
    VertexState& vertex(const std::string& digest);
    void onVertex(const moby::buildkit::v1::Vertex& v, std::vector<std::string>& out);
    void onLog(const moby::buildkit::v1::VertexLog& log, std::vector<std::string>& out);

    std::map<std::string, VertexState> m_vertices;  // by digest
    std::map<std::string, std::string> m_partial;   // unterminated log bytes by digest
};

}  // namespace paas
