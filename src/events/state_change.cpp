#include "events/state_change.h"

namespace ecs::events {
namespace {

const task::ManagedAgent* agent_of(const task::Container& c, const std::string& name) {
  for (const auto& a : c.managed_agents) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace

bool needs_sending(const TaskStateChange& change, const task::Task& live) {
  if (live.sent_status < change.status) return true;
  for (const auto& c : change.containers) {
    const task::Container* container = live.container(c.container_name);
    if (container != nullptr && container->sent_status < container->known_status) return true;
  }
  for (const auto& m : change.managed_agents) {
    const task::Container* container = live.container(m.container_name);
    if (container == nullptr) continue;
    const task::ManagedAgent* agent = agent_of(*container, m.managed_agent_name);
    if (agent != nullptr && agent->state.sent_status != agent->state.status) return true;
  }
  return false;
}

bool mark_sent(const TaskStateChange& change, task::Task& live) {
  bool changed = false;
  if (live.sent_status < change.status) {
    live.sent_status = change.status;
    changed = true;
  }
  for (const auto& c : change.containers) {
    task::Container* container = live.container(c.container_name);
    if (container != nullptr && container->sent_status < c.status) {
      container->sent_status = c.status;
      changed = true;
    }
  }
  for (const auto& m : change.managed_agents) {
    task::Container* container = live.container(m.container_name);
    if (container == nullptr) continue;
    for (auto& a : container->managed_agents) {
      if (a.name == m.managed_agent_name && a.state.sent_status != m.status) {
        a.state.sent_status = m.status;
        changed = true;
      }
    }
  }
  return changed;
}

aws::TaskStateChange to_wire(const TaskStateChange& change, const std::string& cluster) {
  aws::TaskStateChange out;
  out.cluster = cluster;
  out.task_arn = change.task_arn;
  out.status = std::string(task::backend_status(change.status));
  out.reason = change.reason;
  for (const auto& c : change.containers) {
    aws::ContainerStateChange w;
    w.container_name = c.container_name;
    w.runtime_id = c.runtime_id;
    w.status = std::string(task::backend_status(c.status));
    w.reason = c.reason;
    w.exit_code = c.exit_code;
    w.image_digest = c.image_digest;
    w.network_bindings = c.network_bindings;
    out.containers.push_back(std::move(w));
  }
  for (const auto& m : change.managed_agents) {
    out.managed_agents.push_back({m.container_name, m.managed_agent_name,
                                  std::string(task::to_string(m.status)),
                                  m.reason.substr(0, task::kMaxReasonLength)});
  }
  auto set = [](const task::TimePoint& t) {
    return t == task::TimePoint{} ? std::nullopt : std::optional<task::TimePoint>(t);
  };
  out.pull_started_at = set(change.pull_started_at);
  out.pull_stopped_at = set(change.pull_stopped_at);
  out.execution_stopped_at = set(change.execution_stopped_at);
  return out;
}

}  // namespace ecs::events
