#include <cstdlib>

#include "platform/paths.h"

namespace ecs::platform {

const DefaultPaths& default_paths() {
  static const DefaultPaths paths = [] {
    const char* program_data = std::getenv("ProgramData");
    const std::string root =
        std::string(program_data != nullptr && *program_data != '\0' ? program_data : "C:\\ProgramData") +
        "\\Amazon\\ECS";
    return DefaultPaths{root + "\\ecs.config", root + "\\data", root + "\\log",
                        "npipe:////./pipe/docker_engine"};
  }();
  return paths;
}

bool has_named_pipes() { return true; }

}  // namespace ecs::platform
