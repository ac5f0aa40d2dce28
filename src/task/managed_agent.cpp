#include "task/managed_agent.h"

#include <simdjson.h>

#include "core/json_writer.h"
#include "core/rfc3339.h"

namespace ecs::task {

std::string_view to_string(ManagedAgentStatus s) {
  switch (s) {
    case ManagedAgentStatus::none:
      return "NONE";
    case ManagedAgentStatus::created:
      return "CREATED";
    case ManagedAgentStatus::running:
      return "RUNNING";
    case ManagedAgentStatus::stopped:
      return "STOPPED";
  }
  return "NONE";
}

std::string_view backend_status(ManagedAgentStatus s) {
  switch (s) {
    case ManagedAgentStatus::running:
      return "RUNNING";
    case ManagedAgentStatus::stopped:
      return "STOPPED";
    default:
      return "PENDING";
  }
}

StringMap AgentMetadata::to_map() const {
  return {{"PID", pid}, {"DockerExecID", docker_exec_id}, {"CMD", cmd}};
}

AgentMetadata AgentMetadata::from_map(const std::optional<StringMap>& map) {
  AgentMetadata m;
  if (!map) return m;
  auto get = [&](const char* key) {
    auto it = map->find(key);
    return it == map->end() ? std::string() : it->second;
  };
  m.pid = get("PID");
  m.docker_exec_id = get("DockerExecID");
  m.cmd = get("CMD");
  return m;
}

std::string AgentMetadata::str() const {
  return "[PID: " + pid + ", DockerExecId: " + docker_exec_id + ", CMD: " + cmd + "]";
}

namespace {

constexpr std::string_view kGoZeroTime = "0001-01-01T00:00:00Z";

void write_map(JsonWriter& w, const StringMap& map) {
  w.begin_object();
  for (const auto& [k, v] : map) w.key(k).string(v);  // std::map is sorted, like Go's encoder
  w.end_object();
}

Result<std::optional<StringMap>> read_map(simdjson::dom::element e, std::string_view name) {
  if (e.is_null()) return std::optional<StringMap>();
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    return make_error(errc::make_error_code(errc::invalid_argument),
                      "managed agent: \"" + std::string(name) + "\" is not an object");
  }
  StringMap out;
  for (auto field : obj) {
    std::string_view v;
    // Metadata values of other types read as absent (MapToAgentMetadata only takes strings).
    if (field.value.get_string().get(v) == simdjson::SUCCESS) out[std::string(field.key)] = std::string(v);
  }
  return std::optional<StringMap>(std::move(out));
}

Result<ManagedAgentStatus> read_status(simdjson::dom::element e) {
  if (e.is_null()) return ManagedAgentStatus::none;
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) {
    return make_error(
        errc::make_error_code(errc::invalid_argument),
        "managed agent status unmarshal: status must be a string or null; Got " + simdjson::to_string(e));
  }
  for (auto status : {ManagedAgentStatus::none, ManagedAgentStatus::created, ManagedAgentStatus::running,
                      ManagedAgentStatus::stopped}) {
    if (to_string(status) == s) return status;
  }
  return make_error(errc::make_error_code(errc::invalid_argument),
                    "managed agent status unmarshal: unrecognized status " + std::string(s));
}

}  // namespace

std::string to_json(const ManagedAgent& agent) {
  const ManagedAgentState& s = agent.state;
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  if (!s.id.empty()) w.key("id").string(s.id);
  if (s.status != ManagedAgentStatus::none) w.key("status").string(to_string(s.status));
  if (s.sent_status != ManagedAgentStatus::none) w.key("sentStatus").string(to_string(s.sent_status));
  if (!s.reason.empty()) w.key("reason").string(s.reason);
  w.key("lastStartedAt")
      .string(s.started() ? format_rfc3339_nano(s.last_started_at) : std::string(kGoZeroTime));
  if (s.metadata && !s.metadata->empty()) {
    w.key("metadata");
    write_map(w, *s.metadata);
  }
  if (s.init_failed) w.key("initFailed").boolean(true);
  if (!agent.name.empty()) w.key("name").string(agent.name);
  if (agent.properties && !agent.properties->empty()) {
    w.key("properties");
    write_map(w, *agent.properties);
  }
  w.end_object();
  return out;
}

Result<ManagedAgent> managed_agent_from_json(std::string_view json) {
  auto bad = [](std::string what) {
    return make_error(errc::make_error_code(errc::invalid_argument), "managed agent: " + what);
  };
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) return bad("not valid JSON");
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return bad("not a JSON object");
  ManagedAgent agent;
  ManagedAgentState& s = agent.state;
  for (auto field : obj) {
    const std::string_view key = field.key;
    auto string_member = [&](std::string& out) -> bool {
      if (field.value.is_null()) return true;
      std::string_view v;
      if (field.value.get_string().get(v) != simdjson::SUCCESS) return false;
      out = std::string(v);
      return true;
    };
    if (key == "id" || key == "reason" || key == "name") {
      std::string& target = key == "id" ? s.id : key == "reason" ? s.reason : agent.name;
      if (!string_member(target)) return bad(std::string("\"").append(key).append("\" is not a string"));
    } else if (key == "status" || key == "sentStatus") {
      auto status = read_status(field.value);
      if (!status) return status.error();
      (key == "status" ? s.status : s.sent_status) = *status;
    } else if (key == "lastStartedAt") {
      std::string text;
      if (!string_member(text)) return bad("\"lastStartedAt\" is not a string");
      if (text.empty() || text == kGoZeroTime) continue;
      auto t = parse_rfc3339(text);
      if (!t) return bad("\"lastStartedAt\" is not an RFC 3339 time: " + text);
      s.last_started_at = *t;
    } else if (key == "metadata" || key == "properties") {
      auto map = read_map(field.value, key);
      if (!map) return map.error();
      (key == "metadata" ? s.metadata : agent.properties) = std::move(*map);
    } else if (key == "initFailed") {
      if (field.value.is_null()) continue;
      if (field.value.get_bool().get(s.init_failed) != simdjson::SUCCESS)
        return bad("\"initFailed\" is not a boolean");
    }
  }
  return agent;
}

std::string ManagedAgentEvent::str() const {
  std::string out = "containerName=" + container_name + " managedAgentName=" + managed_agent_name +
                    " managedAgentStatus=" + std::string(to_string(status));
  if (!reason.empty()) out += " managedAgentReason=" + reason;
  return out;
}

std::string task_id(std::string_view task_arn) {
  auto pos = task_arn.rfind('/');
  return std::string(pos == std::string_view::npos ? task_arn : task_arn.substr(pos + 1));
}

}  // namespace ecs::task
