#include "task/transitions.h"

#include <algorithm>
#include <set>

namespace ecs::task {
namespace {

std::string dependency_text(const DependsOn& d) { return "[" + d.container_name + " " + d.condition + "]"; }

// §3.1 at run time.
bool resolved(const Container& target, const Container& dep, const std::string& condition) {
  if (condition == "CREATE") return dep.known_status >= ContainerStatus::created;
  if (condition == "START") {
    if (dep.known_status == ContainerStatus::stopped) return true;
    if (target.desired_status == ContainerStatus::created) {
      return dep.known_status == ContainerStatus::created || dep.known_status == dep.steady_state();
    }
    return target.desired_status == target.steady_state() && dep.known_status == dep.steady_state();
  }
  if (condition == "COMPLETE")
    return dep.known_status == ContainerStatus::stopped && dep.known_exit_code.has_value();
  if (condition == "SUCCESS") {
    return dep.known_status == ContainerStatus::stopped && dep.known_exit_code == 0;
  }
  if (condition == "HEALTHY")
    return dep.health_check_type == "docker" && dep.health.status == HealthStatus::healthy;
  return false;
}

// §3.6 "can resolve" against the static graph.
bool can_resolve(const Container& target, const Container& dep, const std::string& condition) {
  const auto up = [&dep] {
    return dep.desired_status == ContainerStatus::created || dep.desired_status == ContainerStatus::stopped ||
           dep.desired_status == dep.steady_state();
  };
  if (condition == "CREATE" || condition == "COMPLETE") return up();
  if (condition == "START") {
    if (target.desired_status == ContainerStatus::created) {
      return dep.desired_status == ContainerStatus::created || dep.desired_status == dep.steady_state();
    }
    return dep.desired_status == dep.steady_state();
  }
  if (condition == "SUCCESS") {
    return up() || (dep.known_status == ContainerStatus::stopped && dep.known_exit_code == 0);
  }
  if (condition == "HEALTHY") return up() && dep.health_check_type == "docker";
  return false;
}

bool names(const Container& c, const std::string& name) {
  return std::any_of(c.depends_on.begin(), c.depends_on.end(),
                     [&name](const DependsOn& d) { return d.container_name == name; });
}

}  // namespace

std::optional<std::string> add_implicit_dependencies(Task& task) {
  for (Container& c : task.containers) {
    for (const VolumeFrom& v : c.volumes_from) {
      if (!task.container(v.source_container)) {
        return "could not find volume source container with name " + v.source_container;
      }
      DependsOn d{v.source_container, "CREATE"};
      if (std::find(c.depends_on.begin(), c.depends_on.end(), d) == c.depends_on.end())
        c.depends_on.push_back(d);
    }
    for (const std::string& link : c.links) {
      if (std::count(link.begin(), link.end(), ':') > 1) return "invalid link format";
      const std::string target = link.substr(0, link.find(':'));
      if (!task.container(target)) return "could not find container for link " + target;
      DependsOn d{target, "START"};
      if (std::find(c.depends_on.begin(), c.depends_on.end(), d) == c.depends_on.end())
        c.depends_on.push_back(d);
    }
  }
  return std::nullopt;
}

bool dependencies_valid(const Task& task) {
  if (task.desired_status == TaskStatus::stopped) return true;
  std::set<std::string> done;
  for (bool progress = true; progress && done.size() < task.containers.size();) {
    progress = false;
    for (const Container& c : task.containers) {
      if (done.contains(c.name)) continue;
      const bool ready = std::all_of(c.depends_on.begin(), c.depends_on.end(), [&](const DependsOn& d) {
        const Container* dep = task.container(d.container_name);
        return dep != nullptr && done.contains(dep->name) && can_resolve(c, *dep, d.condition);
      });
      if (ready) {
        done.insert(c.name);
        progress = true;
      }
    }
  }
  return done.size() == task.containers.size();
}

bool update_desired_status(Task& task) {
  bool changed = false;
  if (task.desired_status != TaskStatus::stopped) {
    const bool essential_stopped =
        std::any_of(task.containers.begin(), task.containers.end(), [](const Container& c) {
          return c.essential &&
                 (c.known_status == ContainerStatus::stopped || c.desired_status == ContainerStatus::stopped);
        });
    if (essential_stopped) {
      task.desired_status = TaskStatus::stopped;
      changed = true;
    }
  }
  for (Container& c : task.containers) {
    const ContainerStatus want = container_status_for(task.desired_status, c.steady_state());
    if (c.desired_status < want) {
      c.desired_status = want;
      changed = true;
    }
  }
  return changed;
}

bool update_known_status(Task& task, TimePoint now) {
  TaskStatus lowest = TaskStatus::zombie;
  const Container* lowest_container = nullptr;
  bool essential_stopped = false;
  for (const Container& c : task.containers) {
    const TaskStatus s = task_status_for(c.known_status, c.steady_state());
    if (s < lowest) {
      lowest = s;
      lowest_container = &c;
    }
    if (c.essential && c.known_status == ContainerStatus::stopped) essential_stopped = true;
  }
  if (task.containers.empty()) {
    // A task with nothing to run (e.g. one that could not be converted): stopped once asked to.
    lowest = task.desired_status == TaskStatus::stopped ? TaskStatus::stopped : TaskStatus::none;
  } else if (lowest_container->known_status == lowest_container->steady_state() && essential_stopped) {
    return false;  // the others still run: stay until every container has stopped
  }
  if (task.known_status < lowest) {
    task.known_status = lowest;
    task.known_time = now;
    return true;
  }
  return false;
}

NextState next_state(const Task& task, const Container& c, TimePoint now) {
  NextState out;
  if (c.known_status >= c.desired_status) return out;
  if (c.desired_status == ContainerStatus::stopped) {
    // §3.5: every container that depends on this one stops first.
    for (const Container& other : task.containers) {
      if (&other != &c && names(other, c.name) && other.known_status != ContainerStatus::stopped) {
        out.blocked = true;
        return out;
      }
    }
    if (!is_running(c.known_status)) {
      if (c.applied_status == ContainerStatus::running) return out;  // a start is in flight: wait for it
      out.status = ContainerStatus::stopped;
      return out;
    }
    out.status = ContainerStatus::stopped;
    out.action_required = true;
    return out;
  }
  const ContainerStatus next = c.known_status == c.steady_state()
                                   ? ContainerStatus::stopped
                                   : static_cast<ContainerStatus>(static_cast<int>(c.known_status) + 1);
  if (next == ContainerStatus::manifest_pulled) {
    out.status = next;  // no digest resolution: the status is taken at once, never blocked
    return out;
  }
  for (const DependsOn& d : c.depends_on) {
    const Container* dep = task.container(d.container_name);
    const std::string target = "[" + c.name + "]";
    if (dep == nullptr) {
      out.terminal_error =
          "dependency graph: container ordering dependency [<nil>] for target " + target + " does not exist.";
      return out;
    }
    if (resolved(c, *dep, d.condition)) continue;
    if (d.condition == "SUCCESS" && dep->known_status == ContainerStatus::stopped) {
      out.terminal_error = "dependency graph: failed to resolve container ordering dependency " +
                           dependency_text(d) + " for target " + target +
                           " as dependency did not exit successfully.";
      return out;
    }
    if (dep->known_status < ContainerStatus::running && dep->desired_status == ContainerStatus::stopped &&
        dep->applied_status == ContainerStatus::none) {
      out.terminal_error = "dependency graph: failed to resolve container ordering dependency " +
                           dependency_text(d) + " for target " + target +
                           " because dependency will never start";
      return out;
    }
    if (c.known_status < ContainerStatus::created && dep->known_status != ContainerStatus::stopped &&
        dep->start_timeout > 0 && dep->started_at != TimePoint{} &&
        (d.condition == "SUCCESS" || d.condition == "COMPLETE" || d.condition == "HEALTHY") &&
        now > dep->started_at + std::chrono::seconds(dep->start_timeout)) {
      out.terminal_error = "dependency graph: container ordering dependency " + dependency_text(d) +
                           " for target " + target + " has timed out.";
      return out;
    }
    out.blocked = true;
    return out;
  }
  out.status = next;
  out.action_required =
      next == ContainerStatus::pulled || next == ContainerStatus::created || next == ContainerStatus::running;
  return out;
}

}  // namespace ecs::task
