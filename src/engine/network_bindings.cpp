#include "engine/network_bindings.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

namespace ecs::engine {
namespace {

struct Range {
  int first = 0;
  int last = 0;
};

std::optional<Range> parse_range(const std::string& text) {
  Range r;
  const auto dash = text.find('-');
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const char* mid = dash == std::string::npos ? end : text.data() + dash;
  if (std::from_chars(begin, mid, r.first).ec != std::errc{}) return std::nullopt;
  r.last = r.first;
  if (mid != end && std::from_chars(mid + 1, end, r.last).ec != std::errc{}) return std::nullopt;
  if (r.last < r.first) return std::nullopt;
  return r;
}

}  // namespace

std::vector<aws::NetworkBinding> network_bindings(const task::Container& c, bool exclude_ipv6) {
  std::set<std::pair<int, std::string>> singles;  // (container port, protocol)
  std::vector<std::pair<Range, const task::PortMapping*>> ranges;
  for (const auto& p : c.ports) {
    if (p.container_port_range.empty()) {
      singles.emplace(p.container_port, p.protocol);
    } else if (auto r = parse_range(p.container_port_range)) {
      ranges.emplace_back(*r, &p);
    }
  }
  std::vector<aws::NetworkBinding> out;
  // (range index, bind address, protocol) → the host ports Docker gave its ports.
  std::map<std::tuple<std::size_t, std::string, std::string>, std::vector<int>> in_range;
  for (const auto& b : c.known_port_bindings) {
    if (exclude_ipv6 && b.bind_ip == "::") continue;
    if (singles.contains({b.container_port, b.protocol})) {
      out.push_back(aws::NetworkBinding{b.bind_ip, b.container_port, b.host_port, "", "", b.protocol});
      continue;
    }
    for (std::size_t i = 0; i < ranges.size(); ++i) {
      const auto& [r, mapping] = ranges[i];
      if (mapping->protocol == b.protocol && b.container_port >= r.first && b.container_port <= r.last) {
        in_range[{i, b.bind_ip, b.protocol}].push_back(b.host_port);
        break;
      }
    }
  }
  for (auto& [key, host_ports] : in_range) {
    const auto& [index, bind_ip, protocol] = key;
    const auto [low, high] = std::minmax_element(host_ports.begin(), host_ports.end());
    aws::NetworkBinding b;
    b.bind_ip = bind_ip;
    b.protocol = protocol;
    b.container_port_range = ranges[index].second->container_port_range;
    b.host_port_range = std::to_string(*low) + "-" + std::to_string(*high);
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace ecs::engine
