// State changes on their way to ECS (task-engine.md §6): what the engine emits, in the domain's
// terms (statuses are task::), and the rules that read the live task — whether a change still
// needs sending and what becomes "sent" once ECS accepted it. Statuses only move forward, so a
// change that arrives late is found redundant instead of sent after a later one.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "aws/ecs_client.h"
#include "task/task.h"

namespace ecs::events {

struct ContainerStateChange {
  std::string task_arn;
  std::string container_name;
  std::string runtime_id;
  task::ContainerStatus status = task::ContainerStatus::none;
  std::optional<int> exit_code;
  std::string reason;
  std::string image_digest;
  std::vector<aws::NetworkBinding> network_bindings;
};

using ManagedAgentStateChange = task::ManagedAgentEvent;

struct TaskStateChange {
  std::string task_arn;
  task::TaskStatus status = task::TaskStatus::none;
  std::string reason;
  task::TimePoint pull_started_at{};
  task::TimePoint pull_stopped_at{};
  task::TimePoint execution_stopped_at{};
  std::vector<ContainerStateChange> containers;
  std::vector<ManagedAgentStateChange> managed_agents;
};

// Where the engine emits changes (the reference's engine-wide state change channel).
class StateChangeSink {
 public:
  virtual ~StateChangeSink() = default;
  // Batched with the task until a task change carries it.
  virtual void container_changed(ContainerStateChange change) = 0;
  virtual void managed_agent_changed(ManagedAgentStateChange change) = 0;
  // Carries the task's batched changes and is queued for sending.
  virtual void task_changed(TaskStateChange change) = 0;
};

// §6.5 taskShouldBeSent, against the live task: the task's sent status is below the change's, or
// a carried container's live known status is above its sent one, or a carried managed agent's
// sent status differs from its live status.
bool needs_sending(const TaskStateChange& change, const task::Task& live);
// After ECS accepted `change`: raises the sent statuses it covers. True when something changed
// (the task is then to be persisted).
bool mark_sent(const TaskStateChange& change, task::Task& live);

// The wire form, for `cluster`.
aws::TaskStateChange to_wire(const TaskStateChange& change, const std::string& cluster);

}  // namespace ecs::events
