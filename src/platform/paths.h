// The platform's default locations (operations.md §3.2, §5): where the config file, the durable
// state and the logs live, and where Docker listens. Linux as the reference's agent container
// sees them; Windows under C:\ProgramData\Amazon\ECS as the reference's Windows agent.
#pragma once

#include <string>

namespace ecs::platform {

struct DefaultPaths {
  std::string config_file;  // ECS_CONFIG_FILE
  std::string data_dir;     // ECS_DATADIR
  std::string log_dir;      // where a packaged agent writes its logs
  std::string docker_host;  // DOCKER_HOST
};

const DefaultPaths& default_paths();

// Whether DOCKER_HOST may name a Windows named pipe (npipe://) on this platform.
bool has_named_pipes();

}  // namespace ecs::platform
