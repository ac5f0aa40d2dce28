// The engine's decisions as pure functions of a task (task-engine.md §2.3–§2.6, §3): what each
// container does next, when its dependencies allow it, how container statuses add up to the
// task's, and how a stopped essential container stops the task. No Docker, no clock but the
// `now` passed in: the engine calls these on every pass and carries out what they say.
#pragma once

#include <optional>
#include <string>

#include "task/task.h"

namespace ecs::task {

// §3.2, at add time: volumesFrom adds {source, CREATE}, links add {target, START}. The error
// text (a bad reference) stops the task before anything runs.
std::optional<std::string> add_implicit_dependencies(Task& task);

// §3.6: whether the dependency graph can ever be resolved (no cycle, no unknown container, no
// HEALTHY on a container without a Docker health check). A task desired STOPPED always is.
bool dependencies_valid(const Task& task);

// §2.4: an essential container known or desired STOPPED makes the task desired STOPPED; each
// container's desired status is raised to the task's. True when something changed.
bool update_desired_status(Task& task);

// §2.3: the task's known status is the lowest of its containers' (mapped), never lowered, and
// not moved while an essential container is stopped and the others run. Sets known_time. True
// when it rose.
bool update_known_status(Task& task, TimePoint now);

struct NextState {
  ContainerStatus status = ContainerStatus::none;  // none: nothing to do now
  bool action_required = false;                    // a Docker call; else the status is just taken
  bool blocked = false;                            // waits for another container (ordering, stop order)
  std::string terminal_error;  // the container can never start: "dependency graph: ..." (§3.4)
};

// §2.6 containerNextState for one container of `task`.
NextState next_state(const Task& task, const Container& container, TimePoint now);

// §3.4: the exit code a container that can never start is given.
inline constexpr int kDependencyErrorExitCode = 143;

}  // namespace ecs::task
