// Host ports for dynamic port mappings (hostPort 0, containerPortRange), chosen by the agent as
// the reference does since 1.69 (task-engine.md §4.4, PortBindings): from ECS_DYNAMIC_HOST_PORT_RANGE
// (default: the kernel's ephemeral range, else 49153-65535), round-robin from just after the
// last port handed out, each candidate checked by binding it for the mapping's protocol. The port
// is then given to Docker explicitly, so the task's reported bindings are the agent's choice.
// Used from the io thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ecs::engine {

struct PortRange {
  std::uint16_t first = 49153;
  std::uint16_t last = 65535;
  bool operator==(const PortRange&) const = default;
};

// "a-b" with 1 <= a <= b <= 65535; nullopt otherwise.
std::optional<PortRange> parse_port_range(std::string_view text);
// The kernel's ephemeral range from `ip_local_port_range_text` (the content of
// /proc/sys/net/ipv4/ip_local_port_range, "32768\t60999"), else 49153-65535.
PortRange default_dynamic_port_range(std::string_view ip_local_port_range_text);

class HostPortAllocator {
 public:
  // is_free(port, protocol): whether the port can be bound now ("tcp" or "udp").
  using Probe = std::function<bool(std::uint16_t, std::string_view)>;
  explicit HostPortAllocator(PortRange range, Probe is_free = bind_probe);

  // One free port; an error when every port of the range is taken.
  Result<std::uint16_t> one(std::string_view protocol);
  // The first of `count` consecutive free ports (for a containerPortRange).
  Result<std::uint16_t> consecutive(std::size_t count, std::string_view protocol);

  // Binds 0.0.0.0:port (tcp or udp) and lets it go again.
  static bool bind_probe(std::uint16_t port, std::string_view protocol);

  const PortRange& range() const { return range_; }

 private:
  PortRange range_;
  Probe is_free_;
  std::uint32_t last_ = 0;  // the last port handed out (0: none yet)
};

}  // namespace ecs::engine
