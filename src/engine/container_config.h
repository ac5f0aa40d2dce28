// The body of POST /containers/create for one container of a task (task-engine.md §4.3–§4.5,
// §5.1): Config and HostConfig built from the task, ACS's dockerConfig strings merged over them
// with Go's unmarshal rule (so every Docker field ACS renders reaches Docker, modelled here or
// not), then the com.amazonaws.ecs.* labels, which win. Pure: the engine passes what it knows.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/host_ports.h"
#include "task/task.h"

namespace ecs::engine {

struct CreateContext {
  std::string cluster;  // ECS_CLUSTER as configured (name or ARN)
  std::string region;   // AWS_REGION/AWS_DEFAULT_REGION unless the container or its image sets one
  std::vector<std::string> image_env;    // the image's own Env
  std::vector<std::string> extra_binds;  // e.g. the ECS Exec agent's mounts
  std::map<std::string, std::string>
      extra_env;  // e.g. ECS_CONTAINER_METADATA_FILE (appended, as the reference)
  // Chooses the host ports of dynamic mappings; null leaves them to Docker.
  HostPortAllocator* host_ports = nullptr;
};

// The errors are the container's reason, "<ErrorName>: <message>" as the reference words them:
// "DockerClientConfigError: Unable decode given docker config: ...", "HostConfigError: Unable to
// decode given host config: ...", "CannotCreateContainerError: Link target not available: x",
// "CannotCreateContainerError: Invalid volume referenced: x".
Result<std::string> build_create_body(const task::Task& task, const task::Container& container,
                                      const CreateContext& context);

// ecs-<family>-<version>-<name with only [A-Za-z0-9-]>-<20 hex> (§4.3 step 15).
std::string docker_name_for(const task::Task& task, const task::Container& container,
                            std::string_view suffix);

// The labels every container of the agent carries (§4.3 step 14).
std::map<std::string, std::string> ecs_labels(const task::Task& task, const task::Container& container,
                                              const std::string& cluster);
inline constexpr std::string_view kTaskArnLabel = "com.amazonaws.ecs.task-arn";
inline constexpr std::string_view kContainerNameLabel = "com.amazonaws.ecs.container-name";
inline constexpr std::string_view kClusterLabel = "com.amazonaws.ecs.cluster";

// The environment the agent adds (§5.1): credentials URI (with a task role), metadata URIs.
std::map<std::string, std::string> injected_environment(const task::Task& task,
                                                        const task::Container& container);

// The Docker volume name a task volume's mounts use: generated for task scope, the volume's own
// name for shared ones.
std::string docker_volume_name(const task::Task& task, const task::Volume& volume, std::string_view suffix);

}  // namespace ecs::engine
