#include "dockerapi/types.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/json_writer.h"
#include "dockerapi/errors.h"

namespace ecs::dockerapi {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Go's rule: the exact name wins, else the first case-insensitive match; the last duplicate of
// an exact name wins.
std::optional<element> member(object obj, std::string_view name) {
  std::optional<element> exact, folded;
  for (auto field : obj) {
    if (field.key == name) {
      exact = field.value;
    } else if (!folded && iequals(field.key, name)) {
      folded = field.value;
    }
  }
  return exact ? exact : folded;
}

class Reader {
 public:
  explicit Reader(std::string_view what) : what_(what) {}

  // The document's top-level array (GET /containers/json).
  Result<simdjson::dom::array> parse_array(std::string_view body) {
    element doc;
    if (parser_.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) {
      return make_error(DockerErrc::malformed_response,
                        std::string(what_) + ": the daemon's answer is not JSON");
    }
    simdjson::dom::array arr;
    if (doc.get_array().get(arr) != simdjson::SUCCESS) {
      return make_error(DockerErrc::malformed_response,
                        std::string(what_) + ": the daemon's answer is not a JSON array");
    }
    return arr;
  }

  Result<object> parse(std::string_view body) {
    element doc;
    if (parser_.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) {
      return make_error(DockerErrc::malformed_response,
                        std::string(what_) + ": the daemon's answer is not JSON");
    }
    object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) {
      return make_error(DockerErrc::malformed_response,
                        std::string(what_) + ": the daemon's answer is not a JSON object");
    }
    return obj;
  }

  // Each getter leaves `out` untouched for an absent or null member and records a type error.
  void get(object obj, std::string_view name, std::string& out) {
    auto v = member(obj, name);
    if (!v || v->is_null()) return;
    std::string_view s;
    if (v->get_string().get(s) != simdjson::SUCCESS) return bad(name, "a string");
    out.assign(s);
  }
  void get(object obj, std::string_view name, bool& out) {
    auto v = member(obj, name);
    if (!v || v->is_null()) return;
    if (v->get_bool().get(out) != simdjson::SUCCESS) bad(name, "a boolean");
  }
  void get(object obj, std::string_view name, std::int64_t& out) {
    auto v = member(obj, name);
    if (!v || v->is_null()) return;
    if (v->type() != simdjson::dom::element_type::INT64) return bad(name, "an integer");
    out = v->get_int64().value_unsafe();
  }
  void get(object obj, std::string_view name, std::vector<std::string>& out) {
    auto v = member(obj, name);
    if (!v || v->is_null()) return;
    simdjson::dom::array arr;
    if (v->get_array().get(arr) != simdjson::SUCCESS) return bad(name, "an array of strings");
    for (element item : arr) {
      std::string_view s;
      if (item.get_string().get(s) != simdjson::SUCCESS) return bad(name, "an array of strings");
      out.emplace_back(s);
    }
  }
  void get(object obj, std::string_view name, std::map<std::string, std::string>& out) {
    auto o = get_object(obj, name);
    if (!o) return;
    for (auto field : *o) {
      std::string_view s;
      if (field.value.is_null()) continue;
      if (field.value.get_string().get(s) != simdjson::SUCCESS) return bad(name, "an object of strings");
      out.insert_or_assign(std::string(field.key), std::string(s));
    }
  }
  std::optional<object> get_object(object obj, std::string_view name) {
    auto v = member(obj, name);
    if (!v || v->is_null()) return std::nullopt;
    object o;
    if (v->get_object().get(o) != simdjson::SUCCESS) {
      bad(name, "an object");
      return std::nullopt;
    }
    return o;
  }

  template <class T>
  Result<T> finish(T value) {
    if (!error_.empty()) return make_error(DockerErrc::malformed_response, error_);
    return value;
  }

 private:
  void bad(std::string_view name, std::string_view expected) {
    if (error_.empty()) {
      error_ = std::string(what_) + ": member \"" + std::string(name) + "\" is not " + std::string(expected);
    }
  }
  std::string_view what_;
  simdjson::dom::parser parser_;
  std::string error_;
};

void write_strings(JsonWriter& w, const std::vector<std::string>& values) {
  w.begin_array();
  for (const auto& v : values) w.string(v);
  w.end_array();
}

}  // namespace

