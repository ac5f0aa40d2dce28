#include "handlers/task_from_acs.h"

#include "core/json_reader.h"

namespace ecs::handlers {
namespace {

Error bad(const std::string& path, const std::string& what) {
  return make_error(errc::make_error_code(errc::invalid_argument), path + ": " + what);
}

template <class T>
std::vector<T> list(const std::optional<std::vector<T>>& v) {
  return v.value_or(std::vector<T>{});
}

std::map<std::string, std::string> map_of(const acs::StringMap& m) {
  if (!m) return {};
  return std::map<std::string, std::string>(m->begin(), m->end());
}

Result<void> apply_overrides(const std::string& overrides, task::Container& c, const std::string& path) {
  if (overrides.empty()) return {};
  JsonReader reader(path + ".overrides", errc::make_error_code(errc::invalid_argument),
                    JsonReader::Names::go);
  auto o = reader.parse(overrides);
  if (!o) return bad(path + ".overrides", "is not a JSON object");
  std::optional<std::vector<std::string>> command;
  o->get("command", command);
  if (!reader.ok()) return bad(path + ".overrides", reader.error().message);
  if (command) c.command = std::move(*command);  // replaces the task definition's
  return {};
}

Result<task::Container> container_from_acs(const acs::Container& a, const std::string& path) {
  task::Container c;
  c.name = a.name.value_or("");
  c.image = a.image.value_or("");
  c.command = a.command;
  c.entry_point = a.entryPoint;
  c.environment = map_of(a.environment);
  c.essential = a.essential.value_or(false);
  c.links = list(a.links);
  c.cpu = a.cpu.value_or(0);
  c.memory = a.memory.value_or(0);
  std::size_t i = 0;
  for (const auto& p : list(a.portMappings)) {
    const std::string where = path + ".portMappings[" + std::to_string(i++) + "]";
    task::PortMapping m;
    const auto port = p.containerPort.value_or(0);
    const auto host = p.hostPort.value_or(0);
    if (port < 0 || port > 65535) return bad(where + ".containerPort", "is not a port number");
    if (host < 0 || host > 65535) return bad(where + ".hostPort", "is not a port number");
    m.container_port = static_cast<std::uint16_t>(port);
    m.host_port = static_cast<std::uint16_t>(host);
    m.container_port_range = p.containerPortRange.value_or("");
    const std::string protocol = p.protocol.value_or("tcp");
    if (protocol != "tcp" && protocol != "udp") {
      return bad(where + ".protocol", "\"" + protocol + "\" is not tcp or udp");
    }
    m.protocol = protocol;
    c.ports.push_back(std::move(m));
  }
  for (const auto& m : list(a.mountPoints)) {
    c.mount_points.push_back(
        {m.sourceVolume.value_or(""), m.containerPath.value_or(""), m.readOnly.value_or(false)});
  }
  for (const auto& v : list(a.volumesFrom)) {
    c.volumes_from.push_back({v.sourceContainer.value_or(""), v.readOnly.value_or(false)});
  }
  if (a.dockerConfig) {
    c.docker_config = {a.dockerConfig->config.value_or(""), a.dockerConfig->hostConfig.value_or(""),
                       a.dockerConfig->version.value_or("")};
  }
  c.health_check_type = a.healthCheckType.value_or("");
  c.start_timeout = a.startTimeout.value_or(0);
  c.stop_timeout = a.stopTimeout.value_or(0);
  for (const auto& d : list(a.dependsOn)) {
    c.depends_on.push_back({d.containerName.value_or(""), d.condition.value_or("")});
  }
  for (const auto& m : list(a.managedAgents)) {
    task::ManagedAgent agent;
    agent.name = m.name.value_or("");
    if (m.properties) agent.properties = task::StringMap(m.properties->begin(), m.properties->end());
    c.managed_agents.push_back(std::move(agent));
  }
  if (a.registryAuthentication) {
    const auto& r = *a.registryAuthentication;
    task::RegistryAuthentication auth;
    auth.type = r.type.value_or("");
    if (r.ecrAuthData) {
      auth.ecr_region = r.ecrAuthData->region.value_or("");
      auth.ecr_registry_id = r.ecrAuthData->registryId.value_or("");
      auth.ecr_endpoint_override = r.ecrAuthData->endpointOverride.value_or("");
      auth.ecr_use_execution_role = r.ecrAuthData->useExecutionRole.value_or(false);
    }
    if (r.asmAuthData) {
      auth.asm_credentials_parameter = r.asmAuthData->credentialsParameter.value_or("");
      auth.asm_region = r.asmAuthData->region.value_or("");
    }
    c.registry_authentication = std::move(auth);
  }
  for (const auto& s : list(a.secrets)) {
    c.secrets.push_back({s.name.value_or(""), s.valueFrom.value_or(""), s.provider.value_or(""),
                         s.region.value_or(""), s.target.value_or("")});
  }
  c.logs_auth_strategy = a.logsAuthStrategy.value_or("");
  c.container_arn = a.containerArn.value_or("");
  if (auto r = apply_overrides(a.overrides.value_or(""), c, path); !r) return r.error();
  return c;
}

Result<task::Volume> volume_from_acs(const acs::Volume& a, const std::string& path) {
  task::Volume v;
  if (!a.name || a.name->empty()) return bad(path + ".name", "is missing");
  v.name = *a.name;
  v.type = a.type.value_or("host");
  if (v.type.empty()) v.type = "host";
  if (v.type == "host") {
    if (a.host) v.source_path = a.host->sourcePath.value_or("");
    if (v.source_path.empty()) v.scope = "task";  // an empty host volume: a task-scoped local volume
  } else if (v.type == "docker") {
    if (a.dockerVolumeConfiguration) {
      const auto& d = *a.dockerVolumeConfiguration;
      v.scope = d.scope.value_or("task");
      if (v.scope.empty()) v.scope = "task";
      if (v.scope != "task" && v.scope != "shared")
        return bad(path + ".scope", "\"" + v.scope + "\" is not task or shared");
      v.autoprovision = d.autoprovision.value_or(false);
      v.driver = d.driver.value_or("");
      v.driver_opts = map_of(d.driverOpts);
      v.labels = map_of(d.labels);
    }
  } else if (v.type != "efs" && v.type != "fsxWindowsFileServer" && v.type != "ebs" &&
             v.type != "attachment" && v.type != "s3files") {
    return bad(path + ".type", "\"" + v.type + "\" is not a volume type");
  }
  return v;
}

}  // namespace

Result<task::Task> task_from_acs(const acs::Task& a) {
  task::Task t;
  t.arn = a.arn.value_or("");
  if (t.arn.empty()) return bad("arn", "is missing");
  t.family = a.family.value_or("");
  t.version = a.version.value_or("");
  const std::string desired = a.desiredStatus.value_or("RUNNING");
  auto status = task::parse_task_status(desired.empty() ? "RUNNING" : desired);
  if (!status) return bad("desiredStatus", "\"" + desired + "\" is not a task status");
  t.desired_status = *status;
  t.network_mode = a.networkMode.value_or("");
  if (t.network_mode.empty()) t.network_mode = "bridge";
  t.pid_mode = a.pidMode.value_or("");
  t.ipc_mode = a.ipcMode.value_or("");
  t.service_name = a.serviceName.value_or("");
  t.launch_type = a.launchType.value_or("");
  t.cpu = a.cpu.value_or(0);
  t.memory = a.memory.value_or(0);
  std::size_t i = 0;
  for (const auto& c : list(a.containers)) {
    auto container = container_from_acs(c, "containers[" + std::to_string(i++) + "]");
    if (!container) return container.error();
    t.containers.push_back(std::move(*container));
  }
  i = 0;
  for (const auto& v : list(a.volumes)) {
    auto volume = volume_from_acs(v, "volumes[" + std::to_string(i++) + "]");
    if (!volume) return volume.error();
    t.volumes.push_back(std::move(*volume));
  }
  if (a.roleCredentials) t.credentials_id = a.roleCredentials->credentialsId.value_or("");
  if (a.executionRoleCredentials)
    t.execution_credentials_id = a.executionRoleCredentials->credentialsId.value_or("");
  return t;
}

std::optional<std::string> unsupported_feature(const acs::Task& a) {
  auto refuse = [](const std::string& what) {
    return std::optional<std::string>("UnsupportedFeatureError: this agent does not run tasks with " + what);
  };
  if (a.networkMode.value_or("") == "awsvpc") return refuse("the awsvpc network mode");
  if (a.elasticNetworkInterfaces && !a.elasticNetworkInterfaces->empty())
    return refuse("elastic network interfaces");
  if (a.proxyConfiguration) return refuse("an App Mesh proxy configuration");
  for (const auto& at : list(a.attachments)) {
    if (at.attachmentType.value_or("") == "serviceconnectdetail") return refuse("Service Connect");
    return refuse("attachments of type " + at.attachmentType.value_or("(none)"));
  }
  for (const auto& as : list(a.associations)) {
    return refuse("resource associations (" + as.type.value_or("") + ", e.g. GPUs)");
  }
  if (a.pidMode.value_or("") == "task" || a.ipcMode.value_or("") == "task") {
    return refuse("pid or ipc mode \"task\"");
  }
  for (const auto& v : list(a.volumes)) {
    const std::string type = v.type.value_or("host");
    if (type != "host" && type != "docker" && !type.empty()) return refuse("volumes of type " + type);
  }
  for (const auto& c : list(a.containers)) {
    const std::string name = c.name.value_or("");
    if (c.firelensConfiguration) return refuse("FireLens (container " + name + ")");
    if (c.secrets && !c.secrets->empty()) return refuse("secrets (container " + name + ")");
    if (c.environmentFiles && !c.environmentFiles->empty())
      return refuse("environment files (container " + name + ")");
    if (c.registryAuthentication) {
      return refuse("registry authentication of type " + c.registryAuthentication->type.value_or("") +
                    " (container " + name + ")");
    }
    if (c.credentialSpecs && !c.credentialSpecs->empty())
      return refuse("credential specs (container " + name + ")");
  }
  return std::nullopt;
}

}  // namespace ecs::handlers
