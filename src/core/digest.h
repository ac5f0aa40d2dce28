// SHA-256, HMAC-SHA-256 and their text forms (hex, base64, base64url), on mbedTLS.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ecs {

using Sha256 = std::array<std::uint8_t, 32>;

Sha256 sha256(std::string_view data);
Sha256 hmac_sha256(std::span<const std::uint8_t> key, std::string_view data);
Sha256 hmac_sha256(std::string_view key, std::string_view data);

std::string hex(std::span<const std::uint8_t> bytes);  // lowercase
std::string base64(std::span<const std::uint8_t> bytes);
// URL-safe alphabet ('-' and '_'), '=' padding kept: the exec agent's content-addressed names.
std::string base64url(std::span<const std::uint8_t> bytes);

// Standard base64 text back to bytes; nullopt when it is not base64.
std::optional<std::string> base64_decode(std::string_view text);

inline std::string sha256_hex(std::string_view data) { return hex(sha256(data)); }

}  // namespace ecs
