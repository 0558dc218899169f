#pragma once
// LogDemux: turns the bytes of a Docker Engine API logs stream into lines.
//
// Contract: without a TTY the engine frames each chunk with an 8-byte header
// ([stream, 0, 0, 0, size as 32-bit big-endian]; stream 1 stdout, 2 stderr)
// and feed() strips them; with a TTY (multiplexed = false) the bytes are the
// output itself. stdout and stderr lines are kept apart (a frame may end in
// the middle of a line); each line loses its "\n" and a trailing "\r", and is
// cut at kMaxLine bytes. finish() delivers the last line of each stream when
// it had no newline.
// Thread affinity: a plain value; one thread at a time.
#include <cstddef>
#include <functional>
#include <string>

namespace paas {

class LogDemux {
public:
    static constexpr std::size_t kMaxLine = 16 * 1024;

    LogDemux(bool multiplexed, std::function<void(std::string)> onLine)
        : m_multiplexed(multiplexed), m_onLine(std::move(onLine))
    {
    }

    void feed(const char* data, std::size_t size);
    void finish();

private:
    void append(std::string& line, const char* data, std::size_t size);
    void flush(std::string& line);

    bool m_multiplexed = true;
    std::function<void(std::string)> m_onLine;
    std::string m_header;  // of the current frame, while incomplete
    std::size_t m_frameLeft = 0;
    int m_stream = 0;
    std::string m_pending[2];  // the unfinished stdout and stderr lines
};

}  // namespace paas
