// RegisterContainerInstance as the agent does it (operations.md §3, task-engine.md §12.4): the
// host's resources and attributes, the version info, the saved ARN when re-registering, and the
// reference's split of failures into terminal (exit 5: the cluster does not exist, access is
// denied, the request is invalid) and retryable (exit 1: ecs-init restarts the agent).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "aws/ecs_client.h"
#include "execcmd/manager.h"
#include "platform/host_info.h"

namespace ecs::app {

// CPU (1024 per core), MEMORY (MiB), PORTS (the reference's reserved ports), PORTS_UDP.
std::vector<aws::Resource> host_resources(const platform::HostInfo& host);
std::vector<aws::Resource> host_resources();
// OS type and CPU architecture, and ecs.capability.execute-command when the exec dependencies
// are present under `exec_deps_dir` (exec-manager.md §2.3 "Capability"); "" when the agent
// cannot serve ECS Exec (no Docker).
std::vector<std::pair<std::string, std::string>> host_attributes(const platform::HostInfo& host,
                                                                 const std::string& exec_deps_dir);
std::vector<std::pair<std::string, std::string>> host_attributes(const std::string& exec_deps_dir);
// Whether the SSM agent's binaries, config and certificates are under `exec_deps_dir`.
bool exec_dependencies_present(const std::string& exec_deps_dir);
// Where ECS Exec's files are as this process sees them: the reference's container layout
// (/managed-agents/execute-command, /log/exec: ecs-init's mounts of /var/lib/ecs/deps and
// /var/log/ecs) when /managed-agents/execute-command exists, else the host's own paths (the agent
// runs on the host, e.g. from the systemd unit). The bind mounts always name the host's.
execcmd::Paths exec_paths_for_this_process();

struct RegistrationOutcome {
  std::string container_instance_arn;  // set on success
  bool terminal = false;               // the failure would repeat after a restart
  std::string error;                   // set on failure
};

// Registers `request` (whose total_resources/attributes the caller filled); classifies failures.
asio::awaitable<RegistrationOutcome> register_container_instance(aws::EcsClient& ecs,
                                                                 aws::RegisterRequest request);

}  // namespace ecs::app
