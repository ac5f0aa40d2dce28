// What the agent reported in a SubmitTaskStateChange, read back by the local control plane (to
// print it) and by the end-to-end tests (to check it): the public ECS model's members.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ecs::localcp {

struct ReportedContainer {
  std::string name;        // containerName
  std::string status;      // RUNNING, STOPPED, ...
  std::string runtime_id;  // the Docker id
  std::optional<int> exit_code;
  std::string reason;
  std::string image_digest;
  std::size_t network_bindings = 0;
};

struct ReportedManagedAgent {
  std::string container;
  std::string name;
  std::string status;
  std::string reason;
};

struct ReportedTaskChange {
  std::string cluster;
  std::string task;  // the task ARN
  std::string status;
  std::string reason;
  std::vector<ReportedContainer> containers;
  std::vector<ReportedManagedAgent> managed_agents;
  bool pull_started_at = false;  // present
  bool pull_stopped_at = false;
  bool execution_stopped_at = false;

  // The container's last entry: a change may carry several of one container (its RUNNING and
  // its STOPPED, batched as the reference batches them), in order.
  const ReportedContainer* container(std::string_view name) const;
};

// The body of a SubmitTaskStateChange request; an error names the member at fault.
Result<ReportedTaskChange> parse_task_state_change(std::string_view body);

// One line: "task …/local-task-run-1 RUNNING; init STOPPED exit 0, web RUNNING (id 0123456789ab)".
std::string describe(const ReportedTaskChange& change);

}  // namespace ecs::localcp