std::string encode_exec_config(const ExecConfig& c) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("User").string(c.user);
  w.key("Privileged").boolean(c.privileged);
  w.key("Tty").boolean(c.tty);
  w.key("AttachStdin").boolean(c.attach_stdin);
  w.key("AttachStderr").boolean(c.attach_stderr);
  w.key("AttachStdout").boolean(c.attach_stdout);
  w.key("Detach").boolean(c.detach);
  w.key("DetachKeys").string(c.detach_keys);
  w.key("Env");
  if (c.env) {
    write_strings(w, *c.env);
  } else {
    w.null();
  }
  w.key("WorkingDir").string(c.working_dir);
  w.key("Cmd");
  write_strings(w, c.cmd);
  w.end_object();
  out.push_back('\n');
  return out;
}

std::string encode_exec_start(bool detach, bool tty) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("Detach").boolean(detach).key("Tty").boolean(tty).end_object();
  out.push_back('\n');
  return out;
}

std::string encode_container_create(const ContainerCreateConfig& c) {
  if (!c.body_json.empty()) return c.body_json;
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("Image").string(c.image);
  w.key("Cmd");
  write_strings(w, c.cmd);
  w.key("Env");
  write_strings(w, c.env);
  w.key("Labels").begin_object();
  for (const auto& [k, v] : c.labels) w.key(k).string(v);
  w.end_object();
  w.key("HostConfig").begin_object();
  w.key("Binds");
  write_strings(w, c.binds);
  if (!c.network_mode.empty()) w.key("NetworkMode").string(c.network_mode);
  w.end_object();
  w.end_object();
  out.push_back('\n');
  return out;
}

Result<VersionInfo> parse_version(std::string_view body) {
  Reader r("version");
  auto obj = r.parse(body);
  if (!obj) return obj.error();
  VersionInfo v;
  r.get(*obj, "Version", v.version);
  r.get(*obj, "ApiVersion", v.api_version);
  r.get(*obj, "MinAPIVersion", v.min_api_version);
  r.get(*obj, "Os", v.os);
  auto out = r.finish(std::move(v));
  if (out && out->api_version.empty()) {
    return make_error(DockerErrc::malformed_response, "version: the daemon's answer has no ApiVersion");
  }
  return out;
}

Result<std::string> parse_id(std::string_view body, std::string_view what) {
  Reader r(what);
  auto obj = r.parse(body);
  if (!obj) return obj.error();
  std::string id;
  r.get(*obj, "Id", id);
  auto out = r.finish(std::move(id));
  if (out && out->empty()) {
    return make_error(DockerErrc::malformed_response, std::string(what) + ": the daemon's answer has no Id");
  }
  return out;
}

Result<ExecInspect> parse_exec_inspect(std::string_view body) {
  Reader r("inspect exec command");
  auto obj = r.parse(body);
  if (!obj) return obj.error();
  ExecInspect e;
  r.get(*obj, "ID", e.id);
  r.get(*obj, "ContainerID", e.container_id);
  r.get(*obj, "Running", e.running);
  r.get(*obj, "ExitCode", e.exit_code);
  r.get(*obj, "Pid", e.pid);
  return r.finish(std::move(e));
}

