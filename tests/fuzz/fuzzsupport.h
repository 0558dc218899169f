#pragma once
// Shared by the fuzz targets (tests/fuzz/README.md):
//   FUZZ_CHECK(cond)  an invariant. Unlike assert() it also holds in release
//                     builds (the gcc corpus replays), prints the condition
//                     and aborts: a crash for libFuzzer, a failure for CTest.
//   sections()        splits an input at the ASCII record separator 0x1E,
//                     so seeds stay readable text ("head\x1ebody").
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#define FUZZ_CHECK(cond)                                                                        \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                       \
        }                                                                                       \
    } while (0)

namespace paas::fuzz {

inline constexpr char kSeparator = '\x1e';

// Always at least `count` sections (missing ones are empty); the last one
// keeps any further separators.
inline std::vector<std::string> sections(const uint8_t* data, size_t size, size_t count)
{
    std::vector<std::string> out;
    const std::string all(reinterpret_cast<const char*>(data), size);
    size_t start = 0;
    while (out.size() + 1 < count) {
        const size_t sep = all.find(kSeparator, start);
        if (sep == std::string::npos)
            break;
        out.push_back(all.substr(start, sep - start));
        start = sep + 1;
    }
    out.push_back(start <= all.size() ? all.substr(start) : std::string());
    out.resize(count);
    return out;
}

// Every section (any number).
inline std::vector<std::string> allSections(const uint8_t* data, size_t size)
{
    std::vector<std::string> out;
    const std::string all(reinterpret_cast<const char*>(data), size);
    size_t start = 0;
    for (size_t sep; (sep = all.find(kSeparator, start)) != std::string::npos; start = sep + 1)
        out.push_back(all.substr(start, sep - start));
    out.push_back(all.substr(start));
    return out;
}

}  // namespace paas::fuzz
