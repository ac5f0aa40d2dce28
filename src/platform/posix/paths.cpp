#include "platform/paths.h"

namespace ecs::platform {

const DefaultPaths& default_paths() {
  static const DefaultPaths paths{"/etc/ecs/ecs.config", "/data/", "/log", "unix:///var/run/docker.sock"};
  return paths;
}

bool has_named_pipes() { return false; }

}  // namespace ecs::platform
