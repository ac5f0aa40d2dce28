// The ECS Exec command-agent manager (exec-manager.md §3–§4): prepares a container for the SSM
// agent (InitializeContainer), starts it through Docker exec (StartAgent, idempotent) and
// restarts it when it died (RestartAgentIfStopped). Exact to the reference where it works; its
// known faults are fixed, each marked "Deviation" below and in the README:
//
//  * An exec record Docker has dropped (inspect answers 404: garbage-collected 5-10 min after the
//    agent exited, or lost in a dockerd restart) is read as "not running" and the agent is
//    restarted — unless the container's process list still shows the stored PID running the
//    agent's command (dockerd restarted with live-restore), which counts as running. The
//    reference reports Unknown for ever instead.
//  * Starts and restarts of one container are serialised (Container::exec_lock), so two
//    concurrent starts cannot launch two agents.
//  * A stop token that fires before the first attempt gives a cancellation error (the reference
//    dereferences a null result and crashes); the waits between attempts end at once on stop.
//  * A failed start is retried by the monitor with backoff (monitor.h), not never again.
//
// Host-side and agent-side directory roots are configuration (Paths), so tests run the whole
// thing in a temporary directory; time, jitter, UUIDs and the file system are injected.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/environment.h"
#include "dockerapi/client.h"
#include "execcmd/filesystem.h"
#include "execcmd/model.h"

namespace ecs::execcmd {

enum class Platform { linux, windows };

// Where things are (exec-manager.md §2.3/§2.4). The agent view is where this process reads and
// writes; the host view is what goes into bind mounts. They differ when the agent runs in a
// container (ecs-init mounts /var/lib/ecs/deps at /managed-agents).
struct Paths {
  Platform platform = Platform::linux;
  std::string host_deps_dir = "/var/lib/ecs/deps/execute-command";
  std::string agent_deps_dir = "/managed-agents/execute-command";
  std::string host_log_dir = "/var/log/ecs/exec";
  std::string agent_log_dir = "/log/exec";
  std::string host_bin_dir;  // "" = host_deps_dir/bin (NewManagerWithBinDir overrides only this)
  // Windows only: the SSM install directory in the container and the host's plugins directory.
  std::string windows_container_deps_dir = "C:\\Program Files\\Amazon\\SSM";
  std::string windows_container_log_dir = "C:\\ProgramData\\Amazon\\SSM";

  // §2.4, from ProgramFiles/ProgramData as `env` gives them.
  static Paths windows_defaults(const EnvLookup& env);

  char separator() const { return platform == Platform::windows ? '\\' : '/'; }
  std::string join(std::string_view a, std::string_view b) const;
  std::string host_bin() const;
  std::string host_config_dir() const;
  std::string host_cert_file() const;
  std::string agent_bin_dir() const;
  std::string agent_config_dir() const;
  std::string agent_cert_file() const;
};

// exec-manager.md §2.1.
struct Timing {
  std::chrono::nanoseconds retry_min_delay = std::chrono::seconds(1);
  std::chrono::nanoseconds retry_max_delay = std::chrono::seconds(30);
  double retry_multiplier = 1.5;
  double retry_jitter = 0.2;
  int max_attempts = 5;
  std::chrono::nanoseconds start_retry_timeout = std::chrono::minutes(10);
  std::chrono::nanoseconds inspect_retry_timeout = std::chrono::minutes(2);
  std::chrono::nanoseconds call_timeout = std::chrono::minutes(1);  // exec create/start/inspect
};

// Where state changes go so that a restarted agent finds them (the runtime's durable store).
class ManagedAgentStore {
 public:
  virtual ~ManagedAgentStore() = default;
  virtual Result<void> save(const std::string& task_arn, const Container& container) = 0;
};

struct ManagerOptions {
  Paths paths;
  Timing timing;
  bool instance_ipv6_only = false;  // the instance's IP compatibility (for UseDualStackEndpoint)
  // Seams the reference's tests replace (GetExecAgentConfigFileName / GetExecAgentLogConfigFile):
  // given the rendered content, ensure the file and return its name. Defaults: the real ones.
  std::function<Result<std::string>(std::string_view content)> agent_config_file;
  std::function<Result<std::string>(std::string_view content)> log_config_file;
  std::function<std::string()> new_uuid;  // default: random v4
};

struct RestartResult {
  RestartStatus status = RestartStatus::not_restarted;
  std::optional<Error> error;
};

class Manager {
 public:
  Manager(ManagerOptions options, FileSystem& fs, Clock& clock, Jitter& jitter,
          ManagedAgentStore* store = nullptr);
  Manager(const Manager&) = delete;  // the default file generators refer to this object
  Manager& operator=(const Manager&) = delete;

