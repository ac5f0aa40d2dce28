// Both platforms' C runtimes have getenv; the lookup copies the value at once, so a later change
// of the environment cannot leave a dangling pointer behind.
#include <cstdlib>

#include "platform/environment.h"

namespace ecs::platform {

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

}  // namespace ecs::platform
