#include "app/environment_variables.h"

#include <string>

namespace ecs::app {
namespace {

// Sorted by name. Each is read from the environment first, then from the config file.
constexpr EnvironmentVariable kVariables[] = {
    {"AWS_ACCESS_KEY_ID", "",
     "the agent's own credentials (with AWS_SECRET_ACCESS_KEY); else the chain goes on"},
    {"AWS_CA_BUNDLE", "",
     "PEM file of CA certificates trusted in addition to the bundle built into the binary"},
    {"AWS_DEFAULT_REGION", "", "region, when AWS_REGION is not set; else from the instance metadata"},
    {"AWS_EC2_METADATA_DISABLED", "false", "true: never ask the instance metadata service"},
    {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254", "instance metadata service URL"},
    {"AWS_REGION", "", "region of the ECS endpoints"},
    {"AWS_PROFILE", "default", "profile read from AWS_SHARED_CREDENTIALS_FILE"},
    {"AWS_SECRET_ACCESS_KEY", "", "secret of AWS_ACCESS_KEY_ID (never logged)", true},
    {"AWS_SESSION_TOKEN", "", "session token of temporary credentials (never logged)", true},
    {"AWS_SHARED_CREDENTIALS_FILE", "",
     "INI credentials file ([profile] aws_access_key_id, ...) tried after the environment"},
    {"DOCKER_HOST", "unix:///var/run/docker.sock (Windows: npipe:////./pipe/docker_engine)",
     "Docker Engine endpoint: unix://, tcp:// or npipe://"},
    {"ECS_AGENT_HEALTHCHECK_HOST", "host of ECS_INTROSPECTION_ADDR", "host that --healthcheck probes"},
    {"ECS_BACKEND_HOST", "", "ECS API endpoint override (https:// is added without a scheme)"},
    {"ECS_CHECKPOINT", "true iff ECS_DATADIR is set", "keep state in ECS_DATADIR across restarts"},
    {"ECS_CLUSTER", "default", "cluster to register in (name or ARN)"},
    {"ECS_CONFIG_FILE", "/etc/ecs/ecs.config (Windows: C:\\ProgramData\\Amazon\\ECS\\ecs.config)",
     "KEY=VALUE file read after the environment"},
    {"ECS_CONTAINER_STOP_TIMEOUT", "30s",
     "grace between SIGTERM and SIGKILL when the agent stops a container"},
    {"ECS_CREDENTIALS_ADDR", "127.0.0.1:51679", "host:port of the task credentials endpoint"},
    {"ECS_DATADIR", "/data/ (Windows: C:\\ProgramData\\Amazon\\ECS\\data)", "directory of the durable state"},
    {"ECS_DYNAMIC_HOST_PORT_RANGE", "the kernel's ip_local_port_range (else 49153-65535)",
     "first-last: host ports the agent picks for hostPort 0 and containerPortRange mappings"},
    {"ECS_ENABLE_CONTAINER_METADATA", "false",
     "write ecs-container-metadata.json for each container (ECS_CONTAINER_METADATA_FILE names it)"},
    {"ECS_ENGINE_AUTH_DATA", "",
     "registry credentials as JSON, in the ECS_ENGINE_AUTH_TYPE format (never logged)", true},
    {"ECS_ENGINE_AUTH_TYPE", "",
     "docker ({registry: {username, password}}) or dockercfg ({registry: {auth}})"},
    {"ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION", "3h",
     "how long a stopped task's containers are kept (removed only once ECS knows it stopped)"},
    {"ECS_HOST_DATA_DIR", "ECS_DATADIR's own path",
     "host path the data directory's mount comes from, when the agent runs in a container (e.g. "
     "/var/lib/ecs)"},
    {"ECS_IMAGE_PULL_BEHAVIOR", "default", "default, always, once or prefer-cached"},
    {"ECS_INTROSPECTION_ADDR", "127.0.0.1:51678",
     "host:port of the introspection server (probed by --healthcheck)"},
    {"ECS_LOGFILE", "", "also log to this file (appended)"},
    {"ECS_LOGLEVEL", "info", "debug, info, warn, error, crit or none"},
    {"ECS_LOG_OUTPUT_FORMAT", "logfmt", "logfmt or json (one JSON object per line)"},
    {"ECS_SHARED_VOLUME_MATCH_FULL_CONFIG", "false",
     "an existing shared volume a task autoprovisions must have its labels and driver options"},
    {"ECS_UPDATES_ENABLED", "false", "accept agent updates from ACS (otherwise they are refused)"},
    {"HTTPS_PROXY", "", "proxy for HTTPS and websocket connections (also https_proxy)"},
    {"HTTP_PROXY", "", "proxy for HTTP connections (also http_proxy)"},
    {"NO_PROXY", "", "hosts reached without a proxy (also no_proxy)"},
};

}  // namespace

std::span<const EnvironmentVariable> environment_variables() { return kVariables; }

const EnvironmentVariable* find_environment_variable(std::string_view name) {
  for (const auto& v : kVariables) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

std::string environment_variables_markdown() {
  // Appends only: GCC 12 warns (-Wrestrict, a known false positive) on "x" + std::string(...).
  std::string out = "| variable | default | meaning |\n|---|---|---|\n";
  for (const auto& v : kVariables) {
    out.append("| `").append(v.name).append("` | ");
    if (v.default_value.empty()) {
      out.append("—");
    } else {
      out.append("`").append(v.default_value).append("`");
    }
    out.append(" | ").append(v.meaning).append(" |\n");
  }
  return out;
}
}  // namespace ecs::app
