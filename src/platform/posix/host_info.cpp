#include <sys/utsname.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "platform/host_info.h"

namespace ecs::platform {
namespace {

std::int64_t memory_mib() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::int64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemTotal:") return kib / 1024;
  }
  return 0;
}

}  // namespace

HostInfo host_info() {
  HostInfo h;
  h.cpu_count = std::max(1u, std::thread::hardware_concurrency());
  h.memory_mib = memory_mib();
  h.os_type = "linux";
  utsname u{};
  h.cpu_architecture = uname(&u) == 0 ? u.machine : "";
  if (h.cpu_architecture == "aarch64") h.cpu_architecture = "arm64";  // ECS's name
  return h;
}

std::string ephemeral_port_range_text() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  std::string first, last;
  if (!(in >> first >> last)) return "";
  return first + "\t" + last;
}

}  // namespace ecs::platform
