#include "execcmd/manager.h"

#include <algorithm>

#include "core/log.h"
#include "core/uuid.h"
#include "execcmd/agent_version.h"
#include "execcmd/config_files.h"
#include "execcmd/errors.h"

namespace ecs::execcmd {

using dockerapi::DockerErrc;
using std::chrono::nanoseconds;

namespace {

constexpr std::string_view kBinaryNames[] = {"amazon-ssm-agent", "ssm-agent-worker", "ssm-session-worker"};
constexpr std::string_view kLinuxContainerDepsPrefix = "/ecs-execute-command-";
constexpr std::string_view kLinuxContainerLogDir = "/var/log/amazon/ssm";
constexpr std::string_view kWindowsExecBinDir =
    "C:\\Program Files\\Amazon\\SSM";  // a literal in the reference
constexpr std::string_view kNamelessContainerPrefix = "nameless-container-";

Error canceled_error() { return make_error(ExecErrc::canceled, "context canceled"); }

}  // namespace

Paths Paths::windows_defaults(const EnvLookup& env) {
  Paths p;
  p.platform = Platform::windows;
  const std::string program_files = env_value(env, "ProgramFiles").value_or("C:\\Program Files");
  const std::string program_data = env_value(env, "ProgramData").value_or("C:\\ProgramData");
  p.host_deps_dir = program_files + "\\Amazon\\ECS\\managed-agents\\execute-command";
  p.agent_deps_dir = p.host_deps_dir;
  p.host_log_dir = program_data + "\\Amazon\\ECS\\exec";
  p.agent_log_dir = p.host_log_dir;
  p.windows_container_deps_dir = program_files + "\\Amazon\\SSM";
  p.windows_container_log_dir = program_data + "\\Amazon\\SSM";
  return p;
}

std::string Paths::join(std::string_view a, std::string_view b) const {
  std::string out(a);
  if (!out.empty() && out.back() != separator()) out.push_back(separator());
  out += b;
  return out;
}

std::string Paths::host_bin() const {
  return host_bin_dir.empty() ? join(host_deps_dir, "bin") : host_bin_dir;
}
std::string Paths::host_config_dir() const { return join(host_deps_dir, "config"); }
std::string Paths::host_cert_file() const { return join(join(host_deps_dir, "certs"), "tls-ca-bundle.pem"); }
std::string Paths::agent_bin_dir() const { return join(agent_deps_dir, "bin"); }
std::string Paths::agent_config_dir() const { return join(agent_deps_dir, "config"); }
std::string Paths::agent_cert_file() const {
  return join(join(agent_deps_dir, "certs"), "tls-ca-bundle.pem");
}

std::string file_system_safe_container_name(std::string_view name,
                                            const std::function<std::string()>& new_uuid) {
  while (!name.empty() && name.front() == '-') name.remove_prefix(1);
  if (name.empty()) return std::string(kNamelessContainerPrefix) + new_uuid();
  return std::string(name);
}

Manager::Manager(ManagerOptions options, FileSystem& fs, Clock& clock, Jitter& jitter,
                 ManagedAgentStore* store)
    : options_(std::move(options)), fs_(fs), clock_(clock), jitter_(jitter), store_(store) {
  if (!options_.new_uuid) options_.new_uuid = [] { return random_uuid(); };
  if (!options_.agent_config_file) {
    options_.agent_config_file = [this](std::string_view content) -> Result<std::string> {
      const std::string name = agent_config_file_name(content);
      auto ok =
          ensure_content_file(fs_, options_.paths.join(options_.paths.agent_config_dir(), name), content);
      if (!ok) return ok.error();
      return name;
    };
  }
  if (!options_.log_config_file) {
    options_.log_config_file = [this](std::string_view content) -> Result<std::string> {
      const std::string name = log_config_file_name(content);
      auto ok =
          ensure_content_file(fs_, options_.paths.join(options_.paths.agent_config_dir(), name), content);
      if (!ok) return ok.error();
      return name;
    };
  }
}

void Manager::set_state(const TaskInfo& task, Container& container, const ManagedAgentState& state) {
  container.update_managed_agent(kExecuteCommandAgentName, state);
  if (store_ != nullptr) {
    auto saved = store_->save(task.arn, container);
    if (!saved) {
      log::error("could not save the exec agent's state",
                 {{"task", task.arn}, {"container", container.name}, {"error", saved.error().message}});
    }
  }
}

Result<void> Manager::cleanup_task(const TaskInfo& task) {
  const std::string dir = options_.paths.join(options_.paths.agent_log_dir, task_id(task.arn));
  auto removed = fs_.remove_all(dir);
  if (!removed) {
    log::warn("could not remove the task's exec log directory", {{"task", task.arn}, {"dir", dir}});
  }
  return removed;
}

// ---- InitializeContainer ------------------------------------------------------------------------

Result<std::string> Manager::latest_versioned_host_bin_dir() {
  const Paths& p = options_.paths;
  auto versions = retrieve_agent_versions(fs_, p.agent_bin_dir());
  if (!versions) return versions.error();
  std::sort(versions->begin(), versions->end(),
            [](const AgentVersion& a, const AgentVersion& b) { return compare(a, b) > 0; });
  const std::string suffix = p.platform == Platform::windows ? ".exe" : "";
  for (const auto& v : *versions) {
    const std::string dir = p.join(p.agent_bin_dir(), to_string(v));
    bool complete = true;
    for (std::string_view binary : kBinaryNames) {
      auto info = fs_.stat(p.join(dir, std::string(binary) + suffix));
      if (!info || info->is_dir) {
        complete = false;
        break;
      }
    }
    if (complete) return p.join(p.host_bin(), to_string(v));
    log::warn("SSM agent version directory is incomplete, trying an older one", {{"dir", dir}});
  }
  return make_error(ExecErrc::no_valid_versions, "no valid versions were found in " + p.host_bin());
}

Result<bool> Manager::use_dual_stack_endpoint(const TaskInfo& task) const {
  if (task.network_mode == "awsvpc") {
    if (task.enis.empty()) {
      return make_error(ExecErrc::config_file, "awsvpc mode task does not have a primary ENI");
    }
    return task.enis.front().ipv6_only();
  }
  return options_.instance_ipv6_only;
}

Result<void> Manager::add_linux_binds(const TaskInfo& task, const std::string& version_dir,
                                      long long session_limit, const std::string& uuid,
                                      const std::string& container_name, std::vector<std::string>& binds) {
  const Paths& p = options_.paths;
  auto dual_stack = use_dual_stack_endpoint(task);
  if (!dual_stack) {
    return make_error(ExecErrc::config_file,
                      "could not generate ExecAgent Config File: " + dual_stack.error().message);
  }
  auto config_name = options_.agent_config_file(render_agent_config(session_limit, *dual_stack));
  if (!config_name) {
    return make_error(ExecErrc::config_file,
                      "could not generate ExecAgent Config File: " + config_name.error().message);
  }
  auto log_config_name = options_.log_config_file(kSeelogLinux);
  if (!log_config_name) {
    return make_error(ExecErrc::log_config_file,
                      "could not generate ExecAgent LogConfig file: " + log_config_name.error().message);
  }
  auto cert = fs_.stat(p.agent_cert_file());
  if (!cert || !cert->is_regular) return make_error(ExecErrc::certs_missing, "could not find certs");

  const std::string deps = std::string(kLinuxContainerDepsPrefix) + uuid;
  for (std::string_view binary : kBinaryNames) {
    binds.push_back(p.join(version_dir, binary) + ":" + deps + "/" + std::string(binary) + ":ro");
  }
  binds.push_back(p.join(p.host_config_dir(), *config_name) + ":" + deps +
                  "/configuration/amazon-ssm-agent.json:ro");
  binds.push_back(p.join(p.host_config_dir(), *log_config_name) + ":" + deps +
                  "/configuration/seelog.xml:ro");
  binds.push_back(p.host_cert_file() + ":" + deps + "/certs/amazon-ssm-agent.crt:ro");
  binds.push_back(p.join(p.join(p.host_log_dir, task_id(task.arn)), container_name) + ":" +
                  std::string(kLinuxContainerLogDir));
  return {};
}

Result<void> Manager::add_windows_binds(const TaskInfo& task, const std::string& version_dir,
                                        long long session_limit, const std::string& container_name,
                                        std::vector<std::string>& binds) {
  const Paths& p = options_.paths;
  auto hash = ensure_windows_config_dir(fs_, p.agent_config_dir(), session_limit, '\\');
  if (!hash) {
    return make_error(ExecErrc::config_dir,
                      "could not generate ExecAgent Config dir: " + hash.error().message);
  }
  // Windows has no agent container: the agent creates the log directory before binding it.
  const std::string log_dir = p.join(p.join(p.agent_log_dir, task_id(task.arn)), container_name);
  auto made = fs_.mkdir_all(log_dir, 0755);
  if (!made) return made.error();
  const std::string& ssm = p.windows_container_deps_dir;
  const std::string plugins = p.join(ssm, "Plugins");
  binds.push_back(version_dir + ":" + ssm + ":ro");
  binds.push_back(p.join(p.host_config_dir(), *hash) + ":" + p.join(ssm, "configuration") + ":ro");
  binds.push_back(log_dir + ":" + p.windows_container_log_dir);
  binds.push_back(plugins + ":" + plugins + ":ro");
  return {};
}

Result<void> Manager::initialize_container(const TaskInfo& task, Container& container,
                                           std::vector<std::string>& binds) {
  auto attempt = [&]() -> Result<void> {
    auto agent = container.managed_agent(kExecuteCommandAgentName);
    if (!agent) return make_error(ExecErrc::agent_not_found, "managed agent not found (ExecuteCommandAgent)");
    const long long session_limit = session_workers_limit(agent->properties);
    const std::string name = file_system_safe_container_name(container.name, options_.new_uuid);
    const std::string uuid = options_.new_uuid();
    auto version_dir = latest_versioned_host_bin_dir();
    if (!version_dir) return version_dir.error();
    std::vector<std::string> added;  // all files and checks first: nothing is appended on error
    auto ok = options_.paths.platform == Platform::windows
                  ? add_windows_binds(task, *version_dir, session_limit, name, added)
                  : add_linux_binds(task, *version_dir, session_limit, uuid, name, added);
    if (!ok) return ok.error();
    binds.insert(binds.end(), added.begin(), added.end());
    ManagedAgentState initialised;
    initialised.id = uuid;
    set_state(task, container, initialised);
    return {};
  };
  auto result = attempt();
  if (!result && container.managed_agent(kExecuteCommandAgentName)) {
    ManagedAgentState failed;
    failed.init_failed = true;
    failed.status = ManagedAgentStatus::stopped;
    failed.reason = result.error().message;
    set_state(task, container, failed);
  }
  return result;
}

// ---- start, inspect, restart ----------------------------------------------------------------------

std::string Manager::exec_command(const ManagedAgentState& state) const {
  if (options_.paths.platform == Platform::windows)
    return std::string(kWindowsExecBinDir) + "\\amazon-ssm-agent.exe";
  return std::string(kLinuxContainerDepsPrefix) + state.id + "/amazon-ssm-agent";
}

std::string Manager::exec_user() const {
  return options_.paths.platform == Platform::windows ? "NT AUTHORITY\\SYSTEM" : "0";
}

asio::awaitable<Result<AgentMetadata>> Manager::do_start_agent(dockerapi::ExecApi& docker,
                                                               const std::string& container_id,
                                                               const ManagedAgentState& state,
                                                               std::chrono::steady_clock::time_point deadline,
                                                               const StopToken& stop) {
  // Each call has its own 1 min deadline within the overall one.
  auto budget = [&] {
    const nanoseconds left = deadline - clock_.now();
    return std::clamp(left, nanoseconds(1), options_.timing.call_timeout);
  };
  const std::string cmd = exec_command(state);
  dockerapi::ExecConfig config;
  config.user = exec_user();
  config.detach = true;
  config.cmd = {cmd};
  auto exec_id = co_await docker.create_exec(container_id, config, budget(), stop);
  if (!exec_id) {
    co_return make_error(exec_id.error().code,
                         "unable to start ExecuteCommandAgent [create]: " + exec_id.error().message);
  }
  auto started = co_await docker.start_exec(*exec_id, true, false, budget(), stop);
  if (!started) {
    co_return make_error(started.error().code,
                         "unable to start ExecuteCommandAgent [pre-start]: " + started.error().message);
  }
  auto inspected = co_await docker.inspect_exec(*exec_id, budget(), stop);
  if (!inspected) {
    co_return make_error(inspected.error().code,
                         "unable to start ExecuteCommandAgent [inspect]: " + inspected.error().message);
  }
  if (!inspected->running) {
    co_return make_error(ExecErrc::agent_exited, "ExecuteCommandAgent process exited with exit code: " +
                                                     std::to_string(inspected->exit_code));
  }
  AgentMetadata metadata;
  metadata.pid = std::to_string(inspected->pid);
  metadata.docker_exec_id = *exec_id;
  metadata.cmd = cmd;
  co_return metadata;
}

asio::awaitable<Result<dockerapi::ExecInspect>> Manager::inspect_exec_agent_process(
    dockerapi::ExecApi& docker, const std::string& exec_id, const StopToken& stop) {
  const Timing& t = options_.timing;
  ExponentialBackoff backoff(t.retry_min_delay, t.retry_max_delay, t.retry_jitter, t.retry_multiplier,
                             jitter_);
  const auto deadline = clock_.now() + t.inspect_retry_timeout;
  Result<dockerapi::ExecInspect> last = canceled_error();  // no attempt made
  for (int attempt = 1; attempt <= t.max_attempts; ++attempt) {
    if (stop.stopped() || clock_.now() >= deadline) break;
    const nanoseconds budget =
        std::clamp<nanoseconds>(deadline - clock_.now(), nanoseconds(1), t.call_timeout);
    last = co_await docker.inspect_exec(exec_id, budget, stop);
    if (last) break;
    const error_code code = last.error().code;
    // A Docker timeout is not retried (as in the reference); neither is a definitive 404 nor a stop.
    if (code == DockerErrc::timeout || code == DockerErrc::not_found || code == DockerErrc::canceled) break;
    log::warn("could not inspect the exec agent's process",
              {{"execID", exec_id}, {"attempt", std::to_string(attempt)}, {"error", last.error().message}});
    if (attempt == t.max_attempts) break;
    co_await clock_.sleep(backoff.next(), stop);
  }
  co_return last;
}

asio::awaitable<bool> Manager::agent_process_listed(dockerapi::ExecApi& docker,
                                                    const std::string& container_id,
                                                    const AgentMetadata& metadata, const StopToken& stop) {
  if (metadata.pid.empty() || metadata.cmd.empty()) co_return false;
  auto top = co_await docker.top(container_id, options_.timing.call_timeout, stop);
  if (!top) {
    log::warn("could not list the container's processes",
              {{"container", container_id}, {"error", top.error().message}});
    co_return false;
  }
  auto column = [&](std::initializer_list<std::string_view> names) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < top->titles.size(); ++i) {
      for (auto n : names) {
        if (top->titles[i] == n) return i;
      }
    }
    return std::nullopt;
  };
  const auto pid_col = column({"PID"});
  const auto cmd_col = column({"CMD", "COMMAND"});
  if (!pid_col || !cmd_col) co_return false;
  for (const auto& row : top->processes) {
    if (row.size() > std::max(*pid_col, *cmd_col) && row[*pid_col] == metadata.pid &&
        row[*cmd_col].starts_with(metadata.cmd)) {
      co_return true;
    }
  }
  co_return false;
}

