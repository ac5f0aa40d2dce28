// The state file of agents before the LMDB store (state/lmdb_repository.h): a zstd checkpoint
// (state/checkpoint.h) holding JSON with the cluster, container instance ARN, ACS sequence
// number, last manifest message id, tasks with their statuses, containers with their exec agent
// state, attachments and credentials ids. Kept to import such a state once, so that an upgraded
// agent keeps its registration and its tasks.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "state/checkpoint.h"
#include "state/records.h"
#include "state/repository.h"
#include "task/managed_agent.h"

namespace ecs::state::legacy {

struct ContainerRecord {
  std::string name;
  std::string runtime_id;
  std::string known_status;
  std::vector<task::ManagedAgent> managed_agents;
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

// The legacy state found in `dir`, converted, or nullopt when there is none. A corrupt one is an
// error (StateErrc), as it was for the agent that wrote it.
Result<std::optional<SavedState>> read_legacy_state(const std::string& dir);
// Renames the legacy files to *.imported, so they are read once.
Result<void> retire_legacy_state(const std::string& dir);
// Imports the legacy state of `dir` into `into` in one commit and retires the files. Whether
// there was one to import.
Result<bool> import_legacy_state(const std::string& dir, Repository& into);

}  // namespace ecs::state::legacy
