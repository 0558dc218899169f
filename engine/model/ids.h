#pragma once
// Project and operation ids.
//
// Contract:
//   - projectIdFromName(): a DNS-1123 label slug of a project name: lowercase
//     [a-z0-9-], no leading/trailing '-', no "--" runs, at most
//     kMaxProjectIdLength (40) characters so that "<projectId>-<env>"
//     namespaces stay short; never empty ("app" as a last resort). A non-empty
//     suffix (the store adds one on collision) is appended as "-<suffix>"
//     after truncation, so the result still fits the limit.
//   - newOpId(): "op-" + 13-digit zero-padded Unix milliseconds + "-" + 8
//     random base36 characters, e.g. "op-1795000000000-k3j9d2ab". URL-safe,
//     lexicographic order == creation order: within one process the
//     timestamp part is strictly increasing (bumped by 1 ms on ties), the
//     random part keeps ids from different processes apart.
//   - opIdMillis(): the timestamp part back, for an op's age.
//   - Both are thread-safe (newOpId serialises on an internal mutex).
#include <cstddef>
#include <string>
#include <string_view>

namespace paas {

inline constexpr std::size_t kMaxProjectIdLength = 40;

std::string projectIdFromName(std::string_view name, std::string_view suffix = {});
std::string newOpId();
// The Unix milliseconds an op id was made at (its timestamp part), or -1
// for a string that is not an op id.
long long opIdMillis(std::string_view opId);
// A random lowercase base36 string (thread-safe), e.g. for id suffixes.
std::string randomBase36(std::size_t length);

}  // namespace paas
