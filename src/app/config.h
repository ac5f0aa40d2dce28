// The agent's configuration (operations.md §3): the environment first, then the config file
// (`/etc/ecs/ecs.config`, KEY=VALUE lines as ecs-init and `docker run --env-file` read them; the
// path can be changed with ECS_CONFIG_FILE), then defaults. Reference names where they exist.
//
// Unlike the reference, which logs a bad value and goes on as if it were unset, an invalid value
// stops start-up with an error naming the variable and what is expected (ConfigErrc).
//
// The file's values are also exported into the process environment (never overriding a variable
// already set), so that the parts that read their own variables (credentials chain, IMDS,
// proxies, AWS_CA_BUNDLE) see the same merged view, exactly as under ecs-init.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/address.h"
#include "core/error.h"
#include "core/log.h"

namespace ecs::app {

enum class ConfigErrc {
  invalid_value = 1,  // <VAR>="<value>": expected ...
  bad_file,           // the config file cannot be read, or a line is not KEY=VALUE
};
const boost::system::error_category& config_category();
error_code make_error_code(ConfigErrc e);

inline constexpr std::string_view kDefaultConfigFile = "/etc/ecs/ecs.config";

struct AgentConfig {
  std::string cluster = "default";               // ECS_CLUSTER (trimmed)
  std::string region;                            // AWS_REGION, else AWS_DEFAULT_REGION; "" = from IMDS
  std::string backend_host;                      // ECS_BACKEND_HOST, https:// added; "" = regional
  std::string data_dir = "/data/";               // ECS_DATADIR
  bool checkpoint = false;                       // ECS_CHECKPOINT; unset: true iff ECS_DATADIR is set
  log::Level log_level = log::Level::info;       // ECS_LOGLEVEL
  log::Format log_format = log::Format::logfmt;  // ECS_LOG_OUTPUT_FORMAT
  std::string log_file;                          // ECS_LOGFILE; "" = standard error only
  std::string docker_host = "unix:///var/run/docker.sock";  // DOCKER_HOST
  bool updates_enabled = false;                             // ECS_UPDATES_ENABLED
  HostPort introspection_addr{"127.0.0.1", 51678};          // ECS_INTROSPECTION_ADDR
  HostPort credentials_addr{"127.0.0.1", 51679};            // ECS_CREDENTIALS_ADDR
  bool imds_disabled = false;                               // AWS_EC2_METADATA_DISABLED
  std::string imds_endpoint;                                // AWS_EC2_METADATA_SERVICE_ENDPOINT
  std::string ca_bundle;                                    // AWS_CA_BUNDLE
  std::string config_file;                                  // the file read ("" when none was)
};

// Reads a variable: nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
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
  // The config file's values not overridden by the environment (to export, see above).
  std::vector<std::pair<std::string, std::string>> from_file;
};

// Environment, then the config file (ECS_CONFIG_FILE, else /etc/ecs/ecs.config; a missing
// default file is fine, a missing file named explicitly is an error), then defaults.
Result<LoadedConfig> load_config(const EnvLookup& env, const FileReader& read_file);

// The process's own environment and file system.
EnvLookup process_environment();
FileReader real_file_reader();
// setenv(name, value, 0) for each pair.
void export_to_environment(const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace ecs::app

template <>
struct boost::system::is_error_code_enum<ecs::app::ConfigErrc> : std::true_type {};
