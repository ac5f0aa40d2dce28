#include "task/task.h"

namespace ecs::task {

bool Container::same_record(const Container& o) const {
  Container a = *this;
  Container b = o;
  a.applied_status = b.applied_status = ContainerStatus::none;
  a.health = b.health = Health{};
  auto key = [](const Container& c) {
    return std::tie(c.name, c.image, c.command, c.entry_point, c.environment, c.essential, c.links, c.cpu,
                    c.memory, c.ports, c.mount_points, c.volumes_from, c.docker_config, c.health_check_type,
                    c.start_timeout, c.stop_timeout, c.depends_on, c.managed_agents,
                    c.registry_authentication, c.secrets, c.logs_auth_strategy, c.container_arn,
                    c.v3_endpoint_id, c.docker_id, c.docker_name, c.image_id, c.image_digest,
                    c.desired_status, c.known_status, c.sent_status, c.known_exit_code, c.known_port_bindings,
                    c.applying_error, c.created_at, c.started_at, c.finished_at, c.networks, c.labels);
  };
  return key(a) == key(b);
}

Container* Task::container(std::string_view name) {
  for (auto& c : containers) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const Container* Task::container(std::string_view name) const {
  for (const auto& c : containers) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const Volume* Task::volume(std::string_view name) const {
  for (const auto& v : volumes) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

bool Task::same_record(const Task& o) const {
  if (containers.size() != o.containers.size()) return false;
  for (std::size_t i = 0; i < containers.size(); ++i) {
    if (!containers[i].same_record(o.containers[i])) return false;
  }
  auto key = [](const Task& t) {
    return std::tie(t.arn, t.family, t.version, t.network_mode, t.pid_mode, t.ipc_mode, t.service_name,
                    t.launch_type, t.cpu, t.memory, t.volumes, t.desired_status, t.known_status,
                    t.sent_status, t.known_time, t.pull_started_at, t.pull_stopped_at, t.execution_stopped_at,
                    t.credentials_id, t.execution_credentials_id, t.terminal_reason);
  };
  return key(*this) == key(o);
}

}  // namespace ecs::task
