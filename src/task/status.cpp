#include "task/status.h"

#include <array>

namespace ecs::task {
namespace {

constexpr std::array<std::string_view, 8> kContainerNames = {
    "NONE", "MANIFEST_PULLED", "PULLED", "CREATED", "RUNNING", "RESOURCES_PROVISIONED", "STOPPED", "ZOMBIE"};
constexpr std::array<std::string_view, 7> kTaskNames = {"NONE",    "MANIFEST_PULLED", "PULLED", "CREATED",
                                                        "RUNNING", "STOPPED",         "ZOMBIE"};

}  // namespace

std::string_view to_string(ContainerStatus s) {
  const auto i = static_cast<std::size_t>(s);
  return i < kContainerNames.size() ? kContainerNames[i] : "NONE";
}

std::string_view to_string(TaskStatus s) {
  const auto i = static_cast<std::size_t>(s);
  return i < kTaskNames.size() ? kTaskNames[i] : "NONE";
}

std::string_view to_string(HealthStatus s) {
  switch (s) {
    case HealthStatus::healthy:
      return "HEALTHY";
    case HealthStatus::unhealthy:
      return "UNHEALTHY";
    case HealthStatus::unknown:
      break;
  }
  return "";
}

std::optional<ContainerStatus> parse_container_status(std::string_view text) {
  for (std::size_t i = 0; i < kContainerNames.size(); ++i) {
    if (kContainerNames[i] == text) return static_cast<ContainerStatus>(i);
  }
  if (text.empty() || text == "null" || text == "UNKNOWN") return ContainerStatus::none;
  if (text == "DEAD") return ContainerStatus::stopped;
  // The numbering before MANIFEST_PULLED existed.
  constexpr ContainerStatus legacy[] = {ContainerStatus::none,
                                        ContainerStatus::pulled,
                                        ContainerStatus::created,
                                        ContainerStatus::running,
                                        ContainerStatus::resources_provisioned,
                                        ContainerStatus::stopped,
                                        ContainerStatus::zombie};
  if (text.size() == 1 && text[0] >= '0' && text[0] <= '6') return legacy[text[0] - '0'];
  return std::nullopt;
}

std::optional<TaskStatus> parse_task_status(std::string_view text) {
  for (std::size_t i = 0; i < kTaskNames.size(); ++i) {
    if (kTaskNames[i] == text) return static_cast<TaskStatus>(i);
  }
  if (text.empty() || text == "null" || text == "UNKNOWN") return TaskStatus::none;
  if (text == "DEAD") return TaskStatus::stopped;
  return std::nullopt;
}

std::string_view backend_status(ContainerStatus s) {
  if (is_running(s)) return "RUNNING";
  if (s == ContainerStatus::stopped) return "STOPPED";
  return "PENDING";
}

std::string_view backend_status(TaskStatus s) {
  if (s == TaskStatus::running) return "RUNNING";
  if (s == TaskStatus::stopped) return "STOPPED";
  return "PENDING";
}

TaskStatus task_status_for(ContainerStatus known, ContainerStatus steady) {
  if (known == ContainerStatus::none) return TaskStatus::none;
  if (known == steady) return TaskStatus::running;
  switch (known) {
    case ContainerStatus::manifest_pulled:
    case ContainerStatus::pulled:
      return TaskStatus::manifest_pulled;
    case ContainerStatus::created:
    case ContainerStatus::running:  // below a RESOURCES_PROVISIONED steady state
      return TaskStatus::created;
    case ContainerStatus::resources_provisioned:
      return TaskStatus::running;
    case ContainerStatus::stopped:
      return TaskStatus::stopped;
    case ContainerStatus::zombie:
      return TaskStatus::zombie;
    case ContainerStatus::none:
      break;
  }
  return TaskStatus::none;
}

ContainerStatus container_status_for(TaskStatus desired, ContainerStatus steady) {
  switch (desired) {
    case TaskStatus::none:
      return ContainerStatus::none;
    case TaskStatus::created:
      return ContainerStatus::created;
    case TaskStatus::running:
      return steady;
    case TaskStatus::stopped:
      return ContainerStatus::stopped;
    case TaskStatus::manifest_pulled:
      return ContainerStatus::manifest_pulled;
    case TaskStatus::pulled:
      return ContainerStatus::pulled;
    case TaskStatus::zombie:
      return ContainerStatus::zombie;
  }
  return ContainerStatus::none;
}

}  // namespace ecs::task
