#include "engine/model/ids.h"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

namespace paas {

namespace {

constexpr std::string_view kBase36 = "0123456789abcdefghijklmnopqrstuvwxyz";

std::mutex& idMutex()
{
    static std::mutex mutex;
    return mutex;
}

std::mt19937_64& rng()  // guarded by idMutex()
{
    static std::mt19937_64 engine{std::random_device{}()};
    return engine;
}

std::string randomBase36Locked(std::size_t length)
{
    std::uniform_int_distribution<std::size_t> pick(0, kBase36.size() - 1);
    std::string out(length, '0');
    for (auto& c : out)
        c = kBase36[pick(rng())];
    return out;
}

std::string slug(std::string_view text, std::size_t maxLength)
{
    std::string out;
    for (char c : text) {
        if (out.size() >= maxLength)
            break;
        const char lower = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
        const bool alnum = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9');
        if (alnum)
            out.push_back(lower);
        else if (!out.empty() && out.back() != '-')
            out.push_back('-');
    }
    while (!out.empty() && out.back() == '-')
        out.pop_back();
    return out;
}

}  // namespace

std::string randomBase36(std::size_t length)
{
    std::lock_guard lock(idMutex());
    return randomBase36Locked(length);
}

std::string projectIdFromName(std::string_view name, std::string_view suffix)
{
    const std::string tail = slug(suffix, kMaxProjectIdLength / 2);
    const std::size_t room = tail.empty() ? kMaxProjectIdLength : kMaxProjectIdLength - tail.size() - 1;
    std::string base = slug(name, room);
    if (base.empty())
        base = "app";
    return tail.empty() ? base : base + "-" + tail;
}

std::string newOpId()
{
    using namespace std::chrono;
    std::lock_guard lock(idMutex());
    static std::int64_t last = 0;
    std::int64_t now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    if (now <= last)
        now = last + 1;
    last = now;
    std::string digits = std::to_string(now);
    if (digits.size() < 13)
        digits.insert(0, 13 - digits.size(), '0');
    return "op-" + digits + "-" + randomBase36Locked(8);
}

long long opIdMillis(std::string_view opId)
{
    if (opId.size() < 17 || opId.substr(0, 3) != "op-" || opId[16] != '-')
        return -1;
    long long ms = 0;
    for (const char c : opId.substr(3, 13)) {
        if (c < '0' || c > '9')
            return -1;
        ms = ms * 10 + (c - '0');
    }
    return ms;
}

}  // namespace paas
