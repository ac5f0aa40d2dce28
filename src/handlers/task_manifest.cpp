#include "handlers/task_manifest.h"

#include <set>

namespace ecs::handlers {

Result<std::vector<acs::TaskIdentifier>> ManifestComparer::compare_running_tasks_with_manifest(
    const acs::TaskManifestMessage& manifest) {
  std::set<std::string> listed_running;
  for (const auto& t : manifest.tasks.value_or(std::vector<acs::TaskIdentifier>{})) {
    if (t.desiredStatus.value_or("") == "RUNNING") listed_running.insert(t.taskArn.value_or(""));
  }
  std::vector<acs::TaskIdentifier> candidates;
  for (const task::Task* t : engine_.tasks()) {
    if (t->desired_status != task::TaskStatus::running || listed_running.count(t->arn)) continue;
    acs::TaskIdentifier c;
    c.desiredStatus = "STOPPED";
    c.taskArn = t->arn;
    c.taskClusterArn = manifest.clusterArn;
    candidates.push_back(std::move(c));
  }
  return candidates;
}

}  // namespace ecs::handlers
