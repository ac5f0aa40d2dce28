#include "engine/container_config.h"

#include <algorithm>

#include "core/json_value.h"

namespace ecs::engine {
namespace {

// Members of Docker's Config and HostConfig whose type is a map: their keys match exactly.
const std::vector<std::string_view> kMapFields = {"Labels",     "ExposedPorts", "PortBindings",
                                                  "Config",     "Sysctls",      "Tmpfs",
                                                  "StorageOpt", "Volumes",      "DriverOpts"};

constexpr std::int64_t kMiB = std::int64_t{1024} * 1024;

Error config_error(std::string text) {
  return make_error(errc::make_error_code(errc::invalid_argument), std::move(text));
}

bool has_region(const std::map<std::string, std::string>& env, const std::vector<std::string>& image_env) {
  if (env.contains("AWS_REGION") || env.contains("AWS_DEFAULT_REGION")) return true;
  return std::any_of(image_env.begin(), image_env.end(), [](const std::string& kv) {
    return kv.starts_with("AWS_REGION=") || kv.starts_with("AWS_DEFAULT_REGION=");
  });
}

}  // namespace

std::map<std::string, std::string> injected_environment(const task::Task& task, const task::Container& c) {
  std::map<std::string, std::string> env;
  if (!task.credentials_id.empty())
    env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/" + task.credentials_id;
  if (!c.v3_endpoint_id.empty()) {
    env["ECS_CONTAINER_METADATA_URI"] = "http://169.254.170.2/v3/" + c.v3_endpoint_id;
    env["ECS_CONTAINER_METADATA_URI_V4"] = "http://169.254.170.2/v4/" + c.v3_endpoint_id;
    env["ECS_AGENT_URI"] = "http://169.254.170.2/api/" + c.v3_endpoint_id;
  }
  return env;
}

std::map<std::string, std::string> ecs_labels(const task::Task& task, const task::Container& c,
                                              const std::string& cluster) {
  return {{std::string(kTaskArnLabel), task.arn},
          {std::string(kContainerNameLabel), c.name},
          {"com.amazonaws.ecs.task-definition-family", task.family},
          {"com.amazonaws.ecs.task-definition-version", task.version},
          {std::string(kClusterLabel), cluster}};
}

std::string docker_name_for(const task::Task& task, const task::Container& c, std::string_view suffix) {
  std::string name;
  for (char ch : c.name) {
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-') name += ch;
  }
  return "ecs-" + task.family + "-" + task.version + "-" + name + "-" + std::string(suffix);
}

std::string docker_volume_name(const task::Task& task, const task::Volume& v, std::string_view suffix) {
  if (v.scope == "shared") return v.name;
  return "ecs-" + task.family + "-" + task.version + "-" + v.name + "-" + std::string(suffix);
}

Result<std::string> build_create_body(const task::Task& task, const task::Container& c,
                                      const CreateContext& ctx) {
  // Config from the task's fields.
  JsonValue config = JsonValue::object();
  config.set("Image", JsonValue::string(c.image));
  if (c.command) config.set("Cmd", JsonValue::strings(*c.command));
  if (c.entry_point) config.set("Entrypoint", JsonValue::strings(*c.entry_point));
  std::map<std::string, std::string> env = c.environment;
  for (auto& [k, v] : injected_environment(task, c)) env[k] = v;
  if (!ctx.region.empty() && !has_region(env, ctx.image_env)) {
    env["AWS_REGION"] = ctx.region;
    env["AWS_DEFAULT_REGION"] = ctx.region;
  }
  for (const auto& [k, v] : ctx.extra_env) env[k] = v;
  std::vector<std::string> env_list;
  env_list.reserve(env.size());
  for (const auto& [k, v] : env) {
    std::string entry = k;
    entry += '=';
    entry += v;
    env_list.push_back(std::move(entry));
  }
  config.set("Env", JsonValue::strings(env_list));

  // HostConfig from the task's fields (§4.4).
  JsonValue host = JsonValue::object();
  JsonValue exposed = JsonValue::object();
  JsonValue bindings = JsonValue::object();
  // Only bridge networking maps ports; with host networking the container's ports are the host's.
  HostPortAllocator* allocator = task.network_mode == "bridge" ? ctx.host_ports : nullptr;
  for (const task::PortMapping& p : c.ports) {
    std::vector<std::pair<int, int>> ports;  // container, host
    if (!p.container_port_range.empty()) {
      const auto dash = p.container_port_range.find('-');
      const int from = std::atoi(p.container_port_range.substr(0, dash).c_str());
      const int to =
          dash == std::string::npos ? from : std::atoi(p.container_port_range.substr(dash + 1).c_str());
      if (from <= 0 || to < from || to > 65535) {
        return config_error("CannotCreateContainerError: invalid containerPortRange " +
                            p.container_port_range);
      }
      int host_first = 0;  // Docker's choice without an allocator
      if (allocator != nullptr) {
        auto chosen = allocator->consecutive(
            static_cast<std::size_t>(to) - static_cast<std::size_t>(from) + 1, p.protocol);
        if (!chosen) return chosen.error();
        host_first = *chosen;
      }
      for (int port = from; port <= to; ++port)
        ports.emplace_back(port, host_first ? host_first + port - from : 0);
    } else {
      int host_port = p.host_port;
      if (host_port == 0 && allocator != nullptr) {
        auto chosen = allocator->one(p.protocol);
        if (!chosen) return chosen.error();
        host_port = *chosen;
      }
      ports.emplace_back(p.container_port, host_port);
    }
    for (const auto& [container_port, host_port] : ports) {
      const std::string key = std::to_string(container_port) + "/" + p.protocol;
      exposed.set(key, JsonValue::object());
      // HostPort "": Docker chooses (only when no allocator was given).
      JsonValue binding =
          JsonValue::object({{"HostIp", JsonValue::string("")},
                             {"HostPort", JsonValue::string(host_port ? std::to_string(host_port) : "")}});
      JsonValue* existing = bindings.find(key);
      if (existing) {
        existing->items().push_back(std::move(binding));
      } else {
        bindings.set(key, JsonValue::array({std::move(binding)}));
      }
    }
  }
  if (!exposed.members().empty()) config.set("ExposedPorts", std::move(exposed));
  if (!bindings.members().empty()) host.set("PortBindings", std::move(bindings));

  std::vector<std::string> binds;
  for (const task::MountPoint& m : c.mount_points) {
    const task::Volume* v = task.volume(m.source_volume);
    if (v == nullptr)
      return config_error("CannotCreateContainerError: Invalid volume referenced: " + m.source_volume);
    const std::string source =
        v->type == "host" && !v->source_path.empty() ? v->source_path : v->docker_volume_name;
    if (source.empty() || m.container_path.empty()) {
      return config_error("CannotCreateContainerError: Unable to resolve the source of volume " +
                          m.source_volume);
    }
    binds.push_back(source + ":" + m.container_path + (m.read_only ? ":ro" : ""));
  }
  binds.insert(binds.end(), ctx.extra_binds.begin(), ctx.extra_binds.end());
  if (!binds.empty()) host.set("Binds", JsonValue::strings(binds));

  std::vector<std::string> links;
  for (const std::string& link : c.links) {
    const auto colon = link.find(':');
    const std::string target = link.substr(0, colon);
    const std::string alias = colon == std::string::npos ? target : link.substr(colon + 1);
    const task::Container* t = task.container(target);
    if (t == nullptr || t->docker_name.empty()) {
      return config_error("CannotCreateContainerError: Link target not available: " + target);
    }
    links.push_back(t->docker_name + ":" + alias);
  }
  if (!links.empty()) host.set("Links", JsonValue::strings(links));

  std::vector<std::string> volumes_from;
  for (const task::VolumeFrom& v : c.volumes_from) {
    const task::Container* source = task.container(v.source_container);
    if (source == nullptr || source->docker_name.empty()) {
      return config_error("CannotCreateContainerError: volumesFrom source not available: " +
                          v.source_container);
    }
    volumes_from.push_back(source->docker_name + (v.read_only ? ":ro" : ""));
  }
  if (!volumes_from.empty()) host.set("VolumesFrom", JsonValue::strings(volumes_from));

  if (c.memory > 0) host.set("Memory", JsonValue::number(std::max<std::int64_t>(c.memory, 4) * kMiB));
  host.set("CpuShares", JsonValue::number(std::clamp<std::int64_t>(c.cpu, 2, 262144)));

  // dockerConfig over them, as Go's json.Unmarshal into the filled structs.
  const error_code bad = errc::make_error_code(errc::invalid_argument);
  if (!c.docker_config.config.empty()) {
    auto patch = JsonValue::parse(c.docker_config.config, bad, "config");
    if (!patch || !patch->is_object()) {
      return config_error("DockerClientConfigError: Unable decode given docker config: " +
                          (patch ? std::string("not a JSON object") : patch.error().message));
    }
    config.merge_go(*patch, kMapFields);
  }
  if (!c.docker_config.host_config.empty()) {
    auto patch = JsonValue::parse(c.docker_config.host_config, bad, "hostConfig");
    if (!patch || !patch->is_object()) {
      return config_error("HostConfigError: Unable to decode given host config: " +
                          (patch ? std::string("not a JSON object") : patch.error().message));
    }
    host.merge_go(*patch, kMapFields);
  }
  if (c.health_check_type == "docker") {
    const JsonValue* hc = config.find_go("Healthcheck");
    if (hc == nullptr || hc->is_null()) {
      return config_error(
          "CannotCreateContainerError: docker health check is nil while container health check type is "
          "DOCKER");
    }
  }
  // The task's pid/ipc modes win over the host config (§4.4); "task" needs a namespace holder
  // container, which is refused before the task gets here.
  if (task.pid_mode == "host") host.set("PidMode", JsonValue::string("host"));
  if (task.ipc_mode == "host" || task.ipc_mode == "none")
    host.set("IpcMode", JsonValue::string(task.ipc_mode));

  // The agent's labels last: they win over dockerLabels of the same name.
  JsonValue* labels = config.find_go("Labels");
  if (labels == nullptr || !labels->is_object()) labels = &config.set("Labels", JsonValue::object());
  for (auto& [k, v] : ecs_labels(task, c, ctx.cluster)) labels->set(k, JsonValue::string(v));

  config.set("HostConfig", std::move(host));
  config.set("NetworkingConfig", JsonValue::object());
  return config.dump();
}

}  // namespace ecs::engine
