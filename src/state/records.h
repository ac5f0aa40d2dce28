// What the agent keeps across restarts (operations.md §4.4, task-engine.md §8.1): the
// registration and the ACS bookkeeping (one instance record), each task in full (its definition,
// known/desired/sent statuses, Docker ids and names, exit codes, timestamps, credentials ids —
// never the credentials themselves), and attachments with their expiry.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "task/task.h"

namespace ecs::state {

struct InstanceRecord {
  std::string cluster;
  std::string container_instance_arn;
  std::int64_t seq_num = 0;
  std::string manifest_message_id;
  bool operator==(const InstanceRecord&) const = default;
};

struct AttachmentRecord {
  std::string arn;
  std::string type;  // "task-eni", "instance-eni", a resource type
  std::string status;
  std::chrono::system_clock::time_point expires_at{};
  bool operator==(const AttachmentRecord&) const = default;
};

struct SavedState {
  InstanceRecord instance;
  std::vector<task::Task> tasks;
  std::vector<AttachmentRecord> attachments;
};

}  // namespace ecs::state