asio::awaitable<Result<void>> Manager::start_agent(dockerapi::ExecApi& docker, TaskInfo task,
                                                   std::shared_ptr<Container> container,
                                                   std::string container_id, StopToken stop) {
  if (!is_exec_enabled(*container)) {
    log::warn("exec is not enabled for the container, not starting ExecuteCommandAgent",
              {{"task", task.arn}, {"container", container->name}});
    co_return Result<void>();
  }
  auto guard = co_await container->exec_lock().lock();  // Deviation: one start per container at a time
  co_return co_await start_agent_locked(docker, task, *container, container_id, stop);
}

asio::awaitable<Result<void>> Manager::start_agent_locked(dockerapi::ExecApi& docker, const TaskInfo& task,
                                                          Container& container,
                                                          const std::string& container_id,
                                                          const StopToken& stop) {
  const ManagedAgentState state = container.managed_agent(kExecuteCommandAgentName)->state;
  if (state.id.empty()) {
    co_return make_error(ExecErrc::missing_uuid, "container has not been initialized: missing UUID");
  }
  const AgentMetadata metadata = AgentMetadata::from_map(state.metadata);
  const log::Field task_field{"task", task.arn};
  const log::Field container_field{"container", container.name};
  ManagedAgentState stopped;
  stopped.id = state.id;
  stopped.status = ManagedAgentStatus::stopped;

  if (state.started()) {  // idempotency: is the agent started last time still running?
    auto inspected = co_await inspect_exec_agent_process(docker, metadata.docker_exec_id, stop);
    if (inspected && inspected->running) {
      log::warn("ExecuteCommandAgent is already running",
                {task_field, container_field, {"metadata", metadata.str()}});
      co_return Result<void>();
    }
    if (!inspected && inspected.error().code == DockerErrc::not_found) {
      const bool listed = co_await agent_process_listed(docker, container_id, metadata, stop);
      if (listed) {
        log::warn("ExecuteCommandAgent is still running (its exec record is gone)",
                  {task_field, container_field, {"metadata", metadata.str()}});
        co_return Result<void>();
      }
    }
    if (stop.stopped()) {  // Deviation: a cancelled wait is an error, never a crash
      stopped.reason = canceled_error().message;
      set_state(task, container, stopped);
      co_return canceled_error();
    }
    if (!inspected && inspected.error().code != DockerErrc::not_found) {
      log::warn("could not verify whether ExecuteCommandAgent is running, starting it",
                {task_field, container_field, {"error", inspected.error().message}});
    }
  }

  const Timing& t = options_.timing;
  ExponentialBackoff backoff(t.retry_min_delay, t.retry_max_delay, t.retry_jitter, t.retry_multiplier,
                             jitter_);
  const auto deadline = clock_.now() + t.start_retry_timeout;
  std::optional<Error> last_error = canceled_error();  // stays if no attempt is made
  std::optional<AgentMetadata> started;
  for (int attempt = 1; attempt <= t.max_attempts; ++attempt) {
    if (stop.stopped() || clock_.now() >= deadline) break;
    auto result = co_await do_start_agent(docker, container_id, state, deadline, stop);
    if (result) {
      started = std::move(*result);
      last_error.reset();
      break;
    }
    last_error = result.error();
    log::warn("could not start ExecuteCommandAgent", {task_field,
                                                      container_field,
                                                      {"attempt", std::to_string(attempt)},
                                                      {"error", result.error().message}});
    if (attempt == t.max_attempts) break;
    co_await clock_.sleep(backoff.next(), stop);
  }
  if (last_error) {
    stopped.reason = last_error->message;
    set_state(task, container, stopped);
    co_return *last_error;
  }
  ManagedAgentState running;
  running.id = state.id;
  running.status = ManagedAgentStatus::running;
  running.last_started_at = clock_.wall_now();
  running.metadata = started->to_map();
  set_state(task, container, running);
  log::info("ExecuteCommandAgent started", {task_field, container_field, {"metadata", started->str()}});
  co_return Result<void>();
}

