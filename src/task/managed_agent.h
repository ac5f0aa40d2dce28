// A container's managed agents (exec-manager.md §1): the ECS Exec agent's status, what was sent
// to ECS, the metadata of the running SSM agent, and the JSON the reference persists for it.
// Part of the task domain: the engine reports these, the store keeps them, execcmd drives them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ecs::task {

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

// The last '/'-separated part of the ARN's resource: arn:...:task/cluster/ID -> ID.
std::string task_id(std::string_view task_arn);

}  // namespace ecs::task
