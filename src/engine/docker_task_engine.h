// The task engine (task-engine.md §0, §2, §4, §6–§8): each task ACS sends runs as Docker
// containers, its statuses reach ECS, and its record stays durable until ECS knows it stopped.
//
//  * One loop per task (a coroutine on the io thread) owns the task's statuses: Docker events,
//    the results of its Docker calls and desired-status changes all become changes in its inbox,
//    handled one at a time. Each pass asks task/transitions what every container does next and
//    starts those Docker calls (each its own coroutine under its own deadline).
//  * One /events subscription, re-opened whenever it ends, turns start/die/stop/health of the
//    containers the engine owns into changes; a steady task is also inspected every 5 min.
//  * Every change is persisted (the task record), and the Docker name is persisted before the
//    create, so that a restart finds every container (by id, or by name when the agent died
//    between the create and its answer) and never creates one twice.
//  * A STOPPED task's containers are removed ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION after it
//    stopped, and only once ECS accepted STOPPED; then its record leaves the store.
//
// Until Docker answers once, tasks are recorded and wait (the reference's engine Init).
//
// ECS Exec (task-engine.md §10, exec-manager.md §5), when set_exec() was called: an
// exec-enabled container (managedAgents holds ExecuteCommandAgent) gets the SSM agent's bind
// mounts at create (InitializeContainer; a failure is reported and the container is created
// without them), its agent started after `docker start` and before RUNNING is taken (so the
// RUNNING change carries the agent's status), the agent marked STOPPED before the container's
// STOPPED, and the task's exec logs removed at cleanup. The exec manager works on mirrors of the
// engine's containers; every state it writes is copied back into the task record and persisted.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "credentials/store.h"
#include "dockerapi/client.h"
#include "engine/container_metadata.h"
#include "engine/host_ports.h"
#include "engine/registry_auth.h"
#include "engine/task_engine.h"
#include "events/state_change.h"
#include "events/task_handler.h"
#include "execcmd/monitor.h"
#include "state/repository.h"

namespace ecs::engine {

enum class PullBehavior { default_behavior, always, once, prefer_cached };
// "default", "always", "once", "prefer-cached" (ECS_IMAGE_PULL_BEHAVIOR); nullopt otherwise.
std::optional<PullBehavior> parse_pull_behavior(std::string_view text);

struct DockerTaskEngineOptions {
  std::string cluster;
  std::string region;
  PullBehavior pull_behavior = PullBehavior::default_behavior;
  // From ECS_ENGINE_AUTH_TYPE (docker, dockercfg) and ECS_ENGINE_AUTH_DATA.
  StaticRegistryAuth registry_auth;
  std::chrono::nanoseconds stop_timeout = std::chrono::seconds(30);  // ECS_CONTAINER_STOP_TIMEOUT
  std::chrono::nanoseconds create_timeout = std::chrono::minutes(4);
  std::chrono::nanoseconds start_timeout = std::chrono::minutes(3);
  std::chrono::nanoseconds inspect_timeout = std::chrono::seconds(30);
  std::chrono::nanoseconds remove_timeout = std::chrono::minutes(5);
  std::chrono::nanoseconds volume_timeout = std::chrono::minutes(5);  // create and inspect volume
  std::chrono::nanoseconds ping_timeout = std::chrono::seconds(5);
  dockerapi::PullOptions pull;  // its deadlines; the registry auth is the engine's
  std::chrono::nanoseconds cleanup_wait = std::chrono::hours(3);  // ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION
  std::chrono::nanoseconds steady_check = std::chrono::minutes(5);
  std::chrono::nanoseconds blocked_check = std::chrono::seconds(5);
  std::chrono::nanoseconds sent_poll = std::chrono::seconds(30);
  std::chrono::nanoseconds docker_retry_min = std::chrono::seconds(1);
  std::chrono::nanoseconds docker_retry_max = std::chrono::seconds(30);
  // Pull retries (§4.2): 5 attempts, 1.1 s doubling up to 5 s, 20 % jitter; every error retried.
  int pull_attempts = 5;
  std::chrono::nanoseconds pull_retry_min = std::chrono::milliseconds(1100);
  std::chrono::nanoseconds pull_retry_max = std::chrono::seconds(5);
  // Stop retries (§4.7): 5 attempts, 1 s ×1.3 up to 5 s, 20 % jitter; No such container is final.
  int stop_attempts = 5;
  std::chrono::nanoseconds stop_retry_min = std::chrono::seconds(1);
  std::chrono::nanoseconds stop_retry_max = std::chrono::seconds(5);
  bool exclude_ipv6_port_bindings = true;  // ECS_EXCLUDE_IPV6_PORTBINDING
  // ECS_SHARED_VOLUME_MATCH_FULL_CONFIG: an existing shared volume that a task would autoprovision
  // must have the task's labels and driver options (otherwise only its name has to match).
  bool shared_volume_match_full_config = false;
  // Dynamic host ports (hostPort 0): ECS_DYNAMIC_HOST_PORT_RANGE, each candidate bind-tested.
  PortRange dynamic_host_ports;
  HostPortAllocator::Probe host_port_probe = HostPortAllocator::bind_probe;
};

class DockerTaskEngine : public TaskEngine, public events::TaskStateSource {
 public:
  DockerTaskEngine(asio::any_io_executor executor, dockerapi::ContainerApi& docker,
                   state::Repository& repository, credentials::CredentialsStore& credentials, Clock& clock,
                   Jitter& jitter, DockerTaskEngineOptions options, std::vector<task::Task> saved);
  ~DockerTaskEngine() override;

