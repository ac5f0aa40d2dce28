// networkBindings from Docker's port bindings (task-engine.md §6.3).
#include "engine/network_bindings.h"

#include <gtest/gtest.h>

namespace ecs::engine {
namespace {

task::PortBinding bound(std::uint16_t container_port, std::uint16_t host_port, std::string ip = "0.0.0.0",
                        std::string protocol = "tcp") {
  return {container_port, host_port, std::move(ip), std::move(protocol)};
}

TEST(NetworkBindings, AMappedPortIsOneBindingPerAddressAndIpv6IsLeftOutWhenExcluded) {
  task::Container c;
  c.ports = {{8080, 0, "tcp", ""}, {53, 5353, "udp", ""}};
  c.known_port_bindings = {bound(8080, 41000), bound(8080, 41000, "::"), bound(53, 5353, "0.0.0.0", "udp")};
  auto b = network_bindings(c, /*exclude_ipv6=*/true);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].container_port, 8080);
  EXPECT_EQ(b[0].host_port, 41000);
  EXPECT_EQ(b[0].protocol, "tcp");
  EXPECT_EQ(b[1].container_port, 53);
  EXPECT_EQ(b[1].protocol, "udp");
  EXPECT_EQ(network_bindings(c, /*exclude_ipv6=*/false).size(), 3u);
}

// The same port number over the other protocol is not the mapping's.
TEST(NetworkBindings, PortsTheTaskDidNotMapAreDropped) {
  task::Container c;
  c.ports = {{8080, 0, "tcp", ""}};
  c.known_port_bindings = {bound(8080, 41000), bound(8080, 41001, "0.0.0.0", "udp"), bound(9999, 41002)};
  auto b = network_bindings(c, true);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].host_port, 41000);
}

TEST(NetworkBindings, ARangeIsOneBindingPerAddressAndProtocolWithBothRanges) {
  task::Container c;
  c.ports = {{0, 0, "udp", "9000-9002"}, {80, 8080, "tcp", ""}};
  c.known_port_bindings = {bound(9001, 40001, "0.0.0.0", "udp"), bound(9000, 40000, "0.0.0.0", "udp"),
                           bound(9002, 40002, "0.0.0.0", "udp"), bound(9000, 40000, "::", "udp"),
                           bound(80, 8080)};
  auto b = network_bindings(c, false);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].container_port, 80);
  int ranges = 0;
  for (const auto& x : b) {
    if (x.container_port_range.empty()) continue;
    ++ranges;
    EXPECT_EQ(x.container_port_range, "9000-9002");
    EXPECT_EQ(x.protocol, "udp");
    EXPECT_EQ(x.container_port, 0);
    EXPECT_EQ(x.host_port, 0);
    EXPECT_EQ(x.host_port_range, x.bind_ip == "::" ? "40000-40000" : "40000-40002");
  }
  EXPECT_EQ(ranges, 2);
}

}  // namespace
}  // namespace ecs::engine
