// The Docker Engine API client (exec-manager.md §6).
//
// ExecApi is what the ECS Exec manager needs (exec create/start/inspect and the container's
// process list); EngineClient implements it over a Transport and adds the container and image
// calls the tests and the task engine use. Every call has its own deadline (1 min unless given)
// and ends at once when its stop token stops. Arguments are taken by value, so an awaitable may
// be spawned and outlive the caller's temporaries (ASan caught a test doing exactly that).
//
// API version: the first call asks the daemon (GET /version) and uses the reference's rule —
// the floor 1.21, raised to the daemon's MinAPIVersion when that is higher — for every path
// prefix (/v1.21/...). Errors come out typed (DockerErrc) with the reference's texts: the
// daemon's message prefixed with "Error response from daemon: ", or for a deadline
// "Could not transition to <op>; timed out after waiting 1m0s".
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/asio.h"
#include "core/async_event.h"
#include "core/clock.h"
#include "dockerapi/errors.h"
#include "dockerapi/transport.h"
#include "dockerapi/types.h"

namespace ecs::dockerapi {

using std::chrono::nanoseconds;
inline constexpr nanoseconds kDefaultCallTimeout = std::chrono::minutes(1);

class ExecApi {
 public:
  virtual ~ExecApi() = default;
  // POST /containers/{id}/exec → the exec id.
  virtual asio::awaitable<Result<std::string>> create_exec(std::string container_id, ExecConfig config,
                                                           nanoseconds timeout, StopToken stop) = 0;
  // POST /exec/{id}/start (detached: returns once the process is launched).
  virtual asio::awaitable<Result<void>> start_exec(std::string exec_id, bool detach, bool tty,
                                                   nanoseconds timeout, StopToken stop) = 0;
  // GET /exec/{id}/json
  virtual asio::awaitable<Result<ExecInspect>> inspect_exec(std::string exec_id, nanoseconds timeout,
                                                            StopToken stop) = 0;
  // GET /containers/{id}/top
  virtual asio::awaitable<Result<TopResult>> top(std::string container_id, nanoseconds timeout,
                                                 StopToken stop) = 0;
};

// The container and image calls the task engine needs (task-engine.md §4), so that it can be
// tested against a fake daemon of its own. Same conventions as ExecApi: typed DockerErrc errors
// with the reference's texts, a deadline per call, an end at once when `stop` stops.
struct PullOptions {
  std::string registry_auth;  // the X-Registry-Auth value (base64url of the JSON AuthConfig); "": none
  nanoseconds begin = std::chrono::minutes(5);  // DockerPullBeginTimeout
  nanoseconds idle = std::chrono::minutes(1);   // ECS_IMAGE_PULL_INACTIVITY_TIMEOUT
  nanoseconds total = std::chrono::hours(2);    // ECS_IMAGE_PULL_TIMEOUT
};

class ContainerApi {
 public:
  virtual ~ContainerApi() = default;
  // GET /_ping
  virtual asio::awaitable<Result<void>> ping(nanoseconds timeout, StopToken stop) = 0;
  // POST /containers/create → the container id.
  virtual asio::awaitable<Result<std::string>> create_container(ContainerCreateConfig config,
                                                                nanoseconds timeout, StopToken stop) = 0;
  // POST /containers/{id}/start; an already started container is not an error. `api_version`
  // as ContainerCreateConfig::api_version.
  virtual asio::awaitable<Result<void>> start_container(std::string id, nanoseconds timeout, StopToken stop,
                                                        std::string api_version) = 0;
  // POST /containers/{id}/stop?t=grace; an already stopped container is not an error.
  virtual asio::awaitable<Result<void>> stop_container(std::string id, int grace_seconds, nanoseconds timeout,
                                                       StopToken stop) = 0;
  // POST /containers/{id}/kill?signal=
  virtual asio::awaitable<Result<void>> kill_container(std::string id, std::string signal,
                                                       nanoseconds timeout, StopToken stop) = 0;
  // DELETE /containers/{id}?force=&v=1
  virtual asio::awaitable<Result<void>> remove_container(std::string id, bool force, nanoseconds timeout,
                                                         StopToken stop) = 0;
  // GET /containers/{id}/json (an id or a name)
  virtual asio::awaitable<Result<ContainerInspect>> inspect_container(std::string id, nanoseconds timeout,
                                                                      StopToken stop) = 0;
  // GET /images/{name}/json
  virtual asio::awaitable<Result<ImageInspect>> inspect_image(std::string name, nanoseconds timeout,
                                                              StopToken stop) = 0;
  // POST /images/create?fromImage=&tag= (no tag: latest; never all tags), the progress stream
  // read to its end; an error message in it is DockerErrc::pull_failed.
  virtual asio::awaitable<Result<void>> pull_image(std::string image, PullOptions options,
                                                   StopToken stop) = 0;
  // POST /volumes/create: the volume (an existing one of that name and driver is returned as is).
  virtual asio::awaitable<Result<VolumeInspect>> create_volume(VolumeCreateConfig config, nanoseconds timeout,
                                                               StopToken stop) = 0;
  // GET /volumes/{name}; a volume that does not exist is DockerErrc::not_found.
  virtual asio::awaitable<Result<VolumeInspect>> inspect_volume(std::string name, nanoseconds timeout,
                                                                StopToken stop) = 0;
  // DELETE /volumes/{name}
  virtual asio::awaitable<Result<void>> remove_volume(std::string name, nanoseconds timeout,
                                                      StopToken stop) = 0;
  // GET /containers/json?all=1&filters={"label":[label]}: every container, running or not, that
  // carries `label` ("key" or "key=value").
  virtual asio::awaitable<Result<std::vector<ContainerSummary>>> list_containers(std::string label,
                                                                                 nanoseconds timeout,
                                                                                 StopToken stop) = 0;
  // GET /events for containers: each event to `on_event` as it comes, until the stream ends
  // (an error; the caller subscribes again) or `stop` stops (canceled).
  virtual asio::awaitable<Result<void>> watch_events(std::function<void(DockerEvent)> on_event,
                                                     StopToken stop) = 0;
};

struct EngineClientOptions {
  std::string min_api_version = "1.21";  // the reference's MinDockerAPIVersion on Linux
  std::size_t body_limit = kDefaultBodyLimit;
};

class EngineClient : public ExecApi, public ContainerApi {
 public:
  EngineClient(std::unique_ptr<Transport> transport, EngineClientOptions options = {});
  // From DOCKER_HOST ("" = platform default).
  static Result<std::unique_ptr<EngineClient>> from_docker_host(std::string_view docker_host,
                                                                EngineClientOptions options = {});