  // Where state changes go (the TaskHandler, which reads the live tasks back through this
  // engine's TaskStateSource side); set before run().
  void set_sink(events::StateChangeSink& sink) { sink_ = &sink; }
  void set_region(std::string region) { options_.region = std::move(region); }
  // The container metadata file (ECS_ENABLE_CONTAINER_METADATA), when set, and what it says
  // about the instance (known after registration).
  void set_container_metadata(ContainerMetadataFiles& files) { metadata_ = &files; }
  void set_metadata_instance(MetadataInstance instance) { metadata_instance_ = std::move(instance); }
  // ECS Exec: the monitor's hooks run at create/start/stop, the manager cleans up. The monitor is
  // built over exec_tasks(), exec_reporter() and (as the manager's store) exec_store(). Set
  // before run(); both outlive the engine's run.
  void set_exec(execcmd::Manager& manager, execcmd::Monitor& monitor) {
    exec_manager_ = &manager;
    exec_monitor_ = &monitor;
  }
  execcmd::TaskSource& exec_tasks();
  execcmd::ManagedAgentReporter& exec_reporter();
  execcmd::ManagedAgentStore& exec_store();
  // Waits for Docker, reconciles the saved tasks with it, subscribes to its events and runs every
  // task, until `stop`.
  asio::awaitable<void> run(StopToken stop);
  bool docker_ready() const { return ready_; }
  // Containers with this agent's task label that were not in its state when Docker first answered
  // (§8.4; e.g. created by an agent whose state was lost): logged and left alone - never stopped,
  // reported to ECS or removed.
  const std::vector<dockerapi::ContainerSummary>& unknown_containers() const { return unknown_; }

  // TaskEngine
  Result<void> add_task(task::Task task) override;
  void report_unrecognized_task(const std::string& task_arn, std::string reason) override;
  Result<void> set_credentials_id(const std::string& task_arn, bool execution,
                                  const std::string& credentials_id) override;
  Result<void> stop_task(const std::string& task_arn) override;
  const task::Task* find_task(const std::string& task_arn) const override;
  std::vector<const task::Task*> tasks() const override;

  // events::TaskStateSource
  task::Task* live_task(const std::string& task_arn) override;
  void persist_task(const std::string& task_arn) override;

  // The record of a change as a task loop handles it (a Docker event, a call's result, or a
  // status taken without a call). Public for the tests of the engine's rules.
  struct Change {
    std::string container = {};
    task::ContainerStatus status = task::ContainerStatus::none;
    std::optional<dockerapi::ContainerInspect> inspect = std::nullopt;
    std::string docker_id = {};
    std::optional<task::ApplyingError> error = std::nullopt;
    std::optional<int> exit_code = std::nullopt;  // a die event's, when there is no inspect
    bool from_call = false;                       // the result of a call this engine started
    bool health_only = false;                     // a health_status event: no status change
  };

