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
  if (auto state = r.get_object(*obj, "State")) {
    r.get(*state, "Status", c.state.status);
    r.get(*state, "Running", c.state.running);
    r.get(*state, "Paused", c.state.paused);
    r.get(*state, "Restarting", c.state.restarting);
    r.get(*state, "Pid", c.state.pid);
    r.get(*state, "ExitCode", c.state.exit_code);
  }
  return r.finish(std::move(c));
}

Result<ImageInspect> parse_image_inspect(std::string_view body) {
  Reader r("inspect image");
  auto obj = r.parse(body);
  if (!obj) return obj.error();
  ImageInspect i;
  r.get(*obj, "Id", i.id);
  return r.finish(std::move(i));
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
