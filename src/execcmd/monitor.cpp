#include "execcmd/monitor.h"

#include "core/async_event.h"
#include "core/log.h"

namespace ecs::execcmd {

namespace {

constexpr std::string_view kReasonRestarted = "ExecuteCommandAgent restarted";
constexpr std::string_view kReasonCannotRestart = "ExecuteCommandAgent cannot be restarted";
constexpr std::string_view kReasonStarted = "ExecuteCommandAgent started";
constexpr std::string_view kReasonInitFailed = "ExecuteCommandAgent Initialization failed - ";
constexpr std::string_view kReasonContainerStopped = "Received Container Stopped event";

// Counts running children and wakes the parent when the last one ends.
struct Children {
  explicit Children(asio::any_io_executor ex) : done(ex) {}
  int running = 0;
  AsyncEvent done;
  void finished() {
    if (--running == 0) done.set();
  }
};

asio::awaitable<void> counted(asio::awaitable<void> work, std::shared_ptr<Children> children) {
  co_await std::move(work);
  children->finished();
}

}  // namespace

Monitor::Monitor(Manager& manager, dockerapi::ExecApi& docker, TaskSource& tasks,
                 ManagedAgentReporter& reporter, Clock& clock, Jitter& jitter, MonitorOptions options)
    : manager_(manager),
      docker_(docker),
      tasks_(tasks),
      reporter_(reporter),
      clock_(clock),
      jitter_(jitter),
      options_(options) {}

asio::awaitable<void> Monitor::run(StopToken stop) {
  auto executor = co_await asio::this_coro::executor;
  auto sweeps = std::make_shared<Children>(executor);
  sweeps->running = 1;  // the ticker itself
  for (;;) {
    const bool ticked = co_await clock_.sleep(options_.interval, stop);
    if (!ticked) break;
    ++sweeps->running;
    asio::co_spawn(executor, counted(sweep(stop), sweeps), asio::detached);
  }
  sweeps->finished();
  co_await sweeps->done.wait();
}

asio::awaitable<void> Monitor::sweep(StopToken stop) {
  auto executor = co_await asio::this_coro::executor;
  auto workers = std::make_shared<Children>(executor);
  workers->running = 1;
  for (TaskInfo& task : tasks_.tasks()) {
    if (task.known_status != TaskStatus::running) continue;
    for (const auto& container : task.containers) {
      if (!container) continue;
      auto agent = container->managed_agent(kExecuteCommandAgentName);
      if (!agent || agent->state.init_failed) continue;
      ++workers->running;
      asio::co_spawn(executor, counted(monitor_container(task, container, stop), workers), asio::detached);
    }
  }
  workers->finished();
  co_await workers->done.wait();
}

asio::awaitable<void> Monitor::monitor_container(TaskInfo task, std::shared_ptr<Container> container,
                                                 StopToken stop) {
  if (!is_running(container->known_status)) co_return;
  const std::string docker_id = container->runtime_id;
  if (docker_id.empty()) {
    log::error("cannot monitor ExecuteCommandAgent: the container has no Docker id",
               {{"task", task.arn}, {"container", container->name}});
    co_return;
  }
  const auto delay =
      jitter_.add(std::chrono::nanoseconds(1), std::chrono::nanoseconds(options_.interval / 2));
  const bool waited = co_await clock_.sleep(delay, stop);
  if (!waited) co_return;

  auto agent = container->managed_agent(kExecuteCommandAgentName);
  if (!agent) co_return;
  const ManagedAgentState& s = agent->state;
  if (!s.started() && !s.init_failed && !s.id.empty() && s.status == ManagedAgentStatus::stopped) {
    co_await retry_failed_start(task, container, docker_id, stop);
    co_return;
  }
  auto result = co_await manager_.restart_agent_if_stopped(docker_, task, container, docker_id, stop);
  if (result.error) {
    log::error("ExecuteCommandAgent cannot be restarted",
               {{"task", task.arn}, {"container", container->name}, {"error", result.error->message}});
    emit(task, *container, std::string(kReasonCannotRestart));
  } else if (result.status == RestartStatus::restarted) {
    emit(task, *container, std::string(kReasonRestarted));
  }
}

asio::awaitable<void> Monitor::retry_failed_start(const TaskInfo& task,
                                                  const std::shared_ptr<Container>& container,
                                                  const std::string& docker_id, const StopToken& stop) {
  const std::string key = task.arn + "/" + container->name;
  RetryState& retry = retries_[key];
  const auto now = clock_.now();
  if (now < retry.next_attempt) co_return;
  auto started = co_await manager_.start_agent(docker_, task, container, docker_id, stop);
  if (started) {
    retries_.erase(key);
    emit(task, *container, std::string(kReasonStarted));
    co_return;
  }
  RetryState& again = retries_[key];  // the map may have changed while we waited
  again.delay = again.delay == std::chrono::nanoseconds(0)
                    ? options_.failed_start_retry_min
                    : std::min(again.delay * 2, options_.failed_start_retry_max);
  again.next_attempt = clock_.now() + jitter_.add(again.delay, again.delay / 5);
  log::warn("ExecuteCommandAgent still cannot be started, will retry",
            {{"task", task.arn},
             {"container", container->name},
             {"error", started.error().message},
             {"retryInSeconds",
              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(again.delay).count())}});
}

Result<void> Monitor::on_container_create(const TaskInfo& task, Container& container,
                                          std::vector<std::string>& binds) {
  if (!is_exec_enabled(container)) return {};
  auto init = manager_.initialize_container(task, container, binds);
  if (!init) {
    log::warn("could not initialise ExecuteCommandAgent, proceeding to start container without exec feature",
              {{"task", task.arn}, {"container", container.name}, {"error", init.error().message}});
    emit(task, container, std::string(kReasonInitFailed) + init.error().message);
  }
  return init;
}

asio::awaitable<Result<void>> Monitor::on_container_started(TaskInfo task,
                                                            std::shared_ptr<Container> container,
                                                            std::string docker_id, StopToken stop) {
  auto agent = container->managed_agent(kExecuteCommandAgentName);
  if (!agent || agent->state.init_failed) co_return Result<void>();
  auto started = co_await manager_.start_agent(docker_, task, container, docker_id, stop);
  emit(task, *container, started ? std::string(kReasonStarted) : started.error().message);
  co_return started;
}

void Monitor::on_container_stopped(const TaskInfo& task, Container& container) {
  if (!is_exec_enabled(container)) return;
  if (!container.update_managed_agent_status(kExecuteCommandAgentName, ManagedAgentStatus::stopped)) {
    log::warn("no ExecuteCommandAgent to mark stopped", {{"task", task.arn}, {"container", container.name}});
    return;
  }
  emit(task, container, std::string(kReasonContainerStopped));
}

void Monitor::emit(const TaskInfo& task, const Container& container, std::string reason) {
  auto event =
      new_managed_agent_change_event(task.arn, container, kExecuteCommandAgentName, std::move(reason));
  if (!event) {
    log::warn("dropping managed agent event", {{"task", task.arn}, {"error", event.error().message}});
    return;
  }
  log::info("managed agent state change", {{"task", task.arn}, {"event", event->str()}});
  reporter_.report(*event);
}

}  // namespace ecs::execcmd