Result<ContainerInspect> parse_container_inspect(std::string_view body) {
  Reader r("inspect container");
  auto obj = r.parse(body);
  if (!obj) return obj.error();
  ContainerInspect c;
  r.get(*obj, "Id", c.id);
  r.get(*obj, "Name", c.name);
  r.get(*obj, "Image", c.image);
  r.get(*obj, "ExecIDs", c.exec_ids);
  r.get(*obj, "Created", c.created);
  if (auto state = r.get_object(*obj, "State")) {
    r.get(*state, "Status", c.state.status);
    r.get(*state, "Running", c.state.running);
    r.get(*state, "Paused", c.state.paused);
    r.get(*state, "Restarting", c.state.restarting);
    r.get(*state, "OOMKilled", c.state.oom_killed);
    r.get(*state, "Dead", c.state.dead);
    r.get(*state, "Pid", c.state.pid);
    r.get(*state, "ExitCode", c.state.exit_code);
    r.get(*state, "Error", c.state.error);
    r.get(*state, "StartedAt", c.state.started_at);
    r.get(*state, "FinishedAt", c.state.finished_at);
    if (auto health = r.get_object(*state, "Health")) {
      ContainerHealth h;
      r.get(*health, "Status", h.status);
      auto log = member(*health, "Log");
      simdjson::dom::array entries;
      if (log && log->get_array().get(entries) == simdjson::SUCCESS && entries.size() > 0) {
        object last;
        if (entries.at(entries.size() - 1).get_object().get(last) == simdjson::SUCCESS) {
          r.get(last, "Output", h.last_output);
          r.get(last, "ExitCode", h.last_exit_code);
        }
      }
      c.state.health = std::move(h);
    }
  }
  if (auto config = r.get_object(*obj, "Config")) r.get(*config, "Labels", c.labels);
  if (auto settings = r.get_object(*obj, "NetworkSettings")) {
    if (auto ports = r.get_object(*settings, "Ports")) {
      for (auto field : *ports) {
        // "80/tcp": null (exposed, not published) or [{"HostIp": "...", "HostPort": "..."}]
        std::string_view key = field.key;
        const auto slash = key.find('/');
        InspectPortBinding base;
        base.protocol = slash == std::string_view::npos ? "tcp" : std::string(key.substr(slash + 1));
        std::string_view number = key.substr(0, slash);
        std::from_chars(number.data(), number.data() + number.size(), base.container_port);
        simdjson::dom::array bindings;
        if (field.value.get_array().get(bindings) != simdjson::SUCCESS) continue;
        for (element b : bindings) {
          object bo;
          if (b.get_object().get(bo) != simdjson::SUCCESS) continue;
          InspectPortBinding binding = base;
          std::string host_port;
          r.get(bo, "HostIp", binding.host_ip);
          r.get(bo, "HostPort", host_port);
          std::from_chars(host_port.data(), host_port.data() + host_port.size(), binding.host_port);
          c.ports.push_back(std::move(binding));
        }
      }
    }
    if (auto networks = r.get_object(*settings, "Networks")) {
      for (auto field : *networks) {
        object no;
        if (field.value.get_object().get(no) != simdjson::SUCCESS) continue;
        InspectNetwork n;
        n.name = std::string(field.key);
        r.get(no, "IPAddress", n.ipv4_address);
        r.get(no, "GlobalIPv6Address", n.ipv6_address);
        c.networks.push_back(std::move(n));
      }
    }
  }
  return r.finish(std::move(c));
}

Result<ImageInspect> parse_image_inspect(std::string_view body) {
  Reader r("inspect image");
  auto obj = r.parse(body);
  if (!obj) return obj.error();
  ImageInspect i;
  r.get(*obj, "Id", i.id);
  r.get(*obj, "RepoTags", i.repo_tags);
  r.get(*obj, "RepoDigests", i.repo_digests);
  if (auto config = r.get_object(*obj, "Config")) r.get(*config, "Env", i.env);
  return r.finish(std::move(i));
}

Result<VolumeInspect> parse_volume_inspect(std::string_view body) {
  Reader r("inspect volume");
  auto obj = r.parse(body);
  if (!obj) return obj.error();
  VolumeInspect v;
  r.get(*obj, "Name", v.name);
  r.get(*obj, "Driver", v.driver);
  r.get(*obj, "Mountpoint", v.mountpoint);
  r.get(*obj, "Options", v.options);
  r.get(*obj, "Labels", v.labels);
  return r.finish(std::move(v));
}

std::string volume_create_body(const VolumeCreateConfig& config) {
  std::string out;
  JsonWriter w(out);
  auto map = [&w](std::string_view key, const std::map<std::string, std::string>& m) {
    w.key(key).begin_object();
    for (const auto& [k, v] : m) w.key(k).string(v);
    w.end_object();
  };
  w.begin_object().key("Name").string(config.name);
  w.key("Driver").string(config.driver.empty() ? "local" : config.driver);
  map("DriverOpts", config.driver_opts);
  map("Labels", config.labels);
  w.end_object();
  return out;
}

Result<DockerEvent> parse_event(std::string_view line) {
  Reader r("event");
  auto obj = r.parse(line);
  if (!obj) return obj.error();
  DockerEvent e;
  r.get(*obj, "Type", e.type);
  r.get(*obj, "Action", e.action);
  r.get(*obj, "timeNano", e.time_nano);
  if (auto actor = r.get_object(*obj, "Actor")) {
    r.get(*actor, "ID", e.id);
    r.get(*actor, "Attributes", e.attributes);
  }
  return r.finish(std::move(e));
}

