#include <windows.h>

#include "platform/host_info.h"

namespace ecs::platform {

HostInfo host_info() {
  HostInfo h;
  SYSTEM_INFO si{};
  GetNativeSystemInfo(&si);
  h.cpu_count = si.dwNumberOfProcessors > 0 ? si.dwNumberOfProcessors : 1;
  MEMORYSTATUSEX ms{};
  ms.dwLength = sizeof(ms);
  if (GlobalMemoryStatusEx(&ms)) h.memory_mib = static_cast<std::int64_t>(ms.ullTotalPhys / (1024 * 1024));
  h.os_type = "windows";
  switch (si.wProcessorArchitecture) {
    case PROCESSOR_ARCHITECTURE_AMD64:
      h.cpu_architecture = "x86_64";
      break;
    case PROCESSOR_ARCHITECTURE_ARM64:
      h.cpu_architecture = "arm64";
      break;
    default:
      h.cpu_architecture = "";
  }
  return h;
}

// Windows' dynamic range (49152-65535) has no file to read; the agent's default applies.
std::string ephemeral_port_range_text() { return ""; }

}  // namespace ecs::platform
