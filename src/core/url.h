// URLs as the agent meets them (ECS and ACS endpoints, IMDS, proxies) and the percent-encoding
// rules around them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ecs {

struct Url {
  std::string scheme;      // lowercase, e.g. "https"
  std::string userinfo;    // "user:password" (proxies), raw
  std::string host;        // lowercase name or IP literal (IPv6 without brackets)
  std::uint16_t port = 0;  // explicit, or the scheme's default
  bool explicit_port = false;
  std::string path = "/";  // raw as given, never empty
  std::string query;       // raw, without '?'

  // host[:port] as it belongs in a Host header: the port only if the URL had one.
  std::string authority() const;
  // path[?query]: the HTTP request target.
  std::string target() const;
  std::string to_string() const;
};

// Absolute http(s)/ws(s) URL; other schemes parse too (the caller decides what it accepts).
// A missing port defaults to 443 for https/wss and 80 for http/ws.
Result<Url> parse_url(std::string_view text);

// Percent-encoding with RFC 3986's unreserved set (A-Z a-z 0-9 - _ . ~) left alone.
//   keep_slash: '/' left alone (paths); space_as_plus: ' ' -> '+' (HTML form encoding, as Go's
//   url.Values.Encode does).
std::string percent_encode(std::string_view text, bool keep_slash = false, bool space_as_plus = false);
// Decodes %XX (malformed escapes are kept literally); plus_as_space: '+' -> ' ' (form decoding).
std::string percent_decode(std::string_view text, bool plus_as_space = false);

// Query parameters encoded like Go's url.Values.Encode(): keys sorted, form-escaped, '&'-joined.
std::string form_encode(std::vector<std::pair<std::string, std::string>> params);
// The other way (Go's url.ParseQuery): '&'-separated key[=value] pairs, form-decoded, in order;
// empty pieces are skipped.
std::vector<std::pair<std::string, std::string>> form_decode(std::string_view query);
// The first value of `key` in a raw query (Go's url.Values.Get), nullopt when absent.
std::optional<std::string> query_value(std::string_view query, std::string_view key);

}  // namespace ecs
