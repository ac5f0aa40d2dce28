#include "execcmd/model.h"

namespace ecs::execcmd {

const ManagedAgent* Container::find(std::string_view agent_name) const {
  for (const auto& a : managed_agents) {
    if (a.name == agent_name) return &a;
  }
  return nullptr;
}

ManagedAgent* Container::find(std::string_view agent_name) {
  return const_cast<ManagedAgent*>(static_cast<const Container*>(this)->find(agent_name));
}

std::optional<ManagedAgent> Container::managed_agent(std::string_view agent_name) const {
  const ManagedAgent* a = find(agent_name);
  if (a == nullptr) return std::nullopt;
  return *a;
}

bool Container::update_managed_agent(std::string_view agent_name, const ManagedAgentState& state) {
  ManagedAgent* a = find(agent_name);
  if (a == nullptr) return false;
  a->state = state;
  return true;
}

bool Container::update_managed_agent_status(std::string_view agent_name, ManagedAgentStatus status) {
  ManagedAgent* a = find(agent_name);
  if (a == nullptr) return false;
  a->state.status = status;
  return true;
}

bool Container::update_managed_agent_sent_status(std::string_view agent_name, ManagedAgentStatus status) {
  ManagedAgent* a = find(agent_name);
  if (a == nullptr) return false;
  a->state.sent_status = status;
  return true;
}

ManagedAgentStatus Container::managed_agent_status(std::string_view agent_name) const {
  const ManagedAgent* a = find(agent_name);
  return a == nullptr ? ManagedAgentStatus::none : a->state.status;
}

ManagedAgentStatus Container::managed_agent_sent_status(std::string_view agent_name) const {
  const ManagedAgent* a = find(agent_name);
  return a == nullptr ? ManagedAgentStatus::none : a->state.sent_status;
}

bool is_exec_enabled(const Container& container) {
  return container.managed_agent(kExecuteCommandAgentName).has_value();
}

bool is_exec_enabled(const TaskInfo& task) {
  for (const auto& c : task.containers) {
    if (c && is_exec_enabled(*c)) return true;
  }
  return false;
}

std::string to_string(RestartStatus s) {
  switch (s) {
    case RestartStatus::restarted:
      return "Restarted";
    case RestartStatus::not_restarted:
      return "NotRestarted";
    case RestartStatus::unknown:
      return "Unknown";
  }
  return std::to_string(static_cast<int>(s));
}

Result<ManagedAgentEvent> new_managed_agent_change_event(const std::string& task_arn,
                                                         const Container& container,
                                                         std::string_view agent_name, std::string reason) {
  auto agent = container.managed_agent(agent_name);
  if (!agent) {
    return make_error(errc::make_error_code(errc::invalid_argument),
                      "No " + std::string(agent_name) + " available in container: " + container.name);
  }
  if (!should_report_to_backend(agent->state.status)) {
    return make_error(errc::make_error_code(errc::invalid_argument),
                      "create managed agent state change event: status not recognized by ECS: " +
                          std::string(to_string(agent->state.status)));
  }
  if (reason.size() > kMaxReasonLength) reason.resize(kMaxReasonLength);
  return ManagedAgentEvent{task_arn, container.name, std::string(agent_name), agent->state.status,
                           std::move(reason)};
}

}  // namespace ecs::execcmd