 private:
  struct Managed {
    task::Task task;
    std::deque<Change> inbox;
    std::shared_ptr<StopSource> waker;  // stopped to wake the loop from its wait
    StopSource calls;                   // ends this task's Docker calls
    bool loop_started = false;
    bool restopped = false;  // a container Docker restarted behind our back was stopped again
    int in_flight = 0;
    bool removed = false;
    // ECS Exec's view of the exec-enabled containers, by name (made on first use).
    std::map<std::string, std::shared_ptr<execcmd::Container>> exec;
  };
  using ManagedPtr = std::shared_ptr<Managed>;

  void start_loop(const ManagedPtr& m);
  void post(const ManagedPtr& m, Change change);
  void wake(Managed& m);
  asio::awaitable<void> wait_for_change(ManagedPtr m, std::chrono::nanoseconds at_most);
  asio::awaitable<void> oversee(ManagedPtr m);
  asio::awaitable<void> synchronize(ManagedPtr m);
  // §1.4 step 7 / §4.8: the task's Docker volumes made (task scope, autoprovisioned shared) or
  // found (shared) before any of its containers is created; the task's stop reason on failure.
  asio::awaitable<std::optional<std::string>> provision_volumes(ManagedPtr m);
  // Starts what can start; true when something was started or taken.
  struct Progress {
    bool started = false;
    bool blocked = false;
  };
  Progress progress(const ManagedPtr& m);
  void handle_change(Managed& m, Change change);
  // §2.7 handleEventError; false when the change is undone (the previous status restored).
  bool handle_error(Managed& m, task::Container& c, const Change& change, task::ContainerStatus previous);
  void check_task_state(const ManagedPtr& m);
  void finish_transitions(Managed& m);
  void emit_container(Managed& m, const task::Container& c);
  void emit_task(Managed& m);
  void emit_current_status(Managed& m);
  void save(Managed& m);
  void apply_inspect(task::Container& c, const dockerapi::ContainerInspect& inspect);
  asio::awaitable<void> cleanup(ManagedPtr m);

  asio::awaitable<void> pull(ManagedPtr m, std::string name);
  asio::awaitable<void> create(ManagedPtr m, std::string name);
  asio::awaitable<void> start(ManagedPtr m, std::string name);
  asio::awaitable<void> stop(ManagedPtr m, std::string name);
  asio::awaitable<void> inspect_into(ManagedPtr m, std::string name, std::string id,
                                     task::ContainerStatus status);
  void spawn(const ManagedPtr& m, asio::awaitable<void> call);

  asio::awaitable<void> watch_events(StopToken stop);
  asio::awaitable<void> find_unknown_containers(StopToken stop);
  void on_docker_event(const dockerapi::DockerEvent& event);

  // ECS Exec (see the top of this file).
  class ExecSide;
  std::shared_ptr<execcmd::Container> exec_mirror(Managed& m, const task::Container& c);
  execcmd::TaskInfo exec_info(Managed& m);
  // Copies the mirror's managed-agent states into the task's container and persists the task.
  void exec_copy_back(const std::string& task_arn, const execcmd::Container& mirror);
  void exec_reported(const execcmd::ManagedAgentEvent& event);
  std::vector<execcmd::TaskInfo> exec_task_infos();

  asio::any_io_executor executor_;
  dockerapi::ContainerApi& docker_;
  state::Repository& repository_;
  credentials::CredentialsStore& credentials_;
  Clock& clock_;
  Jitter& jitter_;
  DockerTaskEngineOptions options_;
  HostPortAllocator host_ports_;
  events::StateChangeSink* sink_ = nullptr;
  std::map<std::string, ManagedPtr> tasks_;
  std::map<std::string, std::pair<std::string, std::string>> by_docker_id_;  // id → (task, container)
  std::set<std::string> oom_killed_;     // ids with an oom event whose die has not come yet
  std::set<std::string> pulled_images_;  // for `once`
  std::map<std::string, std::vector<std::string>> image_env_;  // image → its Env
  bool ready_ = false;
  std::vector<dockerapi::ContainerSummary> unknown_;
  ContainerMetadataFiles* metadata_ = nullptr;
  MetadataInstance metadata_instance_;
  MetadataInstance metadata_instance() const;
  execcmd::Manager* exec_manager_ = nullptr;
  execcmd::Monitor* exec_monitor_ = nullptr;
  std::unique_ptr<ExecSide> exec_side_;
  StopToken stop_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ecs::engine
