// RFC 3339 times in UTC, as Go writes and reads them (time.RFC3339Nano: fraction digits only when
// non-zero, trailing zeros trimmed).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ecs {

std::string format_rfc3339_nano(std::chrono::system_clock::time_point t);
// YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM), years 1970-2262 (what a 64-bit nanosecond clock holds).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace ecs
