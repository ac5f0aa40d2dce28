// The ECS Exec view of tasks and containers (exec-manager.md §1): the exec manager works on these;
// the managed-agent model itself (status, state, metadata, its JSON) is the task domain's,
// task/managed_agent.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/async_mutex.h"
#include "core/error.h"
#include "task/managed_agent.h"

namespace ecs::execcmd {

using task::AgentMetadata;
using task::backend_status;
using task::is_running;
using task::is_terminal;
using task::kExecuteCommandAgentName;
using task::kMaxReasonLength;
using task::kSessionLimitProperty;
using task::managed_agent_from_json;
using task::ManagedAgent;
using task::ManagedAgentEvent;
using task::ManagedAgentState;
using task::ManagedAgentStatus;
using task::should_report_to_backend;
using task::StringMap;
using task::task_id;
using task::to_json;
using task::to_string;

// A container's known status, as far as exec cares (the task engine's full set comes later).
enum class ContainerStatus { none, created, running, resources_provisioned, stopped };
inline bool is_running(ContainerStatus s) {
  return s == ContainerStatus::running || s == ContainerStatus::resources_provisioned;
}

// A task container as the exec manager sees it. The accessors have the reference's semantics:
// get returns a (deep) copy, update replaces the whole state. exec_lock() serialises starts and
// restarts of this container's agent (the reference has no such lock, §9.4).
class Container {
 public:
  std::string name;
  std::string runtime_id;  // the Docker id once created
  ContainerStatus known_status = ContainerStatus::none;
  std::vector<ManagedAgent> managed_agents;

  std::optional<ManagedAgent> managed_agent(std::string_view agent_name) const;
  bool update_managed_agent(std::string_view agent_name, const ManagedAgentState& state);
  bool update_managed_agent_status(std::string_view agent_name, ManagedAgentStatus status);
  bool update_managed_agent_sent_status(std::string_view agent_name, ManagedAgentStatus status);
  ManagedAgentStatus managed_agent_status(std::string_view agent_name) const;
  ManagedAgentStatus managed_agent_sent_status(std::string_view agent_name) const;
  AsyncMutex& exec_lock() { return exec_lock_; }

 private:
  ManagedAgent* find(std::string_view agent_name);
  const ManagedAgent* find(std::string_view agent_name) const;
  AsyncMutex exec_lock_;
};

bool is_exec_enabled(const Container& container);

struct NetworkInterface {
  std::vector<std::string> ipv4_addresses;
  std::vector<std::string> ipv6_addresses;
  bool ipv6_only() const { return ipv4_addresses.empty() && !ipv6_addresses.empty(); }
};

enum class TaskStatus { none, created, running, stopped };

// What the manager needs of a task.
struct TaskInfo {
  std::string arn;
  TaskStatus known_status = TaskStatus::none;
  std::string network_mode;  // "awsvpc", "bridge", "host"...
  std::vector<NetworkInterface> enis;
  std::vector<std::shared_ptr<Container>> containers;
};

bool is_exec_enabled(const TaskInfo& task);
enum class RestartStatus { restarted = 8, not_restarted = 9, unknown = 10 };  // iota after 8 constants
std::string to_string(RestartStatus s);

// The event with the agent's current status, or the reference's errors: no such agent, or a
// status ECS does not take (NONE).
Result<ManagedAgentEvent> new_managed_agent_change_event(const std::string& task_arn,
                                                         const Container& container,
                                                         std::string_view agent_name, std::string reason);

}  // namespace ecs::execcmd