asio::awaitable<RestartResult> Manager::restart_agent_if_stopped(dockerapi::ExecApi& docker, TaskInfo task,
                                                                 std::shared_ptr<Container> container,
                                                                 std::string container_id, StopToken stop) {
  const RestartResult not_restarted;
  if (!is_exec_enabled(*container)) {
    log::warn("exec is not enabled for the container, not restarting ExecuteCommandAgent",
              {{"task", task.arn}, {"container", container->name}});
    co_return not_restarted;
  }
  auto guard = co_await container->exec_lock().lock();
  const ManagedAgentState state = container->managed_agent(kExecuteCommandAgentName)->state;
  if (!state.started()) co_return not_restarted;  // never started, or the last start failed
  const AgentMetadata metadata = AgentMetadata::from_map(state.metadata);
  auto inspected = co_await inspect_exec_agent_process(docker, metadata.docker_exec_id, stop);
  std::string why;
  if (inspected) {
    if (inspected->running) co_return not_restarted;
    why = "exited with exit code " + std::to_string(inspected->exit_code);
  } else if (inspected.error().code == DockerErrc::not_found && !stop.stopped()) {
    // Deviation: Docker dropped the record (5-10 min after the exit, or a dockerd restart).
    const bool listed = co_await agent_process_listed(docker, container_id, metadata, stop);
    if (listed) co_return not_restarted;
    why = "its exec record is gone (" + inspected.error().message + ")";
  } else {
    log::warn("could not inspect ExecuteCommandAgent, its status is unknown",
              {{"task", task.arn}, {"container", container->name}, {"error", inspected.error().message}});
    RestartResult unknown;
    unknown.status = RestartStatus::unknown;
    co_return unknown;
  }
  log::warn(
      "ExecuteCommandAgent is not running, restarting it",
      {{"task", task.arn}, {"container", container->name}, {"reason", why}, {"metadata", metadata.str()}});
  ManagedAgentState reset;
  reset.id = state.id;
  set_state(task, *container, reset);
  auto started = co_await start_agent_locked(docker, task, *container, container_id, stop);
  RestartResult result;
  if (!started) {
    result.error = started.error();
    co_return result;
  }
  result.status = RestartStatus::restarted;
  co_return result;
}

}  // namespace ecs::execcmd