Result<PullProgress> parse_pull_progress(std::string_view line) {
  Reader r("pull");
  auto obj = r.parse(line);
  if (!obj) return obj.error();
  PullProgress p;
  r.get(*obj, "status", p.status);
  r.get(*obj, "error", p.error);
  if (p.error.empty()) {
    if (auto detail = r.get_object(*obj, "errorDetail")) r.get(*detail, "message", p.error);
  }
  return r.finish(std::move(p));
}

ImageReference parse_image_reference(std::string_view image) {
  ImageReference ref;
  if (const auto at = image.find('@'); at != std::string_view::npos) {
    ref.repository = std::string(image.substr(0, at));
    ref.tag = std::string(image.substr(at + 1));
    ref.by_digest = true;
    // a tag before the digest (name:tag@sha256:...) is not part of the repository
    const auto slash = ref.repository.rfind('/');
    const auto colon = ref.repository.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
      ref.repository.resize(colon);
    return ref;
  }
  const auto slash = image.rfind('/');
  const auto colon = image.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.repository = std::string(image.substr(0, colon));
    ref.tag = std::string(image.substr(colon + 1));
  } else {
    ref.repository = std::string(image);
    ref.tag = "latest";
  }
  return ref;
}

Result<std::vector<ContainerSummary>> parse_container_list(std::string_view body) {
  Reader r("list containers");
  auto rows = r.parse_array(body);
  if (!rows) return rows.error();
  std::vector<ContainerSummary> out;
  for (element row : *rows) {
    object obj;
    if (row.get_object().get(obj) != simdjson::SUCCESS) {
      return make_error(DockerErrc::malformed_response, "list containers: a row is not a JSON object");
    }
    ContainerSummary c;
    std::vector<std::string> names;
    r.get(obj, "Id", c.id);
    r.get(obj, "Names", names);
    r.get(obj, "State", c.state);
    r.get(obj, "Labels", c.labels);
    if (!names.empty()) c.name = names.front().starts_with('/') ? names.front().substr(1) : names.front();
    out.push_back(std::move(c));
  }
  return r.finish(std::move(out));
}

Result<TopResult> parse_top(std::string_view body) {
  Reader r("top");
  auto obj = r.parse(body);
  if (!obj) return obj.error();
  TopResult t;
  r.get(*obj, "Titles", t.titles);
  auto processes = member(*obj, "Processes");
  if (processes && !processes->is_null()) {
    simdjson::dom::array rows;
    if (processes->get_array().get(rows) != simdjson::SUCCESS) {
      return make_error(DockerErrc::malformed_response, "top: member \"Processes\" is not an array");
    }
    for (element row : rows) {
      simdjson::dom::array cells;
      if (row.get_array().get(cells) != simdjson::SUCCESS) {
        return make_error(DockerErrc::malformed_response, "top: a process row is not an array");
      }
      auto& out = t.processes.emplace_back();
      for (element cell : cells) {
        std::string_view s;
        if (cell.get_string().get(s) != simdjson::SUCCESS) {
          return make_error(DockerErrc::malformed_response, "top: a process cell is not a string");
        }
        out.emplace_back(s);
      }
    }
  }
  return r.finish(std::move(t));
}

std::string parse_error_message(std::string_view body, bool json) {
  if (json) {
    simdjson::dom::parser parser;
    element doc;
    std::string_view message;
    if (parser.parse(body.data(), body.size()).get(doc) == simdjson::SUCCESS && doc.is_object()) {
      auto m = member(doc.get_object().value_unsafe(), "message");
      if (m && m->get_string().get(message) == simdjson::SUCCESS) return std::string(message);
    }
  }
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.remove_suffix(1);
  constexpr std::size_t kMax = 1024;  // a hostile daemon's body does not flood the logs
  if (body.size() > kMax) return std::string(body.substr(0, kMax)) + "...";
  return std::string(body);
}

bool is_api_version(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size() || text.size() > 12) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i != dot && (text[i] < '0' || text[i] > '9')) return false;
  }
  return true;
}

int compare_api_versions(std::string_view a, std::string_view b) {
  auto next = [](std::string_view& s) {
    std::uint64_t v = 0;
    auto dot = s.find('.');
    std::string_view part = s.substr(0, dot);
    std::from_chars(part.data(), part.data() + part.size(), v);
    s = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    return v;
  };
  while (!a.empty() || !b.empty()) {
    const auto x = next(a), y = next(b);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

}  // namespace ecs::dockerapi
