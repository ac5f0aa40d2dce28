// The ECS Exec data model (exec-manager.md §1): a container's managed agents, their state, and
// the metadata of the running SSM agent, with the JSON the reference persists.
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

namespace ecs::execcmd {

inline constexpr std::string_view kExecuteCommandAgentName = "ExecuteCommandAgent";
inline constexpr std::string_view kSessionLimitProperty = "sessionLimit";

enum class ManagedAgentStatus : std::int32_t { none = 0, created = 1, running = 2, stopped = 3 };
std::string_view to_string(ManagedAgentStatus s);       // NONE, CREATED, RUNNING, STOPPED
std::string_view backend_status(ManagedAgentStatus s);  // PENDING, PENDING, RUNNING, STOPPED
inline bool should_report_to_backend(ManagedAgentStatus s) { return s != ManagedAgentStatus::none; }
inline bool is_terminal(ManagedAgentStatus s) { return s == ManagedAgentStatus::stopped; }
inline bool is_running(ManagedAgentStatus s) { return s == ManagedAgentStatus::running; }

using StringMap = std::map<std::string, std::string>;

// PID, DockerExecID and CMD of the started SSM agent (metadata.go): always all three keys.
struct AgentMetadata {
  std::string pid;
  std::string docker_exec_id;
  std::string cmd;

  StringMap to_map() const;
  // Missing map or keys read as "".
  static AgentMetadata from_map(const std::optional<StringMap>& map);
  std::string str() const;  // [PID: <pid>, DockerExecId: <id>, CMD: <cmd>]
  bool operator==(const AgentMetadata&) const = default;
};

struct ManagedAgentState {
  std::string id;  // empty: not initialised
  ManagedAgentStatus status = ManagedAgentStatus::none;
  ManagedAgentStatus sent_status = ManagedAgentStatus::none;
  std::string reason;
  std::chrono::system_clock::time_point last_started_at{};  // the zero value: never started
  std::optional<StringMap> metadata;
  bool init_failed = false;

  bool started() const { return last_started_at != std::chrono::system_clock::time_point{}; }
  bool operator==(const ManagedAgentState&) const = default;
};

struct ManagedAgent {
  std::string name;
  std::optional<StringMap> properties;
  ManagedAgentState state;
  bool operator==(const ManagedAgent&) const = default;
};

// The JSON the reference writes for a managed agent (state fields inlined, Go field order,
// omitempty; the zero time as 0001-01-01T00:00:00Z) and reads back. Unknown status strings are
// an error naming the value.
std::string to_json(const ManagedAgent& agent);
Result<ManagedAgent> managed_agent_from_json(std::string_view json);

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

  std::optional<ManagedAgent> managed_agent(std::string_view name) const;
  bool update_managed_agent(std::string_view name, const ManagedAgentState& state);
  bool update_managed_agent_status(std::string_view name, ManagedAgentStatus status);
  bool update_managed_agent_sent_status(std::string_view name, ManagedAgentStatus status);
  ManagedAgentStatus managed_agent_status(std::string_view name) const;
  ManagedAgentStatus managed_agent_sent_status(std::string_view name) const;
  AsyncMutex& exec_lock() { return exec_lock_; }

 private:
  ManagedAgent* find(std::string_view name);
  const ManagedAgent* find(std::string_view name) const;
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
// The last '/'-separated part of the ARN's resource: arn:...:task/cluster/ID -> ID.
std::string task_id(std::string_view task_arn);

enum class RestartStatus { restarted = 8, not_restarted = 9, unknown = 10 };  // iota after 8 constants
std::string to_string(RestartStatus s);

// A managed-agent state change for ECS (exec-manager.md §5.6).
struct ManagedAgentEvent {
  std::string task_arn;
  std::string container_name;
  std::string managed_agent_name;
  ManagedAgentStatus status = ManagedAgentStatus::none;
  std::string reason;  // at most 1024 characters
  std::string str() const;
};
inline constexpr std::size_t kMaxReasonLength = 1024;

// The event with the agent's current status, or the reference's errors: no such agent, or a
// status ECS does not take (NONE).
Result<ManagedAgentEvent> new_managed_agent_change_event(const std::string& task_arn,
                                                         const Container& container,
                                                         std::string_view agent_name, std::string reason);

}  // namespace ecs::execcmd
