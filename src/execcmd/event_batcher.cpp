#include "execcmd/event_batcher.h"

#include "core/log.h"

namespace ecs::execcmd {

namespace {

std::shared_ptr<Container> find_container(const TaskInfo& task, const std::string& name) {
  for (const auto& c : task.containers) {
    if (c && c->name == name) return c;
  }
  return nullptr;
}

std::optional<ManagedAgentStatus> parse_status(std::string_view s) {
  for (auto status : {ManagedAgentStatus::none, ManagedAgentStatus::created, ManagedAgentStatus::running,
                      ManagedAgentStatus::stopped}) {
    if (to_string(status) == s) return status;
  }
  return std::nullopt;
}

}  // namespace

void ManagedAgentEventBatcher::report(const ManagedAgentEvent& event) {
  if (!should_report_to_backend(event.status)) {
    log::warn("dropping managed agent event ECS does not take",
              {{"task", event.task_arn}, {"event", event.str()}});
    return;
  }
  aws::ManagedAgentStateChange entry;
  entry.container_name = event.container_name;
  entry.managed_agent_name = event.managed_agent_name;
  entry.status = std::string(to_string(event.status));
  entry.reason = event.reason.substr(0, kMaxReasonLength);
  pending_[event.task_arn].push_back(std::move(entry));
}

void ManagedAgentEventBatcher::attach(aws::TaskStateChange& change) {
  auto it = pending_.find(change.task_arn);
  if (it == pending_.end()) return;
  for (auto& entry : it->second) change.managed_agents.push_back(std::move(entry));
  pending_.erase(it);
}

std::vector<aws::TaskStateChange> ManagedAgentEventBatcher::drain(const std::string& cluster,
                                                                  const std::vector<TaskInfo>& tasks) {
  std::vector<aws::TaskStateChange> out;
  for (const TaskInfo& task : tasks) {
    if (task.known_status == TaskStatus::stopped || !pending_.count(task.arn)) continue;
    aws::TaskStateChange change;
    change.cluster = cluster;
    change.task_arn = task.arn;
    change.status = backend_task_status(task.known_status);
    attach(change);
    out.push_back(std::move(change));
  }
  return out;
}

std::size_t ManagedAgentEventBatcher::pending(const std::string& task_arn) const {
  auto it = pending_.find(task_arn);
  return it == pending_.end() ? 0 : it->second.size();
}

std::string backend_task_status(TaskStatus status) {
  switch (status) {
    case TaskStatus::running:
      return "RUNNING";
    case TaskStatus::stopped:
      return "STOPPED";
    case TaskStatus::none:
    case TaskStatus::created:
      break;
  }
  return "PENDING";
}

bool has_unsent_managed_agents(const aws::TaskStateChange& change, const TaskInfo& task) {
  for (const auto& entry : change.managed_agents) {
    auto container = find_container(task, entry.container_name);
    if (!container) continue;
    if (container->managed_agent_sent_status(entry.managed_agent_name) !=
        container->managed_agent_status(entry.managed_agent_name)) {
      return true;
    }
  }
  return false;
}

void mark_managed_agents_sent(const aws::TaskStateChange& change, const TaskInfo& task,
                              ManagedAgentStore* store) {
  for (const auto& entry : change.managed_agents) {
    auto container = find_container(task, entry.container_name);
    auto status = parse_status(entry.status);
    if (!container || !status) continue;
    if (container->managed_agent_sent_status(entry.managed_agent_name) == *status) continue;
    container->update_managed_agent_sent_status(entry.managed_agent_name, *status);
    if (store == nullptr) continue;
    if (auto saved = store->save(task.arn, *container); !saved) {
      log::warn("could not save the container after sending its managed agent state",
                {{"task", task.arn}, {"container", container->name}, {"error", saved.error().message}});
    }
  }
}

}  // namespace ecs::execcmd
