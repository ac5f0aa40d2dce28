// What the agent keeps across restarts (issue 6, point 3): cluster, container instance ARN,
// ACS sequence number, last manifest message id, tasks with their desired status, containers
// with their exec agent state, attachments with their expiry, and the ids (never the secrets) of
// task credentials. Encoded as JSON inside the checkpoint.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "execcmd/model.h"
#include "state/checkpoint.h"

namespace ecs::state {

struct ContainerRecord {
  std::string name;
  std::string runtime_id;
  std::string known_status;
  std::vector<execcmd::ManagedAgent> managed_agents;
  bool operator==(const ContainerRecord&) const = default;
};

struct TaskRecord {
  std::string arn;
  std::string family;
  std::string version;
  std::string desired_status;
  std::string known_status;
  std::string credentials_id;  // the ids only; the credentials themselves live in memory
  std::string execution_credentials_id;
  std::vector<ContainerRecord> containers;
  bool operator==(const TaskRecord&) const = default;
};

struct AttachmentRecord {
  std::string arn;
  std::string type;  // "eni", "resource", ...
  std::string status;
  std::chrono::system_clock::time_point expires_at{};
  bool operator==(const AttachmentRecord&) const = default;
};

struct AgentState {
  std::string cluster;
  std::string container_instance_arn;
  std::int64_t seq_num = 0;
  std::string manifest_message_id;
  std::vector<TaskRecord> tasks;
  std::vector<AttachmentRecord> attachments;
  bool operator==(const AgentState&) const = default;
};

std::string encode_state(const AgentState& state);
// StateErrc::bad_state naming the member at fault.
Result<AgentState> decode_state(std::string_view json);

// The state on disk: load at start-up, save after each change that must survive a crash.
class StateStore {
 public:
  explicit StateStore(std::string dir) : file_(std::move(dir)) {}
  // The saved state; a default AgentState on a first start.
  Result<AgentState> load();
  Result<void> save(const AgentState& state);
  CheckpointFile& file() { return file_; }

 private:
  CheckpointFile file_;
};

}  // namespace ecs::state
