// Task and container statuses (task-engine.md §2.1–§2.3): the reference's values and order (the
// engine compares them with < and >), their names, what ECS is told, and how container statuses
// add up to a task status.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ecs::task {

enum class ContainerStatus : std::uint8_t {
  none = 0,
  manifest_pulled = 1,
  pulled = 2,
  created = 3,
  running = 4,
  resources_provisioned = 5,
  stopped = 6,
  zombie = 7,  // never reached: the sentinel above every status
};

enum class TaskStatus : std::uint8_t {
  none = 0,
  manifest_pulled = 1,
  pulled = 2,
  created = 3,
  running = 4,
  stopped = 5,
  zombie = 6,
};

enum class HealthStatus : std::uint8_t { unknown = 0, healthy = 1, unhealthy = 2 };

// NONE, MANIFEST_PULLED, PULLED, CREATED, RUNNING, RESOURCES_PROVISIONED, STOPPED, ZOMBIE.
std::string_view to_string(ContainerStatus s);
std::string_view to_string(TaskStatus s);
std::string_view to_string(HealthStatus s);  // "", HEALTHY, UNHEALTHY (UNKNOWN is empty, as in TMDS)
// By name; also the reference's legacy forms (null/"UNKNOWN" → NONE, "DEAD" → STOPPED, and for
// containers the pre-MANIFEST_PULLED numbers "0".."6").
std::optional<ContainerStatus> parse_container_status(std::string_view text);
std::optional<TaskStatus> parse_task_status(std::string_view text);

// What a SubmitTaskStateChange says: PENDING, RUNNING or STOPPED.
std::string_view backend_status(ContainerStatus s);
std::string_view backend_status(TaskStatus s);

inline bool is_running(ContainerStatus s) {
  return s == ContainerStatus::running || s == ContainerStatus::resources_provisioned;
}

// §2.3: the task status a container status stands for, given the container's steady state.
TaskStatus task_status_for(ContainerStatus known, ContainerStatus steady = ContainerStatus::running);
// §2.3: the container desired status a task desired status stands for.
ContainerStatus container_status_for(TaskStatus desired, ContainerStatus steady = ContainerStatus::running);

}  // namespace ecs::task
