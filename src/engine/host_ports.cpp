#include "engine/host_ports.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <charconv>

namespace ecs::engine {
namespace {

std::optional<std::uint16_t> port_number(std::string_view text) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 1 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

Error exhausted(const PortRange& r, std::size_t count, std::string_view protocol) {
  std::string what = count == 1 ? "free host port" : std::to_string(count) + " consecutive free host ports";
  return make_error(errc::make_error_code(errc::resource_unavailable_try_again),
                    "CannotCreateContainerError: no " + what + " for " + std::string(protocol) + " in " +
                        std::to_string(r.first) + "-" + std::to_string(r.last) +
                        " (ECS_DYNAMIC_HOST_PORT_RANGE)");
}

}  // namespace

std::optional<PortRange> parse_port_range(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = port_number(trim(text.substr(0, dash)));
  auto last = port_number(trim(text.substr(dash + 1)));
  if (!first || !last || *first > *last) return std::nullopt;
  return PortRange{*first, *last};
}

PortRange default_dynamic_port_range(std::string_view ip_local_port_range_text) {
  std::string_view s = trim(ip_local_port_range_text);
  const auto gap = s.find_first_of(" \t");
  if (gap != std::string_view::npos) {
    auto first = port_number(trim(s.substr(0, gap)));
    auto last = port_number(trim(s.substr(gap)));
    if (first && last && *first <= *last) return PortRange{*first, *last};
  }
  return PortRange{};
}

HostPortAllocator::HostPortAllocator(PortRange range, Probe is_free)
    : range_(range), is_free_(std::move(is_free)) {}

Result<std::uint16_t> HostPortAllocator::one(std::string_view protocol) { return consecutive(1, protocol); }

Result<std::uint16_t> HostPortAllocator::consecutive(std::size_t count, std::string_view protocol) {
  const std::uint32_t first = range_.first;
  const std::uint32_t size = std::uint32_t{range_.last} - first + 1;
  if (count == 0 || count > size) return exhausted(range_, count, protocol);
  // Candidates start just after the last port handed out, wrapping round the range once.
  const std::uint32_t start = last_ >= first && last_ < range_.last ? last_ + 1 - first : 0;
  for (std::uint32_t tried = 0; tried < size; ++tried) {
    const std::uint32_t base = first + (start + tried) % size;
    if (base + count - 1 > range_.last) continue;  // a run does not wrap past the end
    std::size_t ok = 0;
    while (ok < count && is_free_(static_cast<std::uint16_t>(base + ok), protocol)) ++ok;
    if (ok == count) {
      last_ = base + static_cast<std::uint32_t>(count) - 1;
      return static_cast<std::uint16_t>(base);
    }
  }
  return exhausted(range_, count, protocol);
}

bool HostPortAllocator::bind_probe(std::uint16_t port, std::string_view protocol) {
  boost::asio::io_context io;
  boost::system::error_code ec;
  if (protocol == "udp") {
    boost::asio::ip::udp::socket s(io);
    s.open(boost::asio::ip::udp::v4(), ec);
    if (!ec) s.bind({boost::asio::ip::address_v4::any(), port}, ec);
    return !ec;
  }
  boost::asio::ip::tcp::acceptor a(io);
  a.open(boost::asio::ip::tcp::v4(), ec);
  if (!ec) a.bind({boost::asio::ip::address_v4::any(), port}, ec);
  return !ec;
}

}  // namespace ecs::engine
