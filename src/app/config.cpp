#include "app/config.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "app/environment_variables.h"
#include "core/error_category.h"
#include "engine/host_ports.h"
#include "engine/registry_auth.h"
#include "platform/paths.h"

namespace ecs::app {

namespace {

class ConfigCategory : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "config"; }
  std::string message(int ev) const override {
    switch (static_cast<ConfigErrc>(ev)) {
      case ConfigErrc::invalid_value:
        return "invalid configuration value";
      case ConfigErrc::bad_file:
        return "unusable configuration file";
    }
    return "configuration error";
  }
};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

Error invalid(std::string_view name, std::string_view value, std::string_view expected) {
  return make_error(ConfigErrc::invalid_value,
                    std::string(name) + "=\"" + std::string(value) + "\": expected " + std::string(expected));
}

// The merged view: environment first, then the file.
class Source {
 public:
  Source(const EnvLookup& env, const std::map<std::string, std::string, std::less<>>& file)
      : env_(env), file_(file) {}
  std::optional<std::string> get(std::string_view name) const {
    if (auto v = env_(name)) return v;
    if (auto it = file_.find(name); it != file_.end()) return it->second;
    return std::nullopt;
  }
  // Set and not empty (an empty value means "unset", as for the reference's env parsing).
  std::optional<std::string> value(std::string_view name) const {
    auto v = get(name);
    if (!v || trim(*v).empty()) return std::nullopt;
    return std::string(trim(*v));
  }

 private:
  const EnvLookup& env_;
  const std::map<std::string, std::string, std::less<>>& file_;
};

Result<void> read_bool(const Source& src, std::string_view name, bool& out) {
  auto v = src.value(name);
  if (!v) return {};
  auto b = parse_go_bool(*v);
  if (!b) return invalid(name, *v, "a boolean (true or false)");
  out = *b;
  return {};
}

Result<void> read_addr(const Source& src, std::string_view name, HostPort& out) {
  auto v = src.value(name);
  if (!v) return {};
  auto hp = parse_host_port(*v, name);
  if (!hp) return invalid(name, *v, "host:port, e.g. 127.0.0.1:51678 (" + hp.error().message + ")");
  if (hp->port == 0) return invalid(name, *v, "a port between 1 and 65535");
  out = *hp;
  return {};
}

}  // namespace

const boost::system::error_category& config_category() {
  static const ConfigCategory category;
  return category;
}

error_code make_error_code(ConfigErrc e) { return {static_cast<int>(e), config_category()}; }

std::optional<bool> parse_go_bool(std::string_view t) {
  if (t == "1" || t == "t" || t == "T" || t == "TRUE" || t == "true" || t == "True") return true;
  if (t == "0" || t == "f" || t == "F" || t == "FALSE" || t == "false" || t == "False") return false;
  return std::nullopt;
}

Result<std::vector<std::pair<std::string, std::string>>> parse_config_file(std::string_view text,
                                                                           std::string_view path) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto end = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() + 1 : end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string_view stripped = trim(line);
    if (stripped.empty() || stripped.front() == '#') continue;
    const auto eq = line.find('=');
    const std::string_view key = eq == std::string_view::npos ? stripped : trim(line.substr(0, eq));
    const bool key_ok = !key.empty() && key.find_first_of(" \t") == std::string_view::npos;
    if (eq == std::string_view::npos || !key_ok) {
      return make_error(ConfigErrc::bad_file, std::string(path) + ":" + std::to_string(line_no) +
                                                  ": expected KEY=VALUE, got \"" + std::string(stripped) +
                                                  "\"");
    }
    out.emplace_back(std::string(key), std::string(line.substr(eq + 1)));
  }
  return out;
}

