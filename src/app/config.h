// The agent's configuration (operations.md §3): the environment first, then the config file
// (`/etc/ecs/ecs.config`, KEY=VALUE lines as ecs-init and `docker run --env-file` read them; the
// path can be changed with ECS_CONFIG_FILE), then defaults. Reference names where they exist.
//
// Unlike the reference, which logs a bad value and goes on as if it were unset, an invalid value
// stops start-up with an error naming the variable and what is expected (ConfigErrc).
//
// Everything that reads a setting reads it through AgentConfig::env, the merged view (environment,
// then file): the credentials chain, IMDS, proxies and AWS_CA_BUNDLE see exactly what ecs-init's
// environment would give them, and the process environment is never written. Every variable
// read is listed once, in app/environment_variables.cpp (--help, check-config and the README's
// table come from that list; a test fails on a variable read but not listed).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/address.h"
#include "core/environment.h"
#include "core/error.h"
#include "core/log.h"
#include "engine/registry_auth.h"

namespace ecs::app {

enum class ConfigErrc {
  invalid_value = 1,  // <VAR>="<value>": expected ...
  bad_file,           // the config file cannot be read, or a line is not KEY=VALUE
};
const boost::system::error_category& config_category();
error_code make_error_code(ConfigErrc e);

struct AgentConfig {
  std::string cluster = "default";               // ECS_CLUSTER (trimmed)
  std::string region;                            // AWS_REGION, else AWS_DEFAULT_REGION; "" = from IMDS
  std::string backend_host;                      // ECS_BACKEND_HOST, https:// added; "" = regional
  std::string data_dir;                          // ECS_DATADIR (default: the platform's)
  bool checkpoint = false;                       // ECS_CHECKPOINT; unset: true iff ECS_DATADIR is set
  log::Level log_level = log::Level::info;       // ECS_LOGLEVEL
  log::Format log_format = log::Format::logfmt;  // ECS_LOG_OUTPUT_FORMAT
  std::string log_file;                          // ECS_LOGFILE; "" = standard error only
  std::string docker_host;                       // DOCKER_HOST (default: the platform's)
  bool updates_enabled = false;                  // ECS_UPDATES_ENABLED
  std::string image_pull_behavior = "default";   // ECS_IMAGE_PULL_BEHAVIOR
  std::chrono::nanoseconds container_stop_timeout = std::chrono::seconds(30);  // ECS_CONTAINER_STOP_TIMEOUT
  std::chrono::nanoseconds task_cleanup_wait =
      std::chrono::hours(3);                        // ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION
  std::string dynamic_host_port_range;              // ECS_DYNAMIC_HOST_PORT_RANGE ("" = the kernel's)
  bool shared_volume_match_full_config = false;     // ECS_SHARED_VOLUME_MATCH_FULL_CONFIG
  bool container_metadata = false;                  // ECS_ENABLE_CONTAINER_METADATA
  std::string host_data_dir;                        // ECS_HOST_DATA_DIR ("" = ECS_DATADIR is the host's path)
  std::string engine_auth_type;                     // ECS_ENGINE_AUTH_TYPE (docker, dockercfg)
  std::string engine_auth_data;                     // ECS_ENGINE_AUTH_DATA (a secret: never logged)
  engine::StaticRegistryAuth registry_auth;         // the two above, parsed once here
  HostPort introspection_addr{"127.0.0.1", 51678};  // ECS_INTROSPECTION_ADDR
  HostPort credentials_addr{"127.0.0.1", 51679};    // ECS_CREDENTIALS_ADDR
  bool imds_disabled = false;                       // AWS_EC2_METADATA_DISABLED
  std::string shared_credentials_file;              // AWS_SHARED_CREDENTIALS_FILE
  std::string profile = "default";                  // AWS_PROFILE
  std::string config_file;                          // the file read ("" when none was)
  // Variables the config file sets that the environment overrides (the file's value is unused:
  // e.g. a systemd unit's Environment=), reported at start so an edit that seems ignored is
  // explained.
  std::vector<std::string> overridden_in_file;
  // The merged view (environment, then the file) for the parts that read their own variables.
  EnvLookup env = empty_environment();
};
// Go's duration text (30s, 1h30m, 250ms): nullopt when it is not one.
std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text);

// Reads a file: nullopt when it does not exist; an error for anything else.
using FileReader = std::function<Result<std::optional<std::string>>(const std::string& path)>;

// KEY=VALUE lines; blank lines and lines starting with '#' are skipped; the value is everything
// after the first '=', taken literally (as docker's --env-file does). Errors name path:line.
Result<std::vector<std::pair<std::string, std::string>>> parse_config_file(std::string_view text,
                                                                           std::string_view path);

// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
std::optional<bool> parse_go_bool(std::string_view text);

struct LoadedConfig {
  AgentConfig config;
  // The config file's values not overridden by the environment (what the file contributes to
  // the merged view).
  std::vector<std::pair<std::string, std::string>> from_file;
};

// Environment, then the config file (ECS_CONFIG_FILE, else the platform's default; a missing
// default file is fine, a missing file named explicitly is an error), then defaults.
Result<LoadedConfig> load_config(const EnvLookup& env, const FileReader& read_file);

// The file system.
FileReader real_file_reader();

// What check-config prints for a listed variable: the value in effect (a default says so),
// secrets as "(set)" only.
std::string value_in_effect(const AgentConfig& config, std::string_view name);

}  // namespace ecs::app

template <>
struct boost::system::is_error_code_enum<ecs::app::ConfigErrc> : std::true_type {};
