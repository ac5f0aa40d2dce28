#include "state/legacy_checkpoint.h"

#include <filesystem>

#include <simdjson.h>

#include "core/json_writer.h"
#include "core/rfc3339.h"

namespace ecs::state::legacy {

namespace {

Error bad(const std::string& path, std::string_view what) {
  return make_error(StateErrc::bad_state, "state: " + path + " " + std::string(what));
}

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Reads members of one object; errors name the member's path, e.g. tasks[2].containers[0].name.
class Members {
 public:
  Members(object obj, std::string path) : obj_(obj), path_(std::move(path)) {}

  std::string path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  Result<void> string(std::string_view key, std::string& out) const {
    element e;
    if (obj_.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return {};
    std::string_view v;
    if (e.get_string().get(v) != simdjson::SUCCESS) return bad(path(key), "is not a string");
    out = std::string(v);
    return {};
  }
  Result<void> integer(std::string_view key, std::int64_t& out) const {
    element e;
    if (obj_.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return {};
    if (e.get_int64().get(out) != simdjson::SUCCESS) return bad(path(key), "is not an integer");
    return {};
  }
  Result<void> time(std::string_view key, std::chrono::system_clock::time_point& out) const {
    std::string text;
    if (auto r = string(key, text); !r) return r;
    if (text.empty()) return {};
    auto t = parse_rfc3339(text);
    if (!t) return bad(path(key), "is not an RFC 3339 time");
    out = *t;
    return {};
  }
  // Calls fn(element, path) for each element of an array member (absent or null: none).
  template <class Fn>
  Result<void> each(std::string_view key, Fn&& fn) const {
    element e;
    if (obj_.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return {};
    array a;
    if (e.get_array().get(a) != simdjson::SUCCESS) return bad(path(key), "is not an array");
    std::size_t i = 0;
    for (element item : a) {
      auto r = fn(item, path(key) + "[" + std::to_string(i++) + "]");
      if (!r) return r;
    }
    return {};
  }

 private:
  object obj_;
  std::string path_;
};

Result<Members> members(element e, const std::string& path) {
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS)
    return bad(path.empty() ? "document" : path, "is not an object");
  return Members(o, path);
}

#define ECS_TRY(expr)                 \
  do {                                \
    auto ecs_try_r = (expr);          \
    if (!ecs_try_r) return ecs_try_r; \
  } while (0)

Result<void> read_container(element e, const std::string& path, ContainerRecord& c) {
  auto m = members(e, path);
  if (!m) return m.error();
  ECS_TRY(m->string("name", c.name));
  ECS_TRY(m->string("runtimeId", c.runtime_id));
  ECS_TRY(m->string("knownStatus", c.known_status));
  return m->each("managedAgents", [&](element agent, const std::string& agent_path) -> Result<void> {
    const std::string json = simdjson::to_string(agent);
    auto parsed = task::managed_agent_from_json(json);
    if (!parsed) return bad(agent_path, parsed.error().message);
    c.managed_agents.push_back(std::move(*parsed));
    return {};
  });
}

Result<void> read_task(element e, const std::string& path, TaskRecord& t) {
  auto m = members(e, path);
  if (!m) return m.error();
  ECS_TRY(m->string("arn", t.arn));
  ECS_TRY(m->string("family", t.family));
  ECS_TRY(m->string("version", t.version));
  ECS_TRY(m->string("desiredStatus", t.desired_status));
  ECS_TRY(m->string("knownStatus", t.known_status));
  ECS_TRY(m->string("credentialsId", t.credentials_id));
  ECS_TRY(m->string("executionCredentialsId", t.execution_credentials_id));
  return m->each("containers", [&](element c, const std::string& c_path) -> Result<void> {
    ContainerRecord record;
    ECS_TRY(read_container(c, c_path, record));
    t.containers.push_back(std::move(record));
    return {};
  });
}

Result<void> read_attachment(element e, const std::string& path, AttachmentRecord& a) {
  auto m = members(e, path);
  if (!m) return m.error();
  ECS_TRY(m->string("arn", a.arn));
  ECS_TRY(m->string("type", a.type));
  ECS_TRY(m->string("status", a.status));
  return m->time("expiresAt", a.expires_at);
}

#undef ECS_TRY

}  // namespace

std::string encode_state(const AgentState& s) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("cluster").string(s.cluster);
  w.key("containerInstanceArn").string(s.container_instance_arn);
  w.key("seqNum").number(s.seq_num);
  w.key("manifestMessageId").string(s.manifest_message_id);
  w.key("tasks").begin_array();
  for (const auto& t : s.tasks) {
    w.begin_object();
    w.key("arn").string(t.arn);
    w.key("family").string(t.family);
    w.key("version").string(t.version);
    w.key("desiredStatus").string(t.desired_status);
    w.key("knownStatus").string(t.known_status);
    w.key("credentialsId").string(t.credentials_id);
    w.key("executionCredentialsId").string(t.execution_credentials_id);
    w.key("containers").begin_array();
    for (const auto& c : t.containers) {
      w.begin_object();
      w.key("name").string(c.name);
      w.key("runtimeId").string(c.runtime_id);
      w.key("knownStatus").string(c.known_status);
      w.key("managedAgents").begin_array();
      for (const auto& a : c.managed_agents) w.raw(task::to_json(a));
      w.end_array();
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("attachments").begin_array();
  for (const auto& a : s.attachments) {
    w.begin_object();
    w.key("arn").string(a.arn);
    w.key("type").string(a.type);
    w.key("status").string(a.status);
    if (a.expires_at != std::chrono::system_clock::time_point{}) {
      w.key("expiresAt").string(format_rfc3339_nano(a.expires_at));
    }
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

Result<AgentState> decode_state(std::string_view json) {
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS)
    return bad("document", "is not JSON");
  auto m = members(doc, "");
  if (!m) return m.error();
  AgentState s;
  for (const auto& r :
       {m->string("cluster", s.cluster), m->string("containerInstanceArn", s.container_instance_arn),
        m->integer("seqNum", s.seq_num), m->string("manifestMessageId", s.manifest_message_id)}) {
    if (!r) return r.error();
  }
  auto tasks = m->each("tasks", [&](element e, const std::string& path) -> Result<void> {
    TaskRecord t;
    auto r = read_task(e, path, t);
    if (r) s.tasks.push_back(std::move(t));
    return r;
  });
  if (!tasks) return tasks.error();
  auto attachments = m->each("attachments", [&](element e, const std::string& path) -> Result<void> {
    AttachmentRecord a;
    auto r = read_attachment(e, path, a);
    if (r) s.attachments.push_back(std::move(a));
    return r;
  });
  if (!attachments) return attachments.error();
  return s;
}

Result<AgentState> StateStore::load() {
  auto loaded = file_.load();
  if (!loaded) return loaded.error();
  if (!*loaded) return AgentState{};
  auto state = decode_state((*loaded)->payload);
  if (!state) {
    return make_error(StateErrc::bad_state, "generation " + std::to_string((*loaded)->generation) + " of '" +
                                                file_.current_path() + "': " + state.error().message);
  }
  return state;
}

Result<void> StateStore::save(const AgentState& state) {
  auto saved = file_.save(encode_state(state));
  if (!saved) return saved.error();
  return {};
}

Result<std::optional<SavedState>> read_legacy_state(const std::string& dir) {
  StateStore store(dir);
  std::error_code ec;
  if (!std::filesystem::exists(store.file().current_path(), ec) &&
      !std::filesystem::exists(store.file().previous_path(), ec)) {
    return std::optional<SavedState>();
  }
  auto loaded = store.load();
  if (!loaded) return loaded.error();
  SavedState out;
  out.instance = {loaded->cluster, loaded->container_instance_arn, loaded->seq_num,
                  loaded->manifest_message_id};
  for (const auto& t : loaded->tasks) {
    task::Task task;
    task.arn = t.arn;
    task.family = t.family;
    task.version = t.version;
    task.desired_status = task::parse_task_status(t.desired_status).value_or(task::TaskStatus::running);
    task.known_status = task::parse_task_status(t.known_status).value_or(task::TaskStatus::none);
    task.credentials_id = t.credentials_id;
    task.execution_credentials_id = t.execution_credentials_id;
    for (const auto& c : t.containers) {
      task::Container container;
      container.name = c.name;
      container.docker_id = c.runtime_id;
      container.known_status =
          task::parse_container_status(c.known_status).value_or(task::ContainerStatus::none);
      container.desired_status = task::container_status_for(task.desired_status);
      container.managed_agents = c.managed_agents;
      task.containers.push_back(std::move(container));
    }
    out.tasks.push_back(std::move(task));
  }
  for (const auto& a : loaded->attachments)
    out.attachments.push_back({a.arn, a.type, a.status, a.expires_at});
  return std::optional<SavedState>(std::move(out));
}

Result<void> retire_legacy_state(const std::string& dir) {
  StateStore store(dir);
  for (const std::string& path : {store.file().current_path(), store.file().previous_path()}) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) continue;
    std::filesystem::rename(path, path + ".imported", ec);
    if (ec) return make_error(StateErrc::io, "cannot rename '" + path + "': " + ec.message());
  }
  return {};
}

Result<bool> import_legacy_state(const std::string& dir, Repository& into) {
  auto legacy = read_legacy_state(dir);
  if (!legacy) return legacy.error();
  if (!*legacy) return false;
  std::optional<Error> failed;
  auto keep = [&](Result<void> r) {
    if (!r && !failed) failed = r.error();
  };
  auto committed = into.write_together([&] {
    keep(into.save_instance((*legacy)->instance));
    for (const auto& t : (*legacy)->tasks) keep(into.save_task(t));
    for (const auto& a : (*legacy)->attachments) keep(into.save_attachment(a));
  });
  if (failed) return *failed;
  if (!committed) return committed.error();
  if (auto r = retire_legacy_state(dir); !r) return r.error();
  return true;
}

}  // namespace ecs::state::legacy
