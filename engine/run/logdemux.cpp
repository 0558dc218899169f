#include "engine/run/logdemux.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace paas {

void LogDemux::feed(const char* data, std::size_t size)
{
    if (!m_multiplexed)
        return append(m_pending[0], data, size);
    while (size > 0) {
        if (m_frameLeft == 0) {
            m_header.push_back(*data++);
            --size;
            if (m_header.size() < 8)
                continue;
            const auto byte = [this](int i) { return static_cast<std::size_t>(static_cast<uint8_t>(m_header[i])); };
            m_stream = byte(0) == 2 ? 1 : 0;
            m_frameLeft = (byte(4) << 24) | (byte(5) << 16) | (byte(6) << 8) | byte(7);
            m_header.clear();
            continue;
        }
        const std::size_t take = std::min(m_frameLeft, size);
        append(m_pending[m_stream], data, take);
        data += take;
        size -= take;
        m_frameLeft -= take;
    }
}

void LogDemux::append(std::string& line, const char* data, std::size_t size)
{
    while (size > 0) {
        const char* nl = static_cast<const char*>(std::memchr(data, '\n', size));
        const std::size_t chunk = nl ? static_cast<std::size_t>(nl - data) : size;
        line.append(data, std::min(chunk, kMaxLine - std::min(kMaxLine, line.size())));
        if (!nl)
            return;
        flush(line);
        data += chunk + 1;
        size -= chunk + 1;
    }
}

void LogDemux::flush(std::string& line)
{
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    m_onLine(std::move(line));
    line.clear();
}

void LogDemux::finish()
{
    for (std::string& line : m_pending)
        if (!line.empty())
            flush(line);
}

}  // namespace paas
