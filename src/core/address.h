// host:port values as given in configuration (e.g. ECS_INTROSPECTION_ADDR=127.0.0.1:51678).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ecs {

struct HostPort {
  std::string host;  // name, IPv4 literal or IPv6 literal without brackets
  std::uint16_t port = 0;

  std::string to_string() const;  // brackets IPv6 literals again
};

// Parses "host:port" or "[v6]:port". `what` names the setting in the error message.
Result<HostPort> parse_host_port(std::string_view text, std::string_view what);

}  // namespace ecs