  const ManagerOptions& options() const { return options_; }

  // Appends the SSM agent's bind mounts to `binds` (nothing on error) and records the agent's
  // new ID; on error records {InitFailed, STOPPED, Reason}.
  Result<void> initialize_container(const TaskInfo& task, Container& container,
                                    std::vector<std::string>& binds);

  // Starts the agent unless the one recorded is still running.
  asio::awaitable<Result<void>> start_agent(dockerapi::ExecApi& docker, TaskInfo task,
                                            std::shared_ptr<Container> container, std::string container_id,
                                            StopToken stop = {});

  asio::awaitable<RestartResult> restart_agent_if_stopped(dockerapi::ExecApi& docker, TaskInfo task,
                                                          std::shared_ptr<Container> container,
                                                          std::string container_id, StopToken stop = {});

  // Task cleanup: removes the task's exec log directory (<agent log dir>/<task id>).
  Result<void> cleanup_task(const TaskInfo& task);

  // The pieces, public for tests (the reference tests them one by one).
  Result<std::string> latest_versioned_host_bin_dir();
  Result<bool> use_dual_stack_endpoint(const TaskInfo& task) const;  // error: awsvpc without an ENI
  std::string exec_command(const ManagedAgentState& state) const;    // the in-container binary
  std::string exec_user() const;
  // One attempt: create, start, inspect.
  asio::awaitable<Result<AgentMetadata>> do_start_agent(dockerapi::ExecApi& docker,
                                                        const std::string& container_id,
                                                        const ManagedAgentState& state,
                                                        std::chrono::steady_clock::time_point deadline,
                                                        const StopToken& stop);
  // Up to 5 inspects; a Docker timeout stops at once (non-retryable), so does a 404
  // (Deviation: a definitive answer). No attempt (stopped or past the deadline): canceled.
  asio::awaitable<Result<dockerapi::ExecInspect>> inspect_exec_agent_process(dockerapi::ExecApi& docker,
                                                                             const std::string& exec_id,
                                                                             const StopToken& stop);
  // Deviation: after a 404, does the container still run the stored PID with the agent's command?
  asio::awaitable<bool> agent_process_listed(dockerapi::ExecApi& docker, const std::string& container_id,
                                             const AgentMetadata& metadata, const StopToken& stop);

 private:
  asio::awaitable<Result<void>> start_agent_locked(dockerapi::ExecApi& docker, const TaskInfo& task,
                                                   Container& container, const std::string& container_id,
                                                   const StopToken& stop);
  void set_state(const TaskInfo& task, Container& container, const ManagedAgentState& state);
  Result<void> add_linux_binds(const TaskInfo& task, const std::string& version_dir, long long session_limit,
                               const std::string& uuid, const std::string& container_name,
                               std::vector<std::string>& binds);
  Result<void> add_windows_binds(const TaskInfo& task, const std::string& version_dir,
                                 long long session_limit, const std::string& container_name,
                                 std::vector<std::string>& binds);

  ManagerOptions options_;
  FileSystem& fs_;
  Clock& clock_;
  Jitter& jitter_;
  ManagedAgentStore* store_;
};

// The file-system-safe container name: leading '-' stripped; empty -> nameless-container-<uuid>.
std::string file_system_safe_container_name(std::string_view name,
                                            const std::function<std::string()>& new_uuid);

}  // namespace ecs::execcmd
