// The task domain model (task-engine.md §1): a task as the engine runs it, its containers and
// volumes, the definition ACS sent and what the agent has learned since (Docker ids, statuses,
// exit codes, port bindings, timestamps). Plain values: the engine owns the live copies, the
// state store persists them (state/task_codec), handlers/task_from_acs makes them from the wire.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "task/managed_agent.h"
#include "task/status.h"

namespace ecs::task {

using TimePoint = std::chrono::system_clock::time_point;

struct PortMapping {
  std::uint16_t container_port = 0;
  std::uint16_t host_port = 0;       // 0: the agent picks one (dynamic)
  std::string protocol = "tcp";      // tcp / udp
  std::string container_port_range;  // "a-b" instead of container_port
  bool operator==(const PortMapping&) const = default;
};

struct MountPoint {
  std::string source_volume;
  std::string container_path;
  bool read_only = false;
  bool operator==(const MountPoint&) const = default;
};

struct VolumeFrom {
  std::string source_container;
  bool read_only = false;
  bool operator==(const VolumeFrom&) const = default;
};

// dependsOn entries, explicit and implicit (§3.2). Conditions: START, COMPLETE, SUCCESS, HEALTHY
// and the internal CREATE; anything else never resolves.
struct DependsOn {
  std::string container_name;
  std::string condition;
  bool operator==(const DependsOn&) const = default;
};

// A port Docker bound, from inspect's NetworkSettings.Ports.
struct PortBinding {
  std::uint16_t container_port = 0;
  std::uint16_t host_port = 0;
  std::string bind_ip;
  std::string protocol = "tcp";
  bool operator==(const PortBinding&) const = default;
};

// The three JSON strings ACS pre-renders from the task definition (§1.1).
struct DockerConfig {
  std::string config;
  std::string host_config;
  std::string version;
  bool operator==(const DockerConfig&) const = default;
};

struct Health {
  HealthStatus status = HealthStatus::unknown;
  TimePoint since{};
  int exit_code = 0;
  std::string output;
  bool operator==(const Health&) const = default;
};

// The last transition error: "<name>: <message>" is the container's reason (§6.2).
struct ApplyingError {
  std::string name;  // CannotPullContainerError, CannotCreateContainerError, DockerTimeoutError, ...
  std::string message;
  std::string text() const { return name + ": " + message; }
  bool operator==(const ApplyingError&) const = default;
};

struct Network {
  std::string name;  // bridge, host, none, or a user network
  std::string ipv4_address;
  std::string ipv6_address;
  bool operator==(const Network&) const = default;
};

// Registry credentials for a container's pull (§4.2): ECR or Secrets Manager.
struct RegistryAuthentication {
  std::string type;  // "ecr", "asm"
  std::string ecr_region, ecr_registry_id, ecr_endpoint_override;
  bool ecr_use_execution_role = false;
  std::string asm_credentials_parameter, asm_region;
  bool operator==(const RegistryAuthentication&) const = default;
};

struct Secret {
  std::string name;        // the variable (or log option) it becomes
  std::string value_from;  // ARN or name
  std::string provider;    // ssm / secretsmanager
  std::string region;
  std::string target;  // "" (environment) or LOG_DRIVER
  bool operator==(const Secret&) const = default;
};

struct Container {
  // What ACS defined.
  std::string name;
  std::string image;
  std::optional<std::vector<std::string>> command;  // absent: the image's
  std::optional<std::vector<std::string>> entry_point;
  std::map<std::string, std::string> environment;
  bool essential = false;
  std::vector<std::string> links;
  std::int64_t cpu = 0;     // CPU units
  std::int64_t memory = 0;  // MiB, hard limit; 0: none
  std::vector<PortMapping> ports;
  std::vector<MountPoint> mount_points;
  std::vector<VolumeFrom> volumes_from;
  DockerConfig docker_config;
  std::string health_check_type;   // "docker": Docker's health is reported and consumed
  std::int64_t start_timeout = 0;  // s; 0: unset
  std::int64_t stop_timeout = 0;   // s; 0: ECS_CONTAINER_STOP_TIMEOUT
  std::vector<DependsOn> depends_on;
  std::vector<ManagedAgent> managed_agents;
  std::optional<RegistryAuthentication> registry_authentication;
  std::vector<Secret> secrets;
  std::string logs_auth_strategy;  // "ExecutionRole"
  std::string container_arn;
  std::string v3_endpoint_id;  // the id in the metadata URIs, random, stable across restarts

  // What the agent learned.
  std::string docker_id;    // set once created
  std::string docker_name;  // chosen (and persisted) before the create
  std::string image_id;
  std::string image_digest;
  ContainerStatus desired_status = ContainerStatus::none;
  ContainerStatus known_status = ContainerStatus::none;
  ContainerStatus sent_status = ContainerStatus::none;
  std::optional<int> known_exit_code;
  std::vector<PortBinding> known_port_bindings;
  std::optional<ApplyingError> applying_error;
  TimePoint created_at{};
  TimePoint started_at{};
  TimePoint finished_at{};
  std::vector<Network> networks;
  std::map<std::string, std::string> labels;  // as Docker reports them

  // Live only (never persisted).
  ContainerStatus applied_status = ContainerStatus::none;  // a transition towards it is in flight
  Health health;

  ContainerStatus steady_state() const { return ContainerStatus::running; }
  // The reason sent to ECS: the applying error's text, if any.
  std::string reason() const { return applying_error ? applying_error->text() : std::string(); }
  // Equality of what is persisted (the live-only fields are ignored).
  bool same_record(const Container& other) const;
};

struct Volume {
  std::string name;
  std::string type = "host";  // host, docker (others are refused before they get here)
  std::string source_path;    // host: the bind source; empty: a task-scoped empty volume
  // docker volumes (and empty host volumes, which become task-scoped local volumes)
  std::string scope = "task";  // task / shared
  bool autoprovision = false;
  std::string driver;
  std::map<std::string, std::string> driver_opts;
  std::map<std::string, std::string> labels;
  std::string docker_volume_name;  // the name given to Docker (generated for task scope)
  bool created = false;            // the agent created it (task-scoped: removed at cleanup)
  bool operator==(const Volume&) const = default;
};

struct Task {
  std::string arn;
  std::string family;
  std::string version;
  std::string network_mode = "bridge";
  std::string pid_mode;
  std::string ipc_mode;
  std::string service_name;
  std::string launch_type;
  double cpu = 0;           // vCPU; 0: unset
  std::int64_t memory = 0;  // MiB; 0: unset
  std::vector<Container> containers;
  std::vector<Volume> volumes;

  TaskStatus desired_status = TaskStatus::none;
  TaskStatus known_status = TaskStatus::none;
  TaskStatus sent_status = TaskStatus::none;
  TimePoint known_time{};  // when known_status was set: STOPPED's starts the cleanup wait
  TimePoint pull_started_at{};
  TimePoint pull_stopped_at{};
  TimePoint execution_stopped_at{};
  std::string credentials_id;            // task role (the secrets stay in memory)
  std::string execution_credentials_id;  // execution role
  std::string terminal_reason;           // the STOPPED task's reason

  Container* container(std::string_view name);
  const Container* container(std::string_view name) const;
  const Volume* volume(std::string_view name) const;
  bool same_record(const Task& other) const;
};

// The last '/'-separated part of the ARN's resource: arn:...:task/cluster/ID -> ID (re-exported
// from task/managed_agent.h for the engine).

}  // namespace ecs::task
