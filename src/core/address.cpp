#include "core/address.h"

#include <charconv>

namespace ecs {

std::string HostPort::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<HostPort> parse_host_port(std::string_view text, std::string_view what) {
  auto fail = [&](const std::string& why) {
    return make_error(errc::make_error_code(errc::invalid_argument),
                      std::string(what) + "='" + std::string(text) + "' is invalid: " + why +
                          " (expected host:port, e.g. 127.0.0.1:51678)");
  };
  HostPort out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail("unterminated IPv6 literal or missing port");
    }
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail("missing port");
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) return fail("IPv6 literals need brackets");
    port_text = text.substr(colon + 1);
  }
  if (out.host.empty()) return fail("missing host");
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port_text.empty() || value == 0 ||
      value > 65535) {
    return fail("port must be a number from 1 to 65535");
  }
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

}  // namespace ecs
