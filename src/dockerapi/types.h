// The Docker Engine API objects the agent sends and reads (only the fields it uses), and their
// JSON forms. Parsing follows Go's encoding/json as the reference's client does: member names
// match case-insensitively, null reads as the zero value, unknown members are ignored.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ecs::dockerapi {

struct VersionInfo {
  std::string version;          // "20.10.24"
  std::string api_version;      // "1.41"
  std::string min_api_version;  // "1.12"; empty on daemons older than API 1.25
  std::string os;
};

// POST /containers/{id}/exec, fields in the Go client's order (exec-manager.md §6.2).
struct ExecConfig {
  std::string user;
  bool privileged = false;
  bool tty = false;
  bool attach_stdin = false;
  bool attach_stderr = false;
  bool attach_stdout = false;
  bool detach = false;
  std::string detach_keys;
  std::optional<std::vector<std::string>> env;  // absent is written as null
  std::string working_dir;
  std::vector<std::string> cmd;
};

struct ExecInspect {
  std::string id;
  std::string container_id;
  bool running = false;
  std::int64_t exit_code = 0;  // null while running reads as 0
  std::int64_t pid = 0;
};

struct ContainerHealth {
  std::string status;  // starting, healthy, unhealthy
  std::string last_output;
  std::int64_t last_exit_code = 0;
};

struct ContainerState {
  std::string status;  // created, running, exited...
  bool running = false;
  bool paused = false;
  bool restarting = false;
  bool oom_killed = false;
  bool dead = false;
  std::int64_t pid = 0;
  std::int64_t exit_code = 0;
  std::string error;
  std::string started_at;   // RFC 3339; "0001-01-01T00:00:00Z" when never started
  std::string finished_at;  // likewise
  std::optional<ContainerHealth> health;
};

// One host binding of NetworkSettings.Ports ("80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "32768"}]).
struct InspectPortBinding {
  std::uint16_t container_port = 0;
  std::string protocol;  // tcp, udp
  std::string host_ip;
  std::uint16_t host_port = 0;
};

struct InspectNetwork {
  std::string name;
  std::string ipv4_address;
  std::string ipv6_address;
};

struct ContainerInspect {
  std::string id;
  std::string name;   // with the leading '/'
  std::string image;  // the image id (sha256:...)
  std::string created;
  ContainerState state;
  std::vector<std::string> exec_ids;  // null reads as empty
  std::map<std::string, std::string> labels;
  std::vector<InspectPortBinding> ports;
  std::vector<InspectNetwork> networks;
};

// POST /containers/create: what the tests and the task engine need.
struct ContainerCreateConfig {
  std::string name;  // optional
  std::string image;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // KEY=VALUE
  std::map<std::string, std::string> labels;
  std::vector<std::string> binds;  // host:container[:ro]
  std::string network_mode;        // e.g. none
  // The whole body as the task engine builds it (Config with HostConfig, dockerConfig merged
  // in); when set, the typed fields above but `name` are not used.
  std::string body_json;
  // The container's dockerConfig.version: the call uses this API version when it is above the
  // client's own (the reference's max(version, min)); empty: the client's.
  std::string api_version;
};

struct ImageInspect {
  std::string id;
  std::vector<std::string> repo_tags;
  std::vector<std::string> repo_digests;
  std::vector<std::string> env;  // the image's Config.Env
};

// POST /volumes/create (Name, Driver, DriverOpts, Labels); an empty driver is Docker's "local".
struct VolumeCreateConfig {
  std::string name;
  std::string driver;
  std::map<std::string, std::string> driver_opts;
  std::map<std::string, std::string> labels;
};

// GET /volumes/{name} (and the answer of a create).
struct VolumeInspect {
  std::string name;
  std::string driver;
  std::string mountpoint;
  std::map<std::string, std::string> options;  // the driver options it was created with
  std::map<std::string, std::string> labels;
};

// One message of GET /events (Action and Actor, as recent daemons send them).
struct DockerEvent {
  std::string type;    // container, image, network...
  std::string action;  // create, start, die, stop, oom, "health_status: healthy", "exec_start: sh"...
  std::string id;      // Actor.ID
  std::map<std::string, std::string> attributes;  // Actor.Attributes (exitCode, name, image, labels)
  std::int64_t time_nano = 0;
};

// A progress message of POST /images/create; `error` set when the pull failed.
struct PullProgress {
  std::string status;
  std::string error;
};

// An image reference split the way the pull API wants it: busybox → (busybox, latest);
// host:5000/a/b:t → (host:5000/a/b, t); a@sha256:… → (a, sha256:…).
struct ImageReference {
  std::string repository;
  std::string tag;  // a tag or a digest
  bool by_digest = false;
};
ImageReference parse_image_reference(std::string_view image);

// One row of GET /containers/json.
struct ContainerSummary {
  std::string id;
  std::string name;   // the first of Names, without its leading '/'
  std::string state;  // created, running, exited, ...
  std::map<std::string, std::string> labels;
};

// GET /containers/{id}/top: `ps` output on the daemon's host, one row per process.
struct TopResult {
  std::vector<std::string> titles;
  std::vector<std::vector<std::string>> processes;
};

std::string encode_exec_config(const ExecConfig& config);  // with Go's trailing newline
std::string encode_exec_start(bool detach, bool tty);
std::string encode_container_create(const ContainerCreateConfig& config);

// Each returns DockerErrc::malformed_response naming `what` when the body is not the JSON object
// expected.
Result<VersionInfo> parse_version(std::string_view body);
Result<std::string> parse_id(std::string_view body, std::string_view what);  // {"Id": "..."}
Result<ExecInspect> parse_exec_inspect(std::string_view body);
Result<ContainerInspect> parse_container_inspect(std::string_view body);
Result<ImageInspect> parse_image_inspect(std::string_view body);
Result<VolumeInspect> parse_volume_inspect(std::string_view body);
std::string volume_create_body(const VolumeCreateConfig& config);
Result<TopResult> parse_top(std::string_view body);
Result<std::vector<ContainerSummary>> parse_container_list(std::string_view body);  // a JSON array
Result<DockerEvent> parse_event(std::string_view line);
Result<PullProgress> parse_pull_progress(std::string_view line);
// The daemon's error text: the JSON `message` when there is one, else the body itself (trimmed).
std::string parse_error_message(std::string_view body, bool json);

// "1.41" > "1.9": dotted decimal comparison (-1, 0, 1).
int compare_api_versions(std::string_view a, std::string_view b);
// "MAJOR.MINOR" in decimal digits, as Docker's API versions are written.
bool is_api_version(std::string_view text);

}  // namespace ecs::dockerapi
