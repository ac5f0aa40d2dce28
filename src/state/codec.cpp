#include "state/codec.h"

#include "core/json_reader.h"
#include "core/json_writer.h"
#include "core/rfc3339.h"
#include "state/errors.h"

namespace ecs::state {
namespace {

using task::TimePoint;

void strings(JsonWriter& w, const std::vector<std::string>& values) {
  w.begin_array();
  for (const auto& v : values) w.string(v);
  w.end_array();
}

void string_map(JsonWriter& w, const std::map<std::string, std::string>& values) {
  w.begin_object();
  for (const auto& [k, v] : values) w.key(k).string(v);
  w.end_object();
}

void time(JsonWriter& w, std::string_view key, TimePoint t) {
  if (t != TimePoint{}) w.key(key).string(format_rfc3339_nano(t));
}

void read_time(JsonReader& reader, const JsonObject& o, std::string_view key, TimePoint& out) {
  std::string text;
  o.get(key, text);
  if (text.empty()) return;
  auto t = parse_rfc3339(text);
  if (!t)
    return reader.fail(o.path().empty() ? std::string(key) : o.path() + "." + std::string(key),
                       "is not an RFC 3339 time");
  out = *t;
}

template <class Status, class Parse>
void read_status(JsonReader& reader, const JsonObject& o, std::string_view key, Status& out, Parse parse) {
  std::string text;
  o.get(key, text);
  if (text.empty()) return;
  auto s = parse(text);
  if (!s) {
    return reader.fail(o.path().empty() ? std::string(key) : o.path() + "." + std::string(key),
                       "is not a status: \"" + text + "\"");
  }
  out = *s;
}

void write_container(JsonWriter& w, const task::Container& c) {
  w.begin_object();
  w.key("name").string(c.name);
  w.key("image").string(c.image);
  if (c.command) {
    w.key("command");
    strings(w, *c.command);
  }
  if (c.entry_point) {
    w.key("entryPoint");
    strings(w, *c.entry_point);
  }
  w.key("environment");
  string_map(w, c.environment);
  w.key("essential").boolean(c.essential);
  w.key("links");
  strings(w, c.links);
  w.key("cpu").number(c.cpu);
  w.key("memory").number(c.memory);
  w.key("portMappings").begin_array();
  for (const auto& p : c.ports) {
    w.begin_object().key("containerPort").number(p.container_port).key("hostPort").number(p.host_port);
    w.key("protocol").string(p.protocol);
    if (!p.container_port_range.empty()) w.key("containerPortRange").string(p.container_port_range);
    w.end_object();
  }
  w.end_array();
  w.key("mountPoints").begin_array();
  for (const auto& m : c.mount_points) {
    w.begin_object()
        .key("sourceVolume")
        .string(m.source_volume)
        .key("containerPath")
        .string(m.container_path)
        .key("readOnly")
        .boolean(m.read_only)
        .end_object();
  }
  w.end_array();
  w.key("volumesFrom").begin_array();
  for (const auto& v : c.volumes_from) {
    w.begin_object().key("sourceContainer").string(v.source_container).key("readOnly").boolean(v.read_only);
    w.end_object();
  }
  w.end_array();
  w.key("dockerConfig")
      .begin_object()
      .key("config")
      .string(c.docker_config.config)
      .key("hostConfig")
      .string(c.docker_config.host_config)
      .key("version")
      .string(c.docker_config.version)
      .end_object();
  w.key("healthCheckType").string(c.health_check_type);
  w.key("startTimeout").number(c.start_timeout);
  w.key("stopTimeout").number(c.stop_timeout);
  w.key("dependsOn").begin_array();
  for (const auto& d : c.depends_on) {
    w.begin_object().key("containerName").string(d.container_name).key("condition").string(d.condition);
    w.end_object();
  }
  w.end_array();
  w.key("managedAgents").begin_array();
  for (const auto& a : c.managed_agents) w.raw(task::to_json(a));
  w.end_array();
  if (c.registry_authentication) {
    const auto& r = *c.registry_authentication;
    w.key("registryAuthentication")
        .begin_object()
        .key("type")
        .string(r.type)
        .key("ecrRegion")
        .string(r.ecr_region)
        .key("ecrRegistryId")
        .string(r.ecr_registry_id)
        .key("ecrEndpointOverride")
        .string(r.ecr_endpoint_override)
        .key("ecrUseExecutionRole")
        .boolean(r.ecr_use_execution_role)
        .key("asmCredentialsParameter")
        .string(r.asm_credentials_parameter)
        .key("asmRegion")
        .string(r.asm_region)
        .end_object();
  }
  w.key("secrets").begin_array();
  for (const auto& s : c.secrets) {
    w.begin_object()
        .key("name")
        .string(s.name)
        .key("valueFrom")
        .string(s.value_from)
        .key("provider")
        .string(s.provider)
        .key("region")
        .string(s.region)
        .key("target")
        .string(s.target)
        .end_object();
  }
  w.end_array();
  w.key("logsAuthStrategy").string(c.logs_auth_strategy);
  w.key("containerArn").string(c.container_arn);
  w.key("v3EndpointId").string(c.v3_endpoint_id);
  w.key("dockerId").string(c.docker_id);
  w.key("dockerName").string(c.docker_name);
  w.key("imageId").string(c.image_id);
  w.key("imageDigest").string(c.image_digest);
  w.key("desiredStatus").string(task::to_string(c.desired_status));
  w.key("knownStatus").string(task::to_string(c.known_status));
  w.key("sentStatus").string(task::to_string(c.sent_status));
  if (c.known_exit_code) w.key("knownExitCode").number(*c.known_exit_code);
  w.key("knownPortBindings").begin_array();
  for (const auto& b : c.known_port_bindings) {
    w.begin_object().key("containerPort").number(b.container_port).key("hostPort").number(b.host_port);
    w.key("bindIp").string(b.bind_ip).key("protocol").string(b.protocol).end_object();
  }
  w.end_array();
  if (c.applying_error) {
    w.key("applyingError")
        .begin_object()
        .key("name")
        .string(c.applying_error->name)
        .key("message")
        .string(c.applying_error->message)
        .end_object();
  }
  time(w, "createdAt", c.created_at);
  time(w, "startedAt", c.started_at);
  time(w, "finishedAt", c.finished_at);
  w.key("networks").begin_array();
  for (const auto& n : c.networks) {
    w.begin_object().key("name").string(n.name).key("ipv4Address").string(n.ipv4_address);
    w.key("ipv6Address").string(n.ipv6_address).end_object();
  }
  w.end_array();
  w.key("labels");
  string_map(w, c.labels);
  w.end_object();
}

void read_container(JsonReader& reader, const JsonObject& o, task::Container& c) {
  o.get("name", c.name);
  o.get("image", c.image);
  o.get("command", c.command);
  o.get("entryPoint", c.entry_point);
  o.get("environment", c.environment);
  o.get("essential", c.essential);
  o.get("links", c.links);
  o.get("cpu", c.cpu);
  o.get("memory", c.memory);
  o.each("portMappings", [&](const JsonObject& p, std::size_t) {
    task::PortMapping m;
    p.get("containerPort", m.container_port);
    p.get("hostPort", m.host_port);
    p.get("protocol", m.protocol);
    p.get("containerPortRange", m.container_port_range);
    c.ports.push_back(std::move(m));
  });
  o.each("mountPoints", [&](const JsonObject& p, std::size_t) {
    task::MountPoint m;
    p.get("sourceVolume", m.source_volume);
    p.get("containerPath", m.container_path);
    p.get("readOnly", m.read_only);
    c.mount_points.push_back(std::move(m));
  });
  o.each("volumesFrom", [&](const JsonObject& p, std::size_t) {
    task::VolumeFrom v;
    p.get("sourceContainer", v.source_container);
    p.get("readOnly", v.read_only);
    c.volumes_from.push_back(std::move(v));
  });
  if (auto d = o.object("dockerConfig")) {
    d->get("config", c.docker_config.config);
    d->get("hostConfig", c.docker_config.host_config);
    d->get("version", c.docker_config.version);
  }
  o.get("healthCheckType", c.health_check_type);
  o.get("startTimeout", c.start_timeout);
  o.get("stopTimeout", c.stop_timeout);
  o.each("dependsOn", [&](const JsonObject& p, std::size_t) {
    task::DependsOn d;
    p.get("containerName", d.container_name);
    p.get("condition", d.condition);
    c.depends_on.push_back(std::move(d));
  });
  // Managed agents keep the reference's own JSON (task/managed_agent.h).
  o.each_raw("managedAgents", [&](const std::string& raw, const std::string& path) {
    auto agent = task::managed_agent_from_json(raw);
    if (!agent) return reader.fail(path, agent.error().message);
    c.managed_agents.push_back(std::move(*agent));
  });
  if (auto r = o.object("registryAuthentication")) {
    task::RegistryAuthentication a;
    r->get("type", a.type);
    r->get("ecrRegion", a.ecr_region);
    r->get("ecrRegistryId", a.ecr_registry_id);
    r->get("ecrEndpointOverride", a.ecr_endpoint_override);
    r->get("ecrUseExecutionRole", a.ecr_use_execution_role);
    r->get("asmCredentialsParameter", a.asm_credentials_parameter);
    r->get("asmRegion", a.asm_region);
    c.registry_authentication = std::move(a);
  }
  o.each("secrets", [&](const JsonObject& p, std::size_t) {
    task::Secret s;
    p.get("name", s.name);
    p.get("valueFrom", s.value_from);
    p.get("provider", s.provider);
    p.get("region", s.region);
    p.get("target", s.target);
    c.secrets.push_back(std::move(s));
  });
  o.get("logsAuthStrategy", c.logs_auth_strategy);
  o.get("containerArn", c.container_arn);
  o.get("v3EndpointId", c.v3_endpoint_id);
  o.get("dockerId", c.docker_id);
  o.get("dockerName", c.docker_name);
  o.get("imageId", c.image_id);
  o.get("imageDigest", c.image_digest);
  read_status(reader, o, "desiredStatus", c.desired_status, task::parse_container_status);
  read_status(reader, o, "knownStatus", c.known_status, task::parse_container_status);
  read_status(reader, o, "sentStatus", c.sent_status, task::parse_container_status);
  o.get("knownExitCode", c.known_exit_code);
  o.each("knownPortBindings", [&](const JsonObject& p, std::size_t) {
    task::PortBinding b;
    p.get("containerPort", b.container_port);
    p.get("hostPort", b.host_port);
    p.get("bindIp", b.bind_ip);
    p.get("protocol", b.protocol);
    c.known_port_bindings.push_back(std::move(b));
  });
  if (auto e = o.object("applyingError")) {
    task::ApplyingError error;
    e->get("name", error.name);
    e->get("message", error.message);
    c.applying_error = std::move(error);
  }
  read_time(reader, o, "createdAt", c.created_at);
  read_time(reader, o, "startedAt", c.started_at);
  read_time(reader, o, "finishedAt", c.finished_at);
  o.each("networks", [&](const JsonObject& p, std::size_t) {
    task::Network n;
    p.get("name", n.name);
    p.get("ipv4Address", n.ipv4_address);
    p.get("ipv6Address", n.ipv6_address);
    c.networks.push_back(std::move(n));
  });
  o.get("labels", c.labels);
}

}  // namespace

std::string encode_task(const task::Task& t) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("arn").string(t.arn);
  w.key("family").string(t.family);
  w.key("version").string(t.version);
  w.key("networkMode").string(t.network_mode);
  w.key("pidMode").string(t.pid_mode);
  w.key("ipcMode").string(t.ipc_mode);
  w.key("serviceName").string(t.service_name);
  w.key("launchType").string(t.launch_type);
  w.key("cpu").number_double(t.cpu);
  w.key("memory").number(t.memory);
  w.key("desiredStatus").string(task::to_string(t.desired_status));
  w.key("knownStatus").string(task::to_string(t.known_status));
  w.key("sentStatus").string(task::to_string(t.sent_status));
  time(w, "knownTime", t.known_time);
  time(w, "pullStartedAt", t.pull_started_at);
  time(w, "pullStoppedAt", t.pull_stopped_at);
  time(w, "executionStoppedAt", t.execution_stopped_at);
  w.key("credentialsId").string(t.credentials_id);
  w.key("executionCredentialsId").string(t.execution_credentials_id);
  w.key("terminalReason").string(t.terminal_reason);
  w.key("containers").begin_array();
  for (const auto& c : t.containers) write_container(w, c);
  w.end_array();
  w.key("volumes").begin_array();
  for (const auto& v : t.volumes) {
    w.begin_object();
    w.key("name").string(v.name).key("type").string(v.type).key("sourcePath").string(v.source_path);
    w.key("scope")
        .string(v.scope)
        .key("autoprovision")
        .boolean(v.autoprovision)
        .key("driver")
        .string(v.driver);
    w.key("driverOpts");
    string_map(w, v.driver_opts);
    w.key("labels");
    string_map(w, v.labels);
    w.key("dockerVolumeName").string(v.docker_volume_name).key("created").boolean(v.created);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

Result<task::Task> decode_task(std::string_view json) {
  JsonReader reader("task record", make_error_code(StateErrc::bad_state));
  auto o = reader.parse(json);
  task::Task t;
  if (!o) return reader.error();
  o->get("arn", t.arn);
  o->get("family", t.family);
  o->get("version", t.version);
  o->get("networkMode", t.network_mode);
  o->get("pidMode", t.pid_mode);
  o->get("ipcMode", t.ipc_mode);
  o->get("serviceName", t.service_name);
  o->get("launchType", t.launch_type);
  o->get("cpu", t.cpu);
  o->get("memory", t.memory);
  read_status(reader, *o, "desiredStatus", t.desired_status, task::parse_task_status);
  read_status(reader, *o, "knownStatus", t.known_status, task::parse_task_status);
  read_status(reader, *o, "sentStatus", t.sent_status, task::parse_task_status);
  read_time(reader, *o, "knownTime", t.known_time);
  read_time(reader, *o, "pullStartedAt", t.pull_started_at);
  read_time(reader, *o, "pullStoppedAt", t.pull_stopped_at);
  read_time(reader, *o, "executionStoppedAt", t.execution_stopped_at);
  o->get("credentialsId", t.credentials_id);
  o->get("executionCredentialsId", t.execution_credentials_id);
  o->get("terminalReason", t.terminal_reason);
  o->each("containers", [&](const JsonObject& c, std::size_t) {
    task::Container container;
    read_container(reader, c, container);
    t.containers.push_back(std::move(container));
  });
  o->each("volumes", [&](const JsonObject& v, std::size_t) {
    task::Volume volume;
    v.get("name", volume.name);
    v.get("type", volume.type);
    v.get("sourcePath", volume.source_path);
    v.get("scope", volume.scope);
    v.get("autoprovision", volume.autoprovision);
    v.get("driver", volume.driver);
    v.get("driverOpts", volume.driver_opts);
    v.get("labels", volume.labels);
    v.get("dockerVolumeName", volume.docker_volume_name);
    v.get("created", volume.created);
    t.volumes.push_back(std::move(volume));
  });
  if (reader.ok() && t.arn.empty()) reader.fail("arn", "is missing");
  return reader.finish(std::move(t));
}

std::string encode_instance(const InstanceRecord& i) {
  std::string out;
  JsonWriter w(out);
  w.begin_object()
      .key("cluster")
      .string(i.cluster)
      .key("containerInstanceArn")
      .string(i.container_instance_arn)
      .key("seqNum")
      .number(i.seq_num)
      .key("manifestMessageId")
      .string(i.manifest_message_id)
      .end_object();
  return out;
}

Result<InstanceRecord> decode_instance(std::string_view json) {
  JsonReader reader("instance record", make_error_code(StateErrc::bad_state));
  auto o = reader.parse(json);
  InstanceRecord i;
  if (!o) return reader.error();
  o->get("cluster", i.cluster);
  o->get("containerInstanceArn", i.container_instance_arn);
  o->get("seqNum", i.seq_num);
  o->get("manifestMessageId", i.manifest_message_id);
  return reader.finish(std::move(i));
}

std::string encode_attachment(const AttachmentRecord& a) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("arn").string(a.arn).key("type").string(a.type).key("status").string(a.status);
  time(w, "expiresAt", a.expires_at);
  w.end_object();
  return out;
}

Result<AttachmentRecord> decode_attachment(std::string_view json) {
  JsonReader reader("attachment record", make_error_code(StateErrc::bad_state));
  auto o = reader.parse(json);
  AttachmentRecord a;
  if (!o) return reader.error();
  o->get("arn", a.arn);
  o->get("type", a.type);
  o->get("status", a.status);
  read_time(reader, *o, "expiresAt", a.expires_at);
  return reader.finish(std::move(a));
}

}  // namespace ecs::state