Result<LoadedConfig> load_config(const EnvLookup& env, const FileReader& read_file) {
  LoadedConfig loaded;
  AgentConfig& c = loaded.config;

  // The file.
  std::map<std::string, std::string, std::less<>> file_values;
  const auto explicit_path = env("ECS_CONFIG_FILE");
  const std::string path =
      explicit_path && !explicit_path->empty() ? *explicit_path : platform::default_paths().config_file;
  auto text = read_file(path);
  if (!text)
    return make_error(ConfigErrc::bad_file,
                      "ECS_CONFIG_FILE: cannot read " + path + ": " + text.error().message);
  if (!*text && explicit_path && !explicit_path->empty()) {
    return make_error(ConfigErrc::bad_file, "ECS_CONFIG_FILE=\"" + path + "\": no such file");
  }
  if (*text) {
    auto pairs = parse_config_file(**text, path);
    if (!pairs) return pairs.error();
    for (auto& [k, v] : *pairs) file_values[k] = v;  // the last one wins
    c.config_file = path;
    for (const auto& [k, v] : file_values) {
      if (env(k)) {
        c.overridden_in_file.push_back(k);
      } else {
        loaded.from_file.emplace_back(k, v);
      }
    }
  }
  const Source src(env, file_values);
  c.data_dir = platform::default_paths().data_dir;
  c.docker_host = platform::default_paths().docker_host;
  c.env = layered_environment(env, map_environment(file_values));

  if (auto v = src.value("ECS_CLUSTER")) c.cluster = *v;
  if (auto v = src.value("AWS_REGION")) {
    c.region = *v;
  } else if (auto d = src.value("AWS_DEFAULT_REGION")) {
    c.region = *d;
  }
  if (!c.region.empty() &&
      c.region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return invalid(src.value("AWS_REGION") ? "AWS_REGION" : "AWS_DEFAULT_REGION", c.region,
                   "a region name such as us-west-2");
  }
  if (auto v = src.value("ECS_BACKEND_HOST")) {
    c.backend_host = v->find("://") == std::string::npos ? "https://" + *v : *v;
    if (!c.backend_host.starts_with("https://") && !c.backend_host.starts_with("http://")) {
      return invalid("ECS_BACKEND_HOST", *v, "a host name or an http(s):// URL");
    }
  }
  const auto data_dir = src.value("ECS_DATADIR");
  if (data_dir) c.data_dir = *data_dir;
  c.checkpoint = data_dir.has_value();  // the reference's rule: an explicit ECS_CHECKPOINT wins
  if (auto r = read_bool(src, "ECS_CHECKPOINT", c.checkpoint); !r) return r.error();
  if (auto v = src.value("ECS_LOGLEVEL")) {
    if (!log::parse_level(*v, c.log_level))
      return invalid("ECS_LOGLEVEL", *v, "one of debug, info, warn, error, crit, none");
  }
  if (auto v = src.value("ECS_LOG_OUTPUT_FORMAT")) {
    if (*v == "logfmt") {
      c.log_format = log::Format::logfmt;
    } else if (*v == "json") {
      c.log_format = log::Format::json;
    } else {
      return invalid("ECS_LOG_OUTPUT_FORMAT", *v, "logfmt or json");
    }
  }
  if (auto v = src.value("ECS_LOGFILE")) c.log_file = *v;
  if (auto v = src.value("DOCKER_HOST")) {
    if (!v->starts_with("unix://") && !v->starts_with("tcp://") && !v->starts_with("npipe://")) {
      return invalid("DOCKER_HOST", *v, "unix:///path, tcp://host:port or npipe:////./pipe/name");
    }
    c.docker_host = *v;
  }
  if (auto r = read_bool(src, "ECS_UPDATES_ENABLED", c.updates_enabled); !r) return r.error();
  if (auto r = read_bool(src, "ECS_SHARED_VOLUME_MATCH_FULL_CONFIG", c.shared_volume_match_full_config); !r)
    return r.error();
  if (auto r = read_bool(src, "ECS_ENABLE_CONTAINER_METADATA", c.container_metadata); !r) return r.error();
  if (auto v = src.value("ECS_HOST_DATA_DIR")) {
    if (!v->empty() && !v->starts_with("/")) {
      return invalid("ECS_HOST_DATA_DIR", *v, "an absolute path (the host's path of ECS_DATADIR's mount)");
    }
    c.host_data_dir = *v;
  }
  if (auto v = src.value("ECS_IMAGE_PULL_BEHAVIOR")) {
    if (*v != "default" && *v != "always" && *v != "once" && *v != "prefer-cached") {
      return invalid("ECS_IMAGE_PULL_BEHAVIOR", *v, "default, always, once or prefer-cached");
    }
    c.image_pull_behavior = *v;
  }
  if (auto v = src.value("ECS_CONTAINER_STOP_TIMEOUT")) {
    auto d = parse_go_duration(*v);
    if (!d) return invalid("ECS_CONTAINER_STOP_TIMEOUT", *v, "a duration such as 30s or 2m");
    c.container_stop_timeout = std::max<std::chrono::nanoseconds>(*d, std::chrono::seconds(1));
  }
  if (auto v = src.value("ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION")) {
    auto d = parse_go_duration(*v);
    if (!d) return invalid("ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION", *v, "a duration such as 3h or 10m");
    // The reference's rule: below one second means the default.
    c.task_cleanup_wait = *d < std::chrono::seconds(1) ? std::chrono::hours(3) : *d;
  }
  if (auto v = src.value("ECS_DYNAMIC_HOST_PORT_RANGE")) {
    if (!engine::parse_port_range(*v)) {
      return invalid("ECS_DYNAMIC_HOST_PORT_RANGE", *v, "first-last, 1 <= first <= last <= 65535");
    }
    c.dynamic_host_port_range = *v;
  }
  if (auto v = src.value("ECS_ENGINE_AUTH_TYPE")) {
    if (*v != "docker" && *v != "dockercfg")
      return invalid("ECS_ENGINE_AUTH_TYPE", *v, "docker or dockercfg");
    c.engine_auth_type = *v;
  }
  if (auto v = src.value("ECS_ENGINE_AUTH_DATA")) {
    c.engine_auth_data = *v;
    // Pulls with credentials the operator meant to give are not silently anonymous: bad data (or
    // data without a type) stops the agent, with an error that never quotes the data.
    auto auth = engine::StaticRegistryAuth::parse(c.engine_auth_type, c.engine_auth_data);
    if (!auth) return make_error(ConfigErrc::invalid_value, auth.error().message);
    c.registry_auth = std::move(*auth);
  }
  if (auto r = read_addr(src, "ECS_INTROSPECTION_ADDR", c.introspection_addr); !r) return r.error();
  if (auto r = read_addr(src, "ECS_CREDENTIALS_ADDR", c.credentials_addr); !r) return r.error();
  if (auto r = read_bool(src, "AWS_EC2_METADATA_DISABLED", c.imds_disabled); !r) return r.error();
  if (auto v = src.value("AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
    if (!v->starts_with("http://") && !v->starts_with("https://")) {
      return invalid("AWS_EC2_METADATA_SERVICE_ENDPOINT", *v, "an http:// or https:// URL");
    }
  }
  if (auto v = src.value("AWS_SHARED_CREDENTIALS_FILE")) c.shared_credentials_file = *v;
  if (auto v = src.value("AWS_PROFILE")) c.profile = *v;
  // The agent's own credentials are validated where they are used: both halves or neither.
  const bool has_key = src.value("AWS_ACCESS_KEY_ID").has_value();
  const bool has_secret = src.value("AWS_SECRET_ACCESS_KEY").has_value();
  if (has_key != has_secret) {
    return make_error(ConfigErrc::invalid_value,
                      has_key ? "AWS_SECRET_ACCESS_KEY: expected with AWS_ACCESS_KEY_ID (both or neither)"
                              : "AWS_ACCESS_KEY_ID: expected with AWS_SECRET_ACCESS_KEY (both or neither)");
  }
  return loaded;
}

FileReader real_file_reader() {
  return [](const std::string& path) -> Result<std::optional<std::string>> {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::optional<std::string>();
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ConfigErrc::bad_file, "cannot open " + path);
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) return make_error(ConfigErrc::bad_file, "cannot read " + path);
    return std::optional<std::string>(s.str());
  };
}

