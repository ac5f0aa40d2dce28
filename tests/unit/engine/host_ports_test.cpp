// Dynamic host ports: the allocator's order and limits, and the create body it fills.
#include "engine/host_ports.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <set>

#include "core/json_value.h"
#include "engine/container_config.h"

namespace ecs::engine {
namespace {

// A probe over a set of taken ports, recording what it was asked.
struct FakePorts {
  std::set<std::uint16_t> taken;
  std::vector<std::string> asked;
  HostPortAllocator::Probe probe() {
    return [this](std::uint16_t port, std::string_view protocol) {
      asked.push_back(std::to_string(port) + "/" + std::string(protocol));
      return !taken.contains(port);
    };
  }
};

TEST(HostPorts, RangesParseAndTheKernelsRangeIsTheDefault) {
  EXPECT_EQ(parse_port_range("40000-40100"), (PortRange{40000, 40100}));
  EXPECT_EQ(parse_port_range("8080-8080"), (PortRange{8080, 8080}));
  for (const char* bad : {"", "40000", "40100-40000", "0-10", "1-65536", "a-b", "1-2-3"}) {
    EXPECT_FALSE(parse_port_range(bad)) << bad;
  }
  EXPECT_EQ(default_dynamic_port_range("32768\t60999\n"), (PortRange{32768, 60999}));
  EXPECT_EQ(default_dynamic_port_range(""), (PortRange{49153, 65535}));
  EXPECT_EQ(default_dynamic_port_range("garbage"), (PortRange{49153, 65535}));
}

TEST(HostPorts, RoundRobinFromAfterTheLastPortSkippingTakenOnes) {
  FakePorts ports;
  ports.taken = {101};
  HostPortAllocator a({100, 104}, ports.probe());
  EXPECT_EQ(*a.one("tcp"), 100);
  EXPECT_EQ(*a.one("udp"), 102) << "101 is taken";
  EXPECT_EQ(*a.one("tcp"), 103);
  EXPECT_EQ(*a.one("tcp"), 104);
  ports.taken = {100, 101};
  EXPECT_EQ(*a.one("tcp"), 102) << "wraps round to the start";
  EXPECT_EQ(ports.asked.back(), "102/tcp");
  EXPECT_EQ(ports.asked[2], "102/udp") << "probed for the mapping's protocol";
}

TEST(HostPorts, ConsecutivePortsForARangeNeverWrapPastTheEnd) {
  FakePorts ports;
  ports.taken = {102};
  HostPortAllocator a({100, 107}, ports.probe());
  EXPECT_EQ(*a.consecutive(3, "tcp"), 103) << "100-102 is broken by 102";
  EXPECT_EQ(*a.consecutive(2, "tcp"), 106);
  EXPECT_EQ(*a.consecutive(2, "tcp"), 100) << "107 alone is too short; start again";
  auto r = a.consecutive(9, "tcp");
  ASSERT_FALSE(r);
}

TEST(HostPorts, AFullRangeIsAnErrorThatNamesTheRangeAndTheSetting) {
  FakePorts ports;
  ports.taken = {200, 201};
  HostPortAllocator a({200, 201}, ports.probe());
  auto r = a.one("udp");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "CannotCreateContainerError: no free host port for udp in 200-201 (ECS_DYNAMIC_HOST_PORT_RANGE)");
  EXPECT_EQ(ports.asked.size(), 2u) << "each port tried once";
}

TEST(HostPorts, TheBindProbeSeesAPortInUse) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor held(io, {boost::asio::ip::address_v4::any(), 0});
  const auto port = held.local_endpoint().port();
  EXPECT_FALSE(HostPortAllocator::bind_probe(port, "tcp"));
  held.close();
  EXPECT_TRUE(HostPortAllocator::bind_probe(port, "tcp"));
}

task::Task task_with_ports(std::string network_mode) {
  task::Task t;
  t.arn = "arn:aws:ecs:us-west-2:123456789012:task/c/1";
  t.family = "web";
  t.version = "1";
  t.network_mode = std::move(network_mode);
  task::Container c;
  c.name = "web";
  c.image = "busybox";
  c.ports = {task::PortMapping{80, 0, "tcp", ""}, task::PortMapping{443, 8443, "tcp", ""},
             task::PortMapping{0, 0, "udp", "9000-9001"}};
  t.containers.push_back(c);
  return t;
}

std::string host_port(const std::string& body, const std::string& key, std::size_t i = 0) {
  auto doc = JsonValue::parse(body, errc::make_error_code(errc::invalid_argument), "body");
  EXPECT_TRUE(doc);
  const JsonValue* bindings = doc->find("HostConfig")->find("PortBindings");
  const JsonValue* list = bindings->find(key);
  if (list == nullptr || list->items().size() <= i) return "<none>";
  return list->items()[i].find("HostPort")->text();
}

// The create body of task_with_ports(network_mode)'s container, its ports chosen by `a`.
Result<std::string> body_with(std::string network_mode, HostPortAllocator& a) {
  const task::Task t = task_with_ports(std::move(network_mode));
  CreateContext ctx;
  ctx.host_ports = &a;
  return build_create_body(t, t.containers[0], ctx);
}

TEST(HostPorts, TheCreateBodyCarriesTheAgentsChoiceForDynamicMappingsOnly) {
  FakePorts ports;
  HostPortAllocator a({50000, 50010}, ports.probe());
  auto body = body_with("bridge", a);
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(host_port(*body, "80/tcp"), "50000");
  EXPECT_EQ(host_port(*body, "443/tcp"), "8443") << "a static port is the task's";
  EXPECT_EQ(host_port(*body, "9000/udp"), "50001");
  EXPECT_EQ(host_port(*body, "9001/udp"), "50002") << "a container port range gets a contiguous host range";
  // A second container gets different ports (the first has not bound them yet).
  auto again = body_with("bridge", a);
  EXPECT_EQ(host_port(*again, "80/tcp"), "50003");
}

TEST(HostPorts, WithHostNetworkingNoPortIsChosen) {
  FakePorts ports;
  HostPortAllocator a({50000, 50010}, ports.probe());
  auto body = body_with("host", a);
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_TRUE(ports.asked.empty());
  EXPECT_EQ(host_port(*body, "80/tcp"), "");
}

TEST(HostPorts, NoFreePortIsTheContainersCreateError) {
  FakePorts ports;
  ports.taken = {50000};
  HostPortAllocator a({50000, 50000}, ports.probe());
  auto body = body_with("bridge", a);
  ASSERT_FALSE(body);
  EXPECT_TRUE(body.error().message.starts_with("CannotCreateContainerError: no free host port"))
      << body.error().message;
}

}  // namespace
}  // namespace ecs::engine