  asio::awaitable<Result<std::string>> create_exec(std::string container_id, ExecConfig config,
                                                   nanoseconds timeout, StopToken stop) override;
  asio::awaitable<Result<void>> start_exec(std::string exec_id, bool detach, bool tty, nanoseconds timeout,
                                           StopToken stop) override;
  asio::awaitable<Result<ExecInspect>> inspect_exec(std::string exec_id, nanoseconds timeout,
                                                    StopToken stop) override;
  asio::awaitable<Result<TopResult>> top(std::string container_id, nanoseconds timeout,
                                         StopToken stop) override;

  asio::awaitable<Result<void>> ping(nanoseconds timeout = kDefaultCallTimeout, StopToken stop = {}) override;
  asio::awaitable<Result<VersionInfo>> version(nanoseconds timeout = kDefaultCallTimeout,
                                               StopToken stop = {});
  // The API version used in paths (negotiated on first use).
  asio::awaitable<Result<std::string>> api_version(nanoseconds timeout = kDefaultCallTimeout,
                                                   StopToken stop = {});

  asio::awaitable<Result<ContainerInspect>> inspect_container(std::string id,
                                                              nanoseconds timeout = kDefaultCallTimeout,
                                                              StopToken stop = {}) override;
  asio::awaitable<Result<std::string>> create_container(ContainerCreateConfig config,
                                                        nanoseconds timeout = kDefaultCallTimeout,
                                                        StopToken stop = {}) override;
  asio::awaitable<Result<void>> start_container(std::string id, nanoseconds timeout = kDefaultCallTimeout,
                                                StopToken stop = {}, std::string api_version = {}) override;
  // Stops with `grace_seconds` before SIGKILL; an already stopped container is not an error.
  asio::awaitable<Result<void>> stop_container(std::string id, int grace_seconds,
                                               nanoseconds timeout = kDefaultCallTimeout,
                                               StopToken stop = {}) override;
  asio::awaitable<Result<void>> kill_container(std::string id, std::string signal,
                                               nanoseconds timeout = kDefaultCallTimeout,
                                               StopToken stop = {}) override;
  asio::awaitable<Result<void>> remove_container(std::string id, bool force,
                                                 nanoseconds timeout = kDefaultCallTimeout,
                                                 StopToken stop = {}) override;
  asio::awaitable<Result<ImageInspect>> inspect_image(std::string name,
                                                      nanoseconds timeout = kDefaultCallTimeout,
                                                      StopToken stop = {}) override;
  asio::awaitable<Result<void>> pull_image(std::string image, PullOptions options,
                                           StopToken stop = {}) override;
  asio::awaitable<Result<void>> watch_events(std::function<void(DockerEvent)> on_event,
                                             StopToken stop = {}) override;
  asio::awaitable<Result<VolumeInspect>> create_volume(VolumeCreateConfig config,
                                                       nanoseconds timeout = kDefaultCallTimeout,
                                                       StopToken stop = {}) override;
  asio::awaitable<Result<VolumeInspect>> inspect_volume(std::string name,
                                                        nanoseconds timeout = kDefaultCallTimeout,
                                                        StopToken stop = {}) override;
  asio::awaitable<Result<void>> remove_volume(std::string name, nanoseconds timeout = kDefaultCallTimeout,
                                              StopToken stop = {}) override;
  asio::awaitable<Result<std::vector<ContainerSummary>>> list_containers(
      std::string label, nanoseconds timeout = kDefaultCallTimeout, StopToken stop = {}) override;

 private:
  // One call: negotiate the version if needed, send, map errors. `op` names the call in the
  // timeout text; `at_least` raises the path's API version for this call. Returns the response
  // only for 2xx/3xx.
  asio::awaitable<Result<HttpResponse>> call(std::string_view op, std::string method, std::string path,
                                             std::string body, nanoseconds timeout, StopToken stop,
                                             std::string at_least = {});
  Error from_transport(const Error& error, std::string_view op, nanoseconds timeout) const;
  Error from_status(const HttpResponse& response) const;

  std::unique_ptr<Transport> transport_;
  EngineClientOptions options_;
  std::string api_version_;                  // empty until negotiated
  std::shared_ptr<AsyncEvent> negotiating_;  // set while one caller negotiates for everyone
};

}  // namespace ecs::dockerapi
