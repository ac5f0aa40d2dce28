// What RegisterContainerInstance reports about the host (operations.md §3): CPU count, memory,
// OS type and CPU architecture as ECS names them. POSIX: hardware_concurrency, /proc/meminfo,
// uname; Windows: GetSystemInfo, GlobalMemoryStatusEx.
#pragma once

#include <cstdint>
#include <string>

namespace ecs::platform {

struct HostInfo {
  unsigned cpu_count = 1;
  std::int64_t memory_mib = 0;
  std::string os_type;           // "linux" / "windows" (the ecs.os-type attribute)
  std::string cpu_architecture;  // "x86_64", "arm64" (the ecs.cpu-architecture attribute)
};

HostInfo host_info();

// The kernel's ephemeral port range as text ("32768\t60999"; POSIX: ip_local_port_range), or ""
// where there is none to read (Windows): the default of ECS_DYNAMIC_HOST_PORT_RANGE.
std::string ephemeral_port_range_text();

}  // namespace ecs::platform
