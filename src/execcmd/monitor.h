// The periodic exec-agent monitor (exec-manager.md §5.3): every 15 min, for each exec-enabled
// container of each RUNNING task whose agent initialised, wait 1 ns + U[0, 7.5 min) (to spread
// the load), then RestartAgentIfStopped; a restart or a failure to restart becomes a
// managed-agent event for ECS ("ExecuteCommandAgent restarted" RUNNING / "ExecuteCommandAgent
// cannot be restarted" STOPPED).
//
// Deviation: a container whose agent failed to start (STOPPED, never started) is retried by the
// monitor with its own backoff (first at the next sweep, then doubling up to 2 h); the
// reference never retries it. A success is reported as "ExecuteCommandAgent started".
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "dockerapi/client.h"
#include "execcmd/manager.h"
#include "execcmd/model.h"

namespace ecs::execcmd {

// The tasks the agent manages (the task engine's view).
class TaskSource {
 public:
  virtual ~TaskSource() = default;
  virtual std::vector<TaskInfo> tasks() = 0;
};

// Where managed-agent state changes go (the runtime batches them into SubmitTaskStateChange).
class ManagedAgentReporter {
 public:
  virtual ~ManagedAgentReporter() = default;
  virtual void report(const ManagedAgentEvent& event) = 0;
};

struct MonitorOptions {
  std::chrono::nanoseconds interval = std::chrono::minutes(15);
  std::chrono::nanoseconds failed_start_retry_min = std::chrono::minutes(15);
  std::chrono::nanoseconds failed_start_retry_max = std::chrono::hours(2);
};

class Monitor {
 public:
  Monitor(Manager& manager, dockerapi::ExecApi& docker, TaskSource& tasks, ManagedAgentReporter& reporter,
          Clock& clock, Jitter& jitter, MonitorOptions options = {});

  // Ticks every interval (the first one interval after the start) until `stop`; each tick runs a
  // sweep in the background. Returns once stopped and every sweep has ended.
  asio::awaitable<void> run(StopToken stop);
  // One sweep: every eligible container concurrently; returns when all are done.
  asio::awaitable<void> sweep(StopToken stop);
  // The per-container step (monitorExecAgentRunning).
  asio::awaitable<void> monitor_container(TaskInfo task, std::shared_ptr<Container> container,
                                          StopToken stop);

  // The task engine's hooks (§5.1, §5.2, §5.4).
  // Container create: InitializeContainer for an exec-enabled container. On failure the event
  // "ExecuteCommandAgent Initialization failed - <error>" (STOPPED) is reported and the error
  // returned; the caller creates the container anyway, without the exec binds.
  Result<void> on_container_create(const TaskInfo& task, Container& container,
                                   std::vector<std::string>& binds);
  // Container started: StartAgent for an exec-enabled container that initialised, then an event
  // with "ExecuteCommandAgent started" or the error text and the agent's current status
  // (redundant RUNNING events are allowed, as in the reference).
  asio::awaitable<Result<void>> on_container_started(TaskInfo task, std::shared_ptr<Container> container,
                                                     std::string docker_id, StopToken stop);
  // Container stopped: the agent is STOPPED too ("Received Container Stopped event").
  void on_container_stopped(const TaskInfo& task, Container& container);

 private:
  struct RetryState {
    std::chrono::steady_clock::time_point next_attempt{};
    std::chrono::nanoseconds delay{0};
  };
  void emit(const TaskInfo& task, const Container& container, std::string reason);
  asio::awaitable<void> retry_failed_start(const TaskInfo& task, const std::shared_ptr<Container>& container,
                                           const std::string& docker_id, const StopToken& stop);

  Manager& manager_;
  dockerapi::ExecApi& docker_;
  TaskSource& tasks_;
  ManagedAgentReporter& reporter_;
  Clock& clock_;
  Jitter& jitter_;
  MonitorOptions options_;
  std::map<std::string, RetryState> retries_;  // by task ARN + container name
};

}  // namespace ecs::execcmd