std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  // Go's time.ParseDuration for the forms configs use: 30s, 1h30m, 1.5h, 250ms, 0.
  if (text == "0") return std::chrono::nanoseconds(0);
  if (text.empty()) return std::nullopt;
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (start == i) return std::nullopt;
    const double number = std::strtod(std::string(text.substr(start, i - start)).c_str(), nullptr);
    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit == "ns")
      scale = 1;
    else if (unit == "us" || unit == "µs")
      scale = 1e3;
    else if (unit == "ms")
      scale = 1e6;
    else if (unit == "s")
      scale = 1e9;
    else if (unit == "m")
      scale = 60e9;
    else if (unit == "h")
      scale = 3600e9;
    else
      return std::nullopt;
    total += number * scale;
  }
  if (total > 9.2e18) return std::nullopt;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(total));
}

std::string value_in_effect(const AgentConfig& c, std::string_view name) {
  auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
  if (name == "ECS_CLUSTER") return c.cluster;
  if (name == "AWS_REGION" || name == "AWS_DEFAULT_REGION") {
    return c.region.empty() ? "(from instance metadata)" : c.region;
  }
  if (name == "ECS_BACKEND_HOST") return c.backend_host.empty() ? "(regional endpoint)" : c.backend_host;
  if (name == "ECS_DATADIR") return c.data_dir;
  if (name == "ECS_CHECKPOINT") return flag(c.checkpoint);
  if (name == "ECS_LOGLEVEL") return std::string(log::level_name(c.log_level));
  if (name == "ECS_LOG_OUTPUT_FORMAT") return c.log_format == log::Format::json ? "json" : "logfmt";
  if (name == "ECS_LOGFILE") return c.log_file;
  if (name == "DOCKER_HOST") return c.docker_host;
  if (name == "ECS_UPDATES_ENABLED") return flag(c.updates_enabled);
  if (name == "ECS_SHARED_VOLUME_MATCH_FULL_CONFIG") return flag(c.shared_volume_match_full_config);
  if (name == "ECS_ENABLE_CONTAINER_METADATA") return flag(c.container_metadata);
  if (name == "ECS_HOST_DATA_DIR")
    return c.host_data_dir.empty() ? "(ECS_DATADIR as it is)" : c.host_data_dir;
  if (name == "ECS_IMAGE_PULL_BEHAVIOR") return c.image_pull_behavior;
  if (name == "ECS_INTROSPECTION_ADDR") return c.introspection_addr.to_string();
  if (name == "ECS_CREDENTIALS_ADDR") return c.credentials_addr.to_string();
  if (name == "AWS_EC2_METADATA_DISABLED") return flag(c.imds_disabled);
  if (name == "ECS_CONFIG_FILE") return c.config_file.empty() ? "(none)" : c.config_file;
  if (name == "AWS_PROFILE") return c.profile;
  const EnvironmentVariable* listed = find_environment_variable(name);
  const auto v = env_value(c.env, name);
  if (listed != nullptr && listed->secret) return v ? "(set)" : "";
  if (v) return *v;
  return listed != nullptr && !listed->default_value.empty()
             ? "(default: " + std::string(listed->default_value) + ")"
             : "";
}

}  // namespace ecs::app
