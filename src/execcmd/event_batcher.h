// Managed-agent events on their way to ECS (exec-manager.md §5.7, the reference's
// eventhandler.TaskHandler for managed agents).
//
// An event is not sent on its own: it waits in a per-task batch until either a task state change
// for that task is sent (attach) or the drain ticker (10–30 s, the runtime's) finds the task
// known and below STOPPED and makes a synthetic task state change with the task's current
// status (drain). A change is worth sending only when some managed agent's live SentStatus
// differs from its Status; after SubmitTaskStateChange succeeded, each agent's SentStatus becomes
// the status sent and the container is saved.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "aws/ecs_client.h"
#include "execcmd/manager.h"
#include "execcmd/monitor.h"

namespace ecs::execcmd {

class ManagedAgentEventBatcher : public ManagedAgentReporter {
 public:
  // Batches the event under its task ARN; nothing is sent.
  void report(const ManagedAgentEvent& event) override;

  // (a) Moves the task's pending events into `change.managed_agents`.
  void attach(aws::TaskStateChange& change);

  // (b) For each task with pending events that `tasks` knows and whose known status is below
  // STOPPED: a task state change for `cluster` with the task's status and its events attached.
  // Events of unknown or stopped tasks stay pending (a STOPPED task change will carry them).
  std::vector<aws::TaskStateChange> drain(const std::string& cluster, const std::vector<TaskInfo>& tasks);

  std::size_t pending(const std::string& task_arn) const;

 private:
  std::map<std::string, std::vector<aws::ManagedAgentStateChange>> pending_;  // by task ARN
};

// The task's status as ECS takes it in a state change: PENDING, RUNNING or STOPPED.
std::string backend_task_status(TaskStatus status);

// True when some managed agent named in `change` has a live SentStatus different from its
// current Status (the reference compares the live container, not the event).
bool has_unsent_managed_agents(const aws::TaskStateChange& change, const TaskInfo& task);

// After a successful SubmitTaskStateChange: SentStatus := the status sent, for each managed agent
// of `change` whose SentStatus differs, and the container handed to `store` (if any).
void mark_managed_agents_sent(const aws::TaskStateChange& change, const TaskInfo& task,
                              ManagedAgentStore* store);

}  // namespace ecs::execcmd
