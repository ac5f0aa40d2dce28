// The container metadata file (task-engine.md §5.3, ECS_ENABLE_CONTAINER_METADATA): before a
// container is created, <ECS_DATADIR>/metadata/<task id>/<container name>/ holds
// ecs-container-metadata.json with what is known then (MetadataFileStatus NOT_READY); the
// directory is bind-mounted at /opt/ecs/metadata/<random uuid> and ECS_CONTAINER_METADATA_FILE
// names the file in the container. Once the container runs the file is rewritten, complete
// (READY), by a temporary file and a rename, so a reader never sees half of it. The task's
// directory goes at the task's cleanup. A failure is the caller's to log: the container runs
// without the file, as the reference's does.
#pragma once

#include <functional>
#include <string>

#include "core/error.h"
#include "execcmd/filesystem.h"
#include "task/task.h"

namespace ecs::engine {

struct ContainerMetadataOptions {
  bool enabled = false;  // ECS_ENABLE_CONTAINER_METADATA
  std::string data_dir;  // ECS_DATADIR: where this process writes
  // ECS_HOST_DATA_DIR: the host path the data directory is mounted from when the agent runs in a
  // container (the reference's rule: the bind source is this followed by the agent's path).
  // Empty: the agent runs on the host, and its path is the host's.
  std::string host_data_dir;
};

// What the file says about the instance (from registration and instance metadata; empty: left out).
struct MetadataInstance {
  std::string cluster;
  std::string container_instance_arn;
  std::string availability_zone;
  std::string host_private_ipv4;
  std::string host_public_ipv4;
};

inline constexpr const char* kMetadataFileName = "ecs-container-metadata.json";
inline constexpr const char* kMetadataMountRoot = "/opt/ecs/metadata";

// The file's JSON; `ready` adds what Docker told after the start (id, names, ports, networks).
std::string container_metadata_json(const task::Task& task, const task::Container& c,
                                    const MetadataInstance& instance, bool ready);

class ContainerMetadataFiles {
 public:
  ContainerMetadataFiles(ContainerMetadataOptions options, execcmd::FileSystem& fs,
                         std::function<std::string()> new_uuid);

  struct Mount {
    std::string bind;      // "<host dir>:/opt/ecs/metadata/<uuid>"
    std::string file_env;  // ECS_CONTAINER_METADATA_FILE's value
  };
  // Before the create: the directory and the NOT_READY file.
  Result<Mount> create(const task::Task& task, const task::Container& c, const MetadataInstance& instance);
  // After the start: the READY file.
  Result<void> update(const task::Task& task, const task::Container& c, const MetadataInstance& instance);
  // At the task's cleanup: its directory.
  Result<void> clean(const std::string& task_arn);

  std::string container_dir(const std::string& task_arn, const std::string& container_name) const;

 private:
  Result<void> write(const std::string& dir, const std::string& json);

  ContainerMetadataOptions options_;
  execcmd::FileSystem& fs_;
  std::function<std::string()> new_uuid_;
};

}  // namespace ecs::engine
