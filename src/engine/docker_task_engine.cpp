#include "engine/docker_task_engine.h"

#include <algorithm>
#include <charconv>

#include "core/log.h"
#include "core/rfc3339.h"
#include "core/uuid.h"
#include "engine/container_config.h"
#include "engine/network_bindings.h"
#include "task/transitions.h"

namespace ecs::engine {
namespace {

using dockerapi::DockerErrc;
using task::ContainerStatus;
using task::TaskStatus;
// The reference's jitter on every Docker retry (utils/retry: 20 % of the delay).
constexpr double kRetryJitter = 0.2;

std::string random_suffix() {
  std::string hexdigits;
  for (char ch : random_uuid()) {
    if (ch != '-') hexdigits += ch;
  }
  return hexdigits.substr(0, 20);
}

task::TimePoint time_of(const std::string& rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  if (!t || *t < std::chrono::system_clock::time_point(std::chrono::hours(24))) return {};  // 0001-01-01
  return *t;
}

// §4.9 DockerStateToState.
ContainerStatus status_of(const dockerapi::ContainerInspect& i) {
  if (i.state.running) return ContainerStatus::running;
  if (i.state.dead) return ContainerStatus::stopped;
  if (time_of(i.state.started_at) == task::TimePoint{} && i.state.error.empty())
    return ContainerStatus::created;
  return ContainerStatus::stopped;
}

// The error an inspected stopped container carries (§4.9 MetadataFromContainer).
// The reference's reason for a container the kernel killed for its memory (from inspect's
// OOMKilled, or an oom event before the die).
task::ApplyingError oom_error() { return {"OutOfMemoryError", "Container killed due to memory usage"}; }

std::optional<task::ApplyingError> error_of(const dockerapi::ContainerInspect& i) {
  if (i.state.oom_killed) return oom_error();
  if (!i.state.error.empty()) return task::ApplyingError{"DockerStateError", i.state.error};
  return std::nullopt;
}

task::ApplyingError call_error(std::string_view name, const Error& e) {
  if (e.code == DockerErrc::timeout) return {"DockerTimeoutError", e.message};
  return {std::string(name), e.message};
}

std::string timeout_text(std::string_view transition, std::chrono::nanoseconds d) {
  return "Could not transition to " + std::string(transition) + "; timed out after waiting " +
         dockerapi::go_duration(d);
}

bool backend_reported(ContainerStatus s) {
  return s == ContainerStatus::running || s == ContainerStatus::stopped;
}
bool backend_reported(TaskStatus s) { return s == TaskStatus::running || s == TaskStatus::stopped; }

// The registry a reference names (§4.2): the first component if it looks like a host, else
// Docker Hub.
bool has_exec_agent(const task::Container& c) {
  for (const auto& a : c.managed_agents) {
    if (a.name == task::kExecuteCommandAgentName) return true;
  }
  return false;
}

execcmd::ContainerStatus exec_status(ContainerStatus s) {
  switch (s) {
    case ContainerStatus::created:
      return execcmd::ContainerStatus::created;
    case ContainerStatus::running:
      return execcmd::ContainerStatus::running;
    case ContainerStatus::resources_provisioned:
      return execcmd::ContainerStatus::resources_provisioned;
    case ContainerStatus::stopped:
    case ContainerStatus::zombie:
      return execcmd::ContainerStatus::stopped;
    default:
      return execcmd::ContainerStatus::none;
  }
}

execcmd::TaskStatus exec_status(TaskStatus s) {
  switch (s) {
    case TaskStatus::created:
      return execcmd::TaskStatus::created;
    case TaskStatus::running:
      return execcmd::TaskStatus::running;
    case TaskStatus::stopped:
    case TaskStatus::zombie:
      return execcmd::TaskStatus::stopped;
    default:
      return execcmd::TaskStatus::none;
  }
}

}  // namespace

// The engine as ECS Exec's task source, event reporter and state store.
class DockerTaskEngine::ExecSide : public execcmd::TaskSource,
                                   public execcmd::ManagedAgentReporter,
                                   public execcmd::ManagedAgentStore {
 public:
  explicit ExecSide(DockerTaskEngine& engine) : engine_(engine) {}
  std::vector<execcmd::TaskInfo> tasks() override { return engine_.exec_task_infos(); }
  void report(const execcmd::ManagedAgentEvent& event) override { engine_.exec_reported(event); }
  Result<void> save(const std::string& task_arn, const execcmd::Container& container) override {
    engine_.exec_copy_back(task_arn, container);
    return {};
  }

 private:
  DockerTaskEngine& engine_;
};

std::optional<PullBehavior> parse_pull_behavior(std::string_view text) {
  if (text.empty() || text == "default") return PullBehavior::default_behavior;
  if (text == "always") return PullBehavior::always;
  if (text == "once") return PullBehavior::once;
  if (text == "prefer-cached") return PullBehavior::prefer_cached;
  return std::nullopt;
}

DockerTaskEngine::DockerTaskEngine(asio::any_io_executor executor, dockerapi::ContainerApi& docker,
                                   state::Repository& repository, credentials::CredentialsStore& credentials,
                                   Clock& clock, Jitter& jitter, DockerTaskEngineOptions options,
                                   std::vector<task::Task> saved)
    : executor_(std::move(executor)),
      docker_(docker),
      repository_(repository),
      credentials_(credentials),
      clock_(clock),
      jitter_(jitter),
      options_(std::move(options)),
      host_ports_(options_.dynamic_host_ports, options_.host_port_probe) {
  for (auto& t : saved) {
    auto m = std::make_shared<Managed>();
    m->task = std::move(t);
    for (const auto& c : m->task.containers) {
      if (!c.docker_id.empty()) by_docker_id_[c.docker_id] = {m->task.arn, c.name};
    }
    const std::string arn = m->task.arn;
    tasks_.emplace(arn, std::move(m));
  }
}

DockerTaskEngine::~DockerTaskEngine() { *alive_ = false; }

// ---- ECS Exec ----

execcmd::TaskSource& DockerTaskEngine::exec_tasks() {
  if (!exec_side_) exec_side_ = std::make_unique<ExecSide>(*this);
  return *exec_side_;
}
execcmd::ManagedAgentReporter& DockerTaskEngine::exec_reporter() {
  if (!exec_side_) exec_side_ = std::make_unique<ExecSide>(*this);
  return *exec_side_;
}
execcmd::ManagedAgentStore& DockerTaskEngine::exec_store() {
  if (!exec_side_) exec_side_ = std::make_unique<ExecSide>(*this);
  return *exec_side_;
}

std::shared_ptr<execcmd::Container> DockerTaskEngine::exec_mirror(Managed& m, const task::Container& c) {
  auto& mirror = m.exec[c.name];
  if (!mirror) {
    mirror = std::make_shared<execcmd::Container>();
    mirror->name = c.name;
    mirror->managed_agents = c.managed_agents;  // the persisted states, after a restart too
  }
  mirror->runtime_id = c.docker_id;
  mirror->known_status = exec_status(c.known_status);
  return mirror;
}

execcmd::TaskInfo DockerTaskEngine::exec_info(Managed& m) {
  execcmd::TaskInfo info;
  info.arn = m.task.arn;
  info.known_status = exec_status(m.task.known_status);
  info.network_mode = m.task.network_mode;
  for (const auto& c : m.task.containers) {
    if (has_exec_agent(c)) info.containers.push_back(exec_mirror(m, c));
  }
  return info;
}

std::vector<execcmd::TaskInfo> DockerTaskEngine::exec_task_infos() {
  std::vector<execcmd::TaskInfo> out;
  for (auto& [arn, m] : tasks_) {
    if (!m->removed) out.push_back(exec_info(*m));
  }
  return out;
}

void DockerTaskEngine::exec_copy_back(const std::string& task_arn, const execcmd::Container& mirror) {
  auto it = tasks_.find(task_arn);
  if (it == tasks_.end()) return;
  task::Container* c = it->second->task.container(mirror.name);
  if (c == nullptr) return;
  bool changed = false;
  for (auto& agent : c->managed_agents) {
    const auto from = mirror.managed_agent(agent.name);
    if (!from) continue;
    task::ManagedAgentState state = from->state;
    state.sent_status = agent.state.sent_status;  // what ECS was told is the event handler's
    if (!(state == agent.state)) {
      agent.state = std::move(state);
      changed = true;
    }
  }
  if (changed) save(*it->second);
}

void DockerTaskEngine::exec_reported(const execcmd::ManagedAgentEvent& event) {
  auto it = tasks_.find(event.task_arn);
  if (it != tasks_.end()) {
    if (auto mirror = it->second->exec.find(event.container_name); mirror != it->second->exec.end()) {
      exec_copy_back(event.task_arn, *mirror->second);
    }
  }
  if (sink_ != nullptr) sink_->managed_agent_changed(event);
}

// ---- the TaskEngine side ----

Result<void> DockerTaskEngine::add_task(task::Task incoming) {
  if (auto it = tasks_.find(incoming.arn); it != tasks_.end()) {
    Managed& m = *it->second;
    task::Task& known = m.task;
    if (!incoming.credentials_id.empty()) known.credentials_id = incoming.credentials_id;
    if (!incoming.execution_credentials_id.empty())
      known.execution_credentials_id = incoming.execution_credentials_id;
    if (incoming.desired_status > known.desired_status) {
      log::info(
          "new desired status for a task",
          {{"taskArn", known.arn}, {"desiredStatus", std::string(task::to_string(incoming.desired_status))}});
      known.desired_status = incoming.desired_status;
      if (known.terminal_reason.empty()) known.terminal_reason = incoming.terminal_reason;
      task::update_desired_status(known);
      wake(m);
    }
    return repository_.save_task(known);
  }
  auto m = std::make_shared<Managed>();
  task::Task& t = m->task;
  t = std::move(incoming);
  const std::string suffix = random_suffix();
  for (auto& c : t.containers) {
    if (c.v3_endpoint_id.empty()) c.v3_endpoint_id = random_uuid();
  }
  for (auto& v : t.volumes) {
    const bool docker_volume = v.type == "docker" || (v.type == "host" && v.source_path.empty());
    if (docker_volume && v.docker_volume_name.empty()) {
      v.docker_volume_name = docker_volume_name(t, v, suffix);
      v.created = v.scope != "shared";
    }
  }
  std::string refusal;
  for (const auto& v : t.volumes) {
    if (v.type == "docker" && v.scope != "shared" && v.autoprovision && refusal.empty()) {
      refusal = "volume [" + v.name + "] : task scoped volume could not be autoprovisioned";
    }
  }
  if (auto bad = task::add_implicit_dependencies(t); bad && refusal.empty()) refusal = *bad;
  task::update_desired_status(t);
  if (refusal.empty() && !task::dependencies_valid(t)) {
    refusal = "Task dependencies cannot be resolved, taskArn: " + t.arn;
  }
  if (!refusal.empty()) {
    log::warn("not running a task that cannot run as it was sent", {{"taskArn", t.arn}, {"reason", refusal}});
    t.desired_status = TaskStatus::stopped;
    t.known_status = TaskStatus::stopped;
    t.known_time = clock_.wall_now();
    t.terminal_reason = refusal;
    task::update_desired_status(t);
  }
  if (auto saved = repository_.save_task(t); !saved) return saved.error();
  log::info("task added", {{"taskArn", t.arn},
                           {"desiredStatus", std::string(task::to_string(t.desired_status))},
                           {"containers", std::to_string(t.containers.size())}});
  const std::string arn = t.arn;
  tasks_.emplace(arn, m);
  if (ready_ || t.known_status == TaskStatus::stopped) start_loop(m);
  return {};
}

void DockerTaskEngine::report_unrecognized_task(const std::string& task_arn, std::string reason) {
  log::warn("not running a task that cannot be converted", {{"taskArn", task_arn}, {"reason", reason}});
  if (tasks_.contains(task_arn)) return;
  auto m = std::make_shared<Managed>();
  m->task.arn = task_arn;
  m->task.desired_status = TaskStatus::stopped;
  m->task.known_status = TaskStatus::stopped;
  m->task.known_time = clock_.wall_now();
  m->task.terminal_reason = std::move(reason);
  tasks_.emplace(task_arn, m);
  start_loop(m);
}

Result<void> DockerTaskEngine::set_credentials_id(const std::string& task_arn, bool execution,
                                                  const std::string& credentials_id) {
  auto it = tasks_.find(task_arn);
  if (it == tasks_.end()) {
    return make_error(errc::make_error_code(errc::invalid_argument),
                      "Task not found in the task engine for task ARN " + task_arn);
  }
  task::Task& t = it->second->task;
  (execution ? t.execution_credentials_id : t.credentials_id) = credentials_id;
  return repository_.save_task(t);
}

Result<void> DockerTaskEngine::stop_task(const std::string& task_arn) {
  auto it = tasks_.find(task_arn);
  if (it == tasks_.end()) {
    log::info("asked to stop a task that is not here; ignoring", {{"taskArn", task_arn}});
    return {};
  }
  Managed& m = *it->second;
  if (m.task.desired_status < TaskStatus::stopped) {
    m.task.desired_status = TaskStatus::stopped;
    task::update_desired_status(m.task);
    wake(m);
  }
  return repository_.save_task(m.task);
}

const task::Task* DockerTaskEngine::find_task(const std::string& task_arn) const {
  auto it = tasks_.find(task_arn);
  return it == tasks_.end() ? nullptr : &it->second->task;
}

std::vector<const task::Task*> DockerTaskEngine::tasks() const {
  std::vector<const task::Task*> out;
  out.reserve(tasks_.size());
  for (const auto& [arn, m] : tasks_) out.push_back(&m->task);
  return out;
}

task::Task* DockerTaskEngine::live_task(const std::string& task_arn) {
  auto it = tasks_.find(task_arn);
  return it == tasks_.end() ? nullptr : &it->second->task;
}

void DockerTaskEngine::persist_task(const std::string& task_arn) {
  auto it = tasks_.find(task_arn);
  if (it == tasks_.end()) return;
  save(*it->second);
  wake(*it->second);  // a cleanup may be waiting for STOPPED to be sent
}

// ---- running ----

asio::awaitable<void> DockerTaskEngine::run(StopToken stop) {
  stop_ = stop;
  auto alive = alive_;
  ExponentialBackoff backoff(options_.docker_retry_min, options_.docker_retry_max, kRetryJitter, 2.0,
                             jitter_);
  bool told = false;
  for (;;) {
    auto ping = co_await docker_.ping(options_.ping_timeout, stop);
    if (!*alive || stop.stopped()) co_return;
    if (ping) break;
    if (!told) {
      log::warn("waiting for Docker before running tasks", {{"error", ping.error().message}});
      told = true;
    }
    if (!co_await clock_.sleep(backoff.next(), stop)) co_return;
  }
  ready_ = true;
  log::info("task engine ready", {{"tasks", std::to_string(tasks_.size())}});
  for (auto& [arn, m] : tasks_) start_loop(m);
  asio::co_spawn(executor_, find_unknown_containers(stop), asio::detached);
  co_await watch_events(stop);
}

asio::awaitable<void> DockerTaskEngine::find_unknown_containers(StopToken stop) {
  auto alive = alive_;
  auto listed = co_await docker_.list_containers(std::string(kTaskArnLabel), options_.inspect_timeout, stop);
  if (!*alive || stop.stopped()) co_return;
  if (!listed) {
    log::warn("could not list the containers that carry this agent's labels",
              {{"error", listed.error().message}});
    co_return;
  }
  // Known by id, or by name: the name is saved before every create, so a container whose create
  // is under way (or was interrupted by a crash) is known by it.
  std::set<std::string> known_names;
  for (const auto& [arn, m] : tasks_) {
    for (const auto& c : m->task.containers) {
      if (!c.docker_name.empty()) known_names.insert(c.docker_name);
    }
  }
  for (auto& c : *listed) {
    if (by_docker_id_.contains(c.id) || known_names.contains(c.name)) continue;
    auto arn = c.labels.find(std::string(kTaskArnLabel));
    log::warn("a container with this agent's labels is not in its state; it is left alone",
              {{"id", c.id},
               {"name", c.name},
               {"state", c.state},
               {"taskArn", arn == c.labels.end() ? "" : arn->second}});
    unknown_.push_back(std::move(c));
  }
}

void DockerTaskEngine::start_loop(const ManagedPtr& m) {
  if (m->loop_started) return;
  m->loop_started = true;
  asio::co_spawn(executor_, oversee(m), asio::detached);
}

void DockerTaskEngine::spawn(const ManagedPtr& m, asio::awaitable<void> call) {
  (void)m;
  asio::co_spawn(executor_, std::move(call), asio::detached);
}

void DockerTaskEngine::wake(Managed& m) {
  if (m.waker) m.waker->stop();
}

void DockerTaskEngine::post(const ManagedPtr& m, Change change) {
  if (change.from_call && m->in_flight > 0) --m->in_flight;
  m->inbox.push_back(std::move(change));
  wake(*m);
}

asio::awaitable<void> DockerTaskEngine::wait_for_change(ManagedPtr m, std::chrono::nanoseconds at_most) {
  if (!m->inbox.empty()) co_return;
  auto waker = std::make_shared<StopSource>();
  m->waker = waker;
  StopCallback on_stop(stop_, [waker] { waker->stop(); });
  (void)co_await clock_.sleep(at_most, *waker);
  if (m->waker == waker) m->waker.reset();
}

void DockerTaskEngine::save(Managed& m) {
  if (m.removed) return;
  if (auto r = repository_.save_task(m.task); !r) {
    log::error("could not save a task", {{"taskArn", m.task.arn}, {"error", r.error().message}});
  }
}

asio::awaitable<void> DockerTaskEngine::oversee(ManagedPtr m) {
  auto alive = alive_;
  co_await synchronize(m);
  if (!*alive) co_return;
  task::update_known_status(m->task, clock_.wall_now());
  task::update_desired_status(m->task);
  emit_current_status(*m);
  save(*m);
  if (auto failed = co_await provision_volumes(m)) {
    if (!*alive) co_return;
    log::warn("a task volume could not be set up; stopping the task",
              {{"taskArn", m->task.arn}, {"reason", *failed}});
    if (m->task.terminal_reason.empty()) m->task.terminal_reason = *failed;
    m->task.desired_status = TaskStatus::stopped;
    task::update_desired_status(m->task);
    save(*m);
  }
  for (;;) {
    if (!*alive || stop_.stopped()) co_return;
    while (!m->inbox.empty()) {
      Change change = std::move(m->inbox.front());
      m->inbox.pop_front();
      handle_change(*m, std::move(change));
    }
    if (m->task.known_status == TaskStatus::stopped) break;
    const bool steady =
        m->task.known_status == TaskStatus::running && m->task.desired_status <= TaskStatus::running;
    if (steady) {
      co_await wait_for_change(m, options_.steady_check);
      if (m->inbox.empty() && !stop_.stopped()) check_task_state(m);  // the safety net for lost events
      continue;
    }
    const Progress p = progress(m);
    if (!m->inbox.empty()) continue;
    if (p.started || m->in_flight > 0) {
      co_await wait_for_change(m, options_.steady_check);
      continue;
    }
    if (p.blocked) {
      check_task_state(m);
      co_await wait_for_change(m, options_.blocked_check);
      continue;
    }
    // Nothing can move (§2.6 handleContainersUnableToTransitionState).
    if (m->task.desired_status == TaskStatus::stopped) {
      if (m->task.terminal_reason.empty()) {
        m->task.terminal_reason = "TaskStateError: Agent could not progress task's state to stopped";
      }
      m->task.known_status = TaskStatus::stopped;
      m->task.known_time = clock_.wall_now();
      emit_task(*m);
      save(*m);
      break;
    }
    log::critical("Task in a bad state; stopping it", {{"taskArn", m->task.arn}});
    m->task.desired_status = TaskStatus::stopped;
    task::update_desired_status(m->task);
    save(*m);
  }
  if (!*alive || stop_.stopped()) co_return;
  log::info("task stopped", {{"taskArn", m->task.arn}, {"reason", m->task.terminal_reason}});
  if (!m->task.credentials_id.empty()) credentials_.remove_task_credentials(m->task.credentials_id);
  co_await cleanup(m);
}

DockerTaskEngine::Progress DockerTaskEngine::progress(const ManagedPtr& m) {
  Progress p;
  const auto now = clock_.wall_now();
  for (auto& c : m->task.containers) {
    const task::NextState n = task::next_state(m->task, c, now);
    if (!n.terminal_error.empty()) {
      // §2.6 handleTerminalDependencyError: this container will never start.
      log::warn("a container can never start",
                {{"taskArn", m->task.arn}, {"container", c.name}, {"reason", n.terminal_error}});
      c.desired_status = ContainerStatus::stopped;
      c.known_exit_code = task::kDependencyErrorExitCode;
      if (!c.applying_error)
        c.applying_error = task::ApplyingError{"CannotStartContainerError", n.terminal_error};
      post(m, Change{.container = c.name, .status = ContainerStatus::stopped});
      p.started = true;
      continue;
    }
    if (n.blocked) {
      p.blocked = true;
      continue;
    }
    if (n.status == ContainerStatus::none) continue;
    if (!n.action_required) {
      post(m, Change{.container = c.name, .status = n.status});
      p.started = true;
      continue;
    }
    p.started = true;
    if (c.applied_status != ContainerStatus::none) continue;  // already on its way
    c.applied_status = n.status;
    ++m->in_flight;
    switch (n.status) {
      case ContainerStatus::pulled:
        spawn(m, pull(m, c.name));
        break;
      case ContainerStatus::created:
        spawn(m, create(m, c.name));
        break;
      case ContainerStatus::running:
        spawn(m, start(m, c.name));
        break;
      default:
        spawn(m, stop(m, c.name));
        break;
    }
  }
  return p;
}

void DockerTaskEngine::apply_inspect(task::Container& c, const dockerapi::ContainerInspect& i) {
  if (c.docker_id.empty() && !i.id.empty()) c.docker_id = i.id;
  if (!i.image.empty()) c.image_id = i.image;
  if (c.created_at == task::TimePoint{}) c.created_at = time_of(i.created);
  if (c.started_at == task::TimePoint{}) c.started_at = time_of(i.state.started_at);
  c.finished_at = time_of(i.state.finished_at);
  if (!i.state.running && c.finished_at != task::TimePoint{})
    c.known_exit_code = static_cast<int>(i.state.exit_code);
  if (c.labels.empty()) c.labels = i.labels;
  if (c.known_port_bindings.empty()) {
    for (const auto& p : i.ports) {
      c.known_port_bindings.push_back(
          task::PortBinding{p.container_port, p.host_port, p.host_ip, p.protocol});
    }
  }
  c.networks.clear();
  for (const auto& n : i.networks)
    c.networks.push_back(task::Network{n.name, n.ipv4_address, n.ipv6_address});
  if (i.state.health && c.health_check_type == "docker" && i.state.health->status != "starting") {
    const auto& h = *i.state.health;
    const task::HealthStatus status =
        h.status == "healthy" ? task::HealthStatus::healthy : task::HealthStatus::unhealthy;
    if (c.health.status != status) c.health.since = clock_.wall_now();
    c.health.status = status;
    c.health.output = h.last_output.substr(0, 1024);
    c.health.exit_code = static_cast<int>(h.last_exit_code);
  }
}

void DockerTaskEngine::handle_change(Managed& m, Change change) {
  task::Container* c = m.task.container(change.container);
  if (c == nullptr) return;
  if (change.from_call) c->applied_status = ContainerStatus::none;
  if (change.health_only) {
    if (change.inspect) apply_inspect(*c, *change.inspect);
    return;
  }
  // The start event of an exec-enabled container comes while its start call is still starting
  // the SSM agent: the call's own change brings RUNNING, with the agent's status (§10).
  if (!change.from_call && change.status == ContainerStatus::running &&
      c->applied_status == ContainerStatus::running && exec_monitor_ != nullptr && has_exec_agent(*c)) {
    return;
  }
  // §2.7 step 2: Docker started a container the engine had seen stop: stop it again (once).
  if (c->known_status == ContainerStatus::stopped && task::is_running(change.status)) {
    if (!m.restopped && !c->docker_id.empty()) {
      m.restopped = true;
      log::warn("a stopped container is running again; stopping it",
                {{"taskArn", m.task.arn}, {"container", c->name}});
      auto self = tasks_.at(m.task.arn);
      ++m.in_flight;
      spawn(self, stop(self, c->name));
    }
    return;
  }
  if (change.status <= c->known_status) {
    // Running: ports, health. Stopped (known from the die event): the finish time.
    if (change.status == c->known_status && change.inspect) apply_inspect(*c, *change.inspect);
    return;
  }
  const ContainerStatus previous = c->known_status;
  c->known_status = change.status;
  if (!change.docker_id.empty() && c->docker_id.empty()) c->docker_id = change.docker_id;
  if (change.inspect) apply_inspect(*c, *change.inspect);
  if (!c->docker_id.empty()) by_docker_id_[c->docker_id] = {m.task.arn, c->name};
  if (change.exit_code && !c->known_exit_code) c->known_exit_code = change.exit_code;
  if (change.error && !handle_error(m, *c, change, previous)) {
    task::update_desired_status(m.task);
    save(m);
    return;
  }
  const auto now = clock_.wall_now();
  if (c->known_status == ContainerStatus::stopped && c->essential &&
      m.task.execution_stopped_at == task::TimePoint{}) {
    m.task.execution_stopped_at = now;
  }
  log::info("container status", {{"taskArn", m.task.arn},
                                 {"container", c->name},
                                 {"status", std::string(task::to_string(c->known_status))},
                                 {"dockerId", c->docker_id}});
  if (metadata_ != nullptr && previous < ContainerStatus::running &&
      c->known_status == ContainerStatus::running) {
    if (auto r = metadata_->update(m.task, *c, metadata_instance()); !r) {
      log::warn("could not complete the container metadata file",
                {{"taskArn", m.task.arn}, {"container", c->name}, {"error", r.error().message}});
    }
  }
  if (exec_monitor_ != nullptr && c->known_status == ContainerStatus::stopped && has_exec_agent(*c)) {
    // The agent's STOPPED goes before its container's (exec-manager.md §5.4).
    auto mirror = exec_mirror(m, *c);
    exec_monitor_->on_container_stopped(exec_info(m), *mirror);
    exec_copy_back(m.task.arn, *mirror);
  }
  emit_container(m, *c);
  const bool task_changed = task::update_known_status(m.task, now);
  task::update_desired_status(m.task);
  if (task_changed) {
    log::info("task status",
              {{"taskArn", m.task.arn}, {"status", std::string(task::to_string(m.task.known_status))}});
    emit_task(m);
  }
  save(m);
}

bool DockerTaskEngine::handle_error(Managed& m, task::Container& c, const Change& change,
                                    ContainerStatus previous) {
  if (!c.applying_error) c.applying_error = *change.error;
  log::warn("container transition failed", {{"taskArn", m.task.arn},
                                            {"container", c.name},
                                            {"to", std::string(task::to_string(change.status))},
                                            {"error", change.error->text()}});
  switch (change.status) {
    case ContainerStatus::manifest_pulled:
    case ContainerStatus::pulled:
      if (options_.pull_behavior == PullBehavior::always || options_.pull_behavior == PullBehavior::once) {
        c.desired_status = ContainerStatus::stopped;
        m.task.desired_status = TaskStatus::stopped;
        return false;
      }
      return true;  // a cached image may do: the create says
    case ContainerStatus::stopped:
      if (change.exit_code == std::nullopt && change.error->name == "DockerDaemonUnavailable") {
        c.known_status = previous;  // not falsely STOPPED: tried again on a later pass
        return false;
      }
      c.desired_status = ContainerStatus::stopped;
      return true;
    case ContainerStatus::none:
    case ContainerStatus::created:
      c.known_status = previous;
      c.desired_status = ContainerStatus::stopped;
      return false;
    default: {
      c.known_status = previous;
      c.desired_status = ContainerStatus::stopped;
      const auto& e = *change.error;
      const bool maybe_running = e.name == "DockerTimeoutError" || e.name == "CannotInspectContainerError" ||
                                 (e.name == "CannotStartContainerError" && e.message.ends_with("EOF"));
      if (maybe_running && !c.docker_id.empty()) {
        auto self = tasks_.at(m.task.arn);
        c.applied_status = ContainerStatus::stopped;
        ++m.in_flight;
        spawn(self, stop(self, c.name));
      }
      return false;
    }
  }
}

void DockerTaskEngine::emit_container(Managed& m, const task::Container& c) {
  if (sink_ == nullptr || !backend_reported(c.known_status) || c.sent_status >= c.known_status) return;
  events::ContainerStateChange change;
  change.task_arn = m.task.arn;
  change.container_name = c.name;
  change.runtime_id = c.docker_id;
  change.status = c.known_status;
  change.exit_code = c.known_exit_code;
  change.reason = c.reason();
  change.image_digest = c.image_digest;
  change.network_bindings = network_bindings(c, options_.exclude_ipv6_port_bindings);
  sink_->container_changed(std::move(change));
}

void DockerTaskEngine::emit_task(Managed& m) {
  if (sink_ == nullptr || !backend_reported(m.task.known_status)) return;
  events::TaskStateChange change;
  change.task_arn = m.task.arn;
  change.status = m.task.known_status;
  if (m.task.known_status == TaskStatus::stopped) change.reason = m.task.terminal_reason;
  change.pull_started_at = m.task.pull_started_at;
  change.pull_stopped_at = m.task.pull_stopped_at;
  change.execution_stopped_at = m.task.execution_stopped_at;
  sink_->task_changed(std::move(change));
}

void DockerTaskEngine::emit_current_status(Managed& m) {
  for (const auto& c : m.task.containers) emit_container(m, c);
  if (m.task.sent_status < m.task.known_status) emit_task(m);
}

// ---- reconcile (§8.3) ----

asio::awaitable<void> DockerTaskEngine::synchronize(ManagedPtr m) {
  for (auto& c : m->task.containers) {
    std::string key = !c.docker_id.empty() ? c.docker_id : c.docker_name;
    if (key.empty()) continue;
    const std::string name = c.name;
    auto inspected = co_await docker_.inspect_container(key, options_.inspect_timeout, m->calls);
    task::Container* live = m->task.container(name);
    if (live == nullptr) co_return;
    if (!inspected) {
      if (inspected.error().code == DockerErrc::not_found && !live->docker_id.empty() &&
          live->known_status != ContainerStatus::stopped) {
        log::warn("a container the agent ran is gone", {{"taskArn", m->task.arn}, {"container", name}});
        live->known_status = ContainerStatus::stopped;
        if (!live->applying_error) {
          live->applying_error =
              task::ApplyingError{"ContainerVanishedError", "No container matching saved ID found"};
        }
      }
      continue;
    }
    if (live->docker_id.empty()) {
      log::info("found the container created while the agent was away",
                {{"taskArn", m->task.arn}, {"container", name}});
    }
    const ContainerStatus status = status_of(*inspected);
    apply_inspect(*live, *inspected);
    by_docker_id_[live->docker_id] = {m->task.arn, name};
    if (status > live->known_status) {
      live->known_status = status;
      if (status == ContainerStatus::stopped && !live->applying_error)
        live->applying_error = error_of(*inspected);
    }
    if (live->known_status == ContainerStatus::stopped && live->essential &&
        m->task.execution_stopped_at == task::TimePoint{}) {
      m->task.execution_stopped_at = clock_.wall_now();
    }
  }
}

void DockerTaskEngine::check_task_state(const ManagedPtr& m) {
  for (const auto& c : m->task.containers) {
    if (c.docker_id.empty() || c.known_status == ContainerStatus::stopped) continue;
    spawn(m, inspect_into(m, c.name, c.docker_id, ContainerStatus::none));
  }
}

asio::awaitable<void> DockerTaskEngine::inspect_into(ManagedPtr m, std::string name, std::string id,
                                                     ContainerStatus status) {
  auto alive = alive_;
  auto inspected = co_await docker_.inspect_container(id, options_.inspect_timeout, m->calls);
  if (!*alive) co_return;
  Change change{.container = name, .status = status, .docker_id = id};
  if (!inspected) {
    if (inspected.error().code != DockerErrc::not_found) co_return;  // looked at again later
    change.status = ContainerStatus::stopped;
    change.error = task::ApplyingError{"ContainerVanishedError", "No container matching saved ID found"};
    post(m, std::move(change));
    co_return;
  }
  if (change.status == ContainerStatus::none) change.status = status_of(*inspected);
  task::Container* live = m->task.container(name);
  if (change.status == ContainerStatus::stopped && live != nullptr &&
      live->known_status == ContainerStatus::stopped) {
    // Already STOPPED from its die event (and reported): only the times and the like are new, and
    // the task's loop may be past reading its inbox.
    if (!m->removed) {
      apply_inspect(*live, *inspected);
      save(*m);
    }
    co_return;
  }
  if (change.status == ContainerStatus::stopped) change.error = error_of(*inspected);
  change.inspect = std::move(*inspected);
  post(m, std::move(change));
}

MetadataInstance DockerTaskEngine::metadata_instance() const {
  MetadataInstance i = metadata_instance_;
  if (i.cluster.empty()) i.cluster = options_.cluster;
  return i;
}

// ---- volumes (§1.4 step 7, §4.8) ----

namespace {

// A map as Go's %v prints it (the reference's mismatch texts): map[k1:v1 k2:v2].
std::string go_map(const std::map<std::string, std::string>& m) {
  std::string out = "map[";
  const char* sep = "";
  for (const auto& [k, v] : m) {
    out.append(sep).append(k).append(":").append(v);
    sep = " ";
  }
  return out + "]";
}

}  // namespace

asio::awaitable<std::optional<std::string>> DockerTaskEngine::provision_volumes(ManagedPtr m) {
  auto alive = alive_;
  const task::Task& t = m->task;
  const bool to_create = t.desired_status < TaskStatus::stopped &&
                         std::any_of(t.containers.begin(), t.containers.end(), [](const task::Container& c) {
                           return c.known_status < ContainerStatus::created && c.docker_id.empty();
                         });
  if (!to_create) co_return std::nullopt;
  // A copy: the task may change while the calls are out.
  const std::vector<task::Volume> volumes = t.volumes;
  for (const task::Volume& v : volumes) {
    if (v.docker_volume_name.empty()) continue;  // a host directory
    if (v.scope == "shared") {
      auto found = co_await docker_.inspect_volume(v.docker_volume_name, options_.volume_timeout, m->calls);
      if (!*alive) co_return std::nullopt;
      if (!v.autoprovision) {
        if (found) continue;
        co_return "initialize volume: volume detection failed, volume '" + v.name +
            "' does not exist and autoprovision is set to false: " + found.error().message;
      }
      if (found) {
        if (!options_.shared_volume_match_full_config) continue;
        // The reference's texts, its spelling included.
        if (!(found->labels.empty() && v.labels.empty()) && found->labels != v.labels) {
          co_return "intialize volume: non-autoprovisioned volume does not match existing volume labels: existing: " +
              go_map(found->labels) + ", expected: " + go_map(v.labels);
        }
        if (!(found->options.empty() && v.driver_opts.empty()) && found->options != v.driver_opts) {
          co_return "initialize volume: non-autoprovisioned volume does not match existing volume options: "
                    "existing: " +
              go_map(found->options) + ", expected: " + go_map(v.driver_opts);
        }
        continue;
      }
      if (found.error().code == DockerErrc::timeout) co_return found.error().message;
    }
    // A named local, not a braced temporary in the co_await (g++ 12 destroys those twice).
    dockerapi::VolumeCreateConfig config{v.docker_volume_name, v.driver, v.driver_opts, v.labels};
    auto created = co_await docker_.create_volume(std::move(config), options_.volume_timeout, m->calls);
    if (!*alive) co_return std::nullopt;
    if (!created) co_return created.error().message;
    log::info("volume created",
              {{"taskArn", m->task.arn}, {"volume", v.name}, {"dockerVolume", created->name}});
  }
  co_return std::nullopt;
}

// ---- Docker calls (§4) ----

asio::awaitable<void> DockerTaskEngine::pull(ManagedPtr m, std::string name) {
  auto alive = alive_;
  Change change{.container = name, .status = ContainerStatus::pulled, .from_call = true};
  task::Container* c = m->task.container(name);
  if (c == nullptr) co_return;
  const std::string image = c->image;
  if (m->task.desired_status == TaskStatus::stopped) {
    change.error = task::ApplyingError{"TaskStoppedBeforePullBeginError",
                                       "Task stopped before image pull could begin for task: " + m->task.arn};
    post(m, std::move(change));
    co_return;
  }
  bool need_pull = true;
  if (options_.pull_behavior == PullBehavior::once && pulled_images_.contains(image)) need_pull = false;
  if (options_.pull_behavior == PullBehavior::prefer_cached) {
    auto cached = co_await docker_.inspect_image(image, options_.inspect_timeout, m->calls);
    if (!*alive) co_return;
    need_pull = !cached;
  }
  if (need_pull) {
    if (m->task.pull_started_at == task::TimePoint{}) m->task.pull_started_at = clock_.wall_now();
    dockerapi::PullOptions options = options_.pull;
    if (auto credentials = options_.registry_auth.lookup(image))
      options.registry_auth = x_registry_auth(*credentials);
    log::info("pulling image", {{"taskArn", m->task.arn}, {"container", name}, {"image", image}});
    ExponentialBackoff backoff(options_.pull_retry_min, options_.pull_retry_max, kRetryJitter, 2.0, jitter_);
    Result<void> pulled = make_error(DockerErrc::canceled, "not tried");
    for (int attempt = 1; attempt <= options_.pull_attempts; ++attempt) {
      pulled = co_await docker_.pull_image(image, options, m->calls);
      if (!*alive) co_return;
      if (pulled || attempt == options_.pull_attempts || m->calls.stopped() ||
          m->task.desired_status == task::TaskStatus::stopped)
        break;
      log::warn("pulling image failed; trying again", {{"taskArn", m->task.arn},
                                                       {"image", image},
                                                       {"attempt", std::to_string(attempt)},
                                                       {"error", pulled.error().message}});
      const bool waited = co_await clock_.sleep(backoff.next(), m->calls);
      if (!*alive) co_return;
      if (!waited) break;
    }
    m->task.pull_stopped_at = clock_.wall_now();
    if (!pulled) {
      change.error = call_error("CannotPullContainerError", pulled.error());
      post(m, std::move(change));
      co_return;
    }
    pulled_images_.insert(image);
  }
  auto inspected = co_await docker_.inspect_image(image, options_.inspect_timeout, m->calls);
  if (!*alive) co_return;
  if (inspected) {
    image_env_[image] = inspected->env;
    if (task::Container* live = m->task.container(name)) {
      live->image_id = inspected->id;
      const std::string repo = dockerapi::parse_image_reference(image).repository;
      for (const auto& d : inspected->repo_digests) {
        const auto at = d.find('@');
        if (at != std::string::npos && (d.substr(0, at) == repo || d.substr(0, at).ends_with("/" + repo))) {
          live->image_digest = d.substr(at + 1);
          break;
        }
      }
    }
  }
  post(m, std::move(change));
}

asio::awaitable<void> DockerTaskEngine::create(ManagedPtr m, std::string name) {
  auto alive = alive_;
  Change change{.container = name, .status = ContainerStatus::created, .from_call = true};
  task::Container* c = m->task.container(name);
  if (c == nullptr) co_return;
  // The name is durable before Docker hears of it (§8.2): a restart finds the container by it.
  if (c->docker_name.empty()) {
    c->docker_name = docker_name_for(m->task, *c, random_suffix());
    save(*m);
  }
  const std::string docker_name = c->docker_name;
  CreateContext context{options_.cluster, options_.region, {}, {}, {}, &host_ports_};
  if (auto env = image_env_.find(c->image); env != image_env_.end()) context.image_env = env->second;
  if (exec_monitor_ != nullptr && has_exec_agent(*c)) {
    // InitializeContainer; on failure the container is created without the exec mounts.
    auto mirror = exec_mirror(*m, *c);
    std::vector<std::string> binds;
    if (exec_monitor_->on_container_create(exec_info(*m), *mirror, binds))
      context.extra_binds = std::move(binds);
    exec_copy_back(m->task.arn, *mirror);
    c = m->task.container(name);
  }
  if (metadata_ != nullptr) {
    if (auto mount = metadata_->create(m->task, *c, metadata_instance())) {
      context.extra_binds.push_back(mount->bind);
      context.extra_env["ECS_CONTAINER_METADATA_FILE"] = mount->file_env;
    } else {  // the container runs without it, as the reference's does
      log::warn("could not create the container metadata file",
                {{"taskArn", m->task.arn}, {"container", c->name}, {"error", mount.error().message}});
    }
  }
  auto body = build_create_body(m->task, *c, context);
  if (!body) {
    const std::string& text = body.error().message;
    const auto colon = text.find(": ");
    change.error =
        task::ApplyingError{text.substr(0, colon), colon == std::string::npos ? "" : text.substr(colon + 2)};
    post(m, std::move(change));
    co_return;
  }
  if (const std::string& v = c->docker_config.version; !v.empty() && !dockerapi::is_api_version(v)) {
    change.error = task::ApplyingError{"CannotCreateContainerError",
                                       "dockerConfig.version '" + v + "' is not a Docker API version"};
    post(m, std::move(change));
    co_return;
  }
  dockerapi::ContainerCreateConfig config;
  config.name = docker_name;
  config.body_json = std::move(*body);
  config.api_version = c->docker_config.version;
  auto created = co_await docker_.create_container(std::move(config), options_.create_timeout, m->calls);
  if (!*alive) co_return;
  std::string id;
  if (created) {
    id = *created;
  } else if (created.error().code == DockerErrc::conflict) {
    // Created before (e.g. by an agent killed before it heard the answer): adopt it.
    auto existing = co_await docker_.inspect_container(docker_name, options_.inspect_timeout, m->calls);
    if (!*alive) co_return;
    if (existing) id = existing->id;
  }
  if (id.empty()) {
    change.error = created ? task::ApplyingError{"CannotCreateContainerError", "no container id"}
                           : (created.error().code == DockerErrc::timeout
                                  ? task::ApplyingError{"DockerTimeoutError",
                                                        timeout_text("created", options_.create_timeout)}
                                  : call_error("CannotCreateContainerError", created.error()));
    post(m, std::move(change));
    co_return;
  }
  change.docker_id = id;
  if (auto c2 = m->task.container(name)) {
    c2->docker_id = id;
    by_docker_id_[id] = {m->task.arn, name};
    save(*m);
  }
  auto inspected = co_await docker_.inspect_container(id, options_.inspect_timeout, m->calls);
  if (!*alive) co_return;
  if (inspected) change.inspect = std::move(*inspected);
  post(m, std::move(change));
}

asio::awaitable<void> DockerTaskEngine::start(ManagedPtr m, std::string name) {
  auto alive = alive_;
  Change change{.container = name, .status = ContainerStatus::running, .from_call = true};
  task::Container* c = m->task.container(name);
  if (c == nullptr) co_return;
  const std::string id = c->docker_id;
  auto started =
      co_await docker_.start_container(id, options_.start_timeout, m->calls, c->docker_config.version);
  if (!*alive) co_return;
  if (!started) {
    change.error =
        started.error().code == DockerErrc::timeout
            ? task::ApplyingError{"DockerTimeoutError", timeout_text("started", options_.start_timeout)}
            : call_error("CannotStartContainerError", started.error());
    post(m, std::move(change));
    co_return;
  }
  auto inspected = co_await docker_.inspect_container(id, options_.inspect_timeout, m->calls);
  if (!*alive) co_return;
  if (inspected) {
    // Already exited (a short command): the STOPPED change follows from its event or inspection.
    change.inspect = std::move(*inspected);
  }
  if (exec_monitor_ != nullptr && change.inspect && change.inspect->state.running) {
    if (const task::Container* now = m->task.container(name); now != nullptr && has_exec_agent(*now)) {
      // StartAgent before RUNNING is taken, so the RUNNING change carries the agent's status.
      auto mirror = exec_mirror(*m, *now);
      mirror->known_status = execcmd::ContainerStatus::running;
      (void)co_await exec_monitor_->on_container_started(exec_info(*m), mirror, id, m->calls);
      if (!*alive) co_return;
      exec_copy_back(m->task.arn, *mirror);
    }
  }
  post(m, std::move(change));
}

asio::awaitable<void> DockerTaskEngine::stop(ManagedPtr m, std::string name) {
  auto alive = alive_;
  Change change{.container = name, .status = ContainerStatus::stopped, .from_call = true};
  task::Container* c = m->task.container(name);
  if (c == nullptr) co_return;
  const std::string id = c->docker_id;
  const std::chrono::seconds grace =
      c->stop_timeout > 0 ? std::chrono::seconds(c->stop_timeout)
                          : std::max(std::chrono::duration_cast<std::chrono::seconds>(options_.stop_timeout),
                                     std::chrono::seconds(1));
  ExponentialBackoff backoff(options_.stop_retry_min, options_.stop_retry_max, kRetryJitter, 1.3, jitter_);
  Result<void> stopped = make_error(DockerErrc::canceled, "not tried");
  for (int attempt = 1; attempt <= options_.stop_attempts; ++attempt) {
    stopped = co_await docker_.stop_container(id, static_cast<int>(grace.count()),
                                              grace + std::chrono::minutes(2), m->calls);
    if (!*alive || stop_.stopped()) co_return;
    if (stopped || stopped.error().code == DockerErrc::not_found) break;
    if (attempt < options_.stop_attempts) {
      (void)co_await clock_.sleep(backoff.next(), stop_);
    }
  }
  if (!stopped) {
    auto ping = co_await docker_.ping(options_.ping_timeout, m->calls);
    if (!*alive) co_return;
    change.error = ping ? call_error("CannotStopContainerError", stopped.error())
                        : task::ApplyingError{"DockerDaemonUnavailable", stopped.error().message};
    if (!ping) {
      post(m, std::move(change));
      co_return;
    }
  }
  auto inspected = co_await docker_.inspect_container(id, options_.inspect_timeout, m->calls);
  if (!*alive) co_return;
  if (inspected) {
    if (!change.error) change.error = error_of(*inspected);
    change.inspect = std::move(*inspected);
  }
  post(m, std::move(change));
}

// ---- Docker events (§4.9) ----

asio::awaitable<void> DockerTaskEngine::watch_events(StopToken stop) {
  auto alive = alive_;
  ExponentialBackoff backoff(options_.docker_retry_min, options_.docker_retry_max, kRetryJitter, 2.0,
                             jitter_);
  for (;;) {
    auto ended =
        co_await docker_.watch_events([this](dockerapi::DockerEvent e) { on_docker_event(e); }, stop);
    if (!*alive || stop.stopped()) co_return;
    log::warn("the Docker event stream ended; subscribing again", {{"error", ended.error().message}});
    for (;;) {
      if (!co_await clock_.sleep(backoff.next(), stop)) co_return;
      auto ping = co_await docker_.ping(options_.ping_timeout, stop);
      if (!*alive || stop.stopped()) co_return;
      if (ping) break;
    }
    backoff.reset();
    // Whatever happened while the stream was down is found by looking.
    for (auto& [arn, m] : tasks_) {
      if (m->loop_started) check_task_state(m);
    }
  }
}

void DockerTaskEngine::on_docker_event(const dockerapi::DockerEvent& e) {
  auto owner = by_docker_id_.find(e.id);
  if (owner == by_docker_id_.end()) return;
  auto task = tasks_.find(owner->second.first);
  if (task == tasks_.end()) return;
  ManagedPtr m = task->second;
  const std::string& name = owner->second.second;
  if (e.action == "start") {
    spawn(m, inspect_into(m, name, e.id, ContainerStatus::running));
  } else if (e.action == "die" || e.action == "stop") {
    // A die carries the exit code: STOPPED is known now, without waiting for an inspect (which
    // the daemon answers only once it has finished with the dead container, often several ms
    // later). The inspect still follows for the times and anything else it knows. Only for a
    // container known RUNNING: one whose start has not been applied yet reports RUNNING first.
    int code = 0;
    const auto exit = e.attributes.find("exitCode");
    const task::Container* c = m->task.container(name);
    if (e.action == "die" && c != nullptr && c->known_status == ContainerStatus::running &&
        exit != e.attributes.end() &&
        std::from_chars(exit->second.data(), exit->second.data() + exit->second.size(), code).ec ==
            std::errc{}) {
      Change change{
          .container = name, .status = ContainerStatus::stopped, .docker_id = e.id, .exit_code = code};
      if (oom_killed_.erase(e.id) > 0) {
        change.error = oom_error();
      }
      post(m, std::move(change));
    }
    if (e.action == "die") oom_killed_.erase(e.id);
    spawn(m, inspect_into(m, name, e.id, ContainerStatus::stopped));
  } else if (e.action == "oom") {
    oom_killed_.insert(e.id);
    log::warn("process within container died due to OOM", {{"taskArn", m->task.arn}, {"container", name}});
  } else if (e.action.starts_with("health_status")) {
    asio::co_spawn(
        executor_,
        [this, m, name, id = e.id]() -> asio::awaitable<void> {
          auto alive = alive_;
          auto inspected = co_await docker_.inspect_container(id, options_.inspect_timeout, m->calls);
          if (!*alive || !inspected) co_return;
          post(m, Change{.container = name, .inspect = std::move(*inspected), .health_only = true});
        },
        asio::detached);
  }
}

// ---- cleanup (§7.3) ----

asio::awaitable<void> DockerTaskEngine::cleanup(ManagedPtr m) {
  auto alive = alive_;
  const auto due = m->task.known_time + options_.cleanup_wait;
  const auto now = clock_.wall_now();
  if (due > now && !co_await clock_.sleep(std::chrono::duration_cast<Clock::duration>(due - now), stop_))
    co_return;
  if (!*alive) co_return;
  // ECS must know the task stopped before the agent forgets it: at most 72 h of asking.
  const int max_polls =
      static_cast<int>(std::chrono::hours(72) / std::max(options_.sent_poll, std::chrono::nanoseconds(1)));
  for (int polls = 0; m->task.sent_status < TaskStatus::stopped; ++polls) {
    if (polls >= max_polls) {
      log::error("ECS never acknowledged the task stopped; keeping it", {{"taskArn", m->task.arn}});
      co_return;
    }
    co_await wait_for_change(m, options_.sent_poll);
    if (!*alive || stop_.stopped()) co_return;
    m->inbox.clear();  // late events of a stopped task change nothing
  }
  for (const auto& c : m->task.containers) {
    if (c.docker_id.empty()) continue;
    auto removed = co_await docker_.remove_container(c.docker_id, false, options_.remove_timeout, {});
    if (!*alive) co_return;
    if (!removed && removed.error().code != DockerErrc::not_found) {
      log::warn("could not remove a container",
                {{"taskArn", m->task.arn}, {"container", c.name}, {"error", removed.error().message}});
    }
    by_docker_id_.erase(c.docker_id);
  }
  for (const auto& v : m->task.volumes) {
    if (!v.created || v.docker_volume_name.empty()) continue;
    auto removed = co_await docker_.remove_volume(v.docker_volume_name, options_.remove_timeout, {});
    if (!*alive) co_return;
    if (!removed && removed.error().code != DockerErrc::not_found) {
      log::warn("could not remove a task volume",
                {{"taskArn", m->task.arn}, {"volume", v.name}, {"error", removed.error().message}});
    }
  }
  if (!m->task.execution_credentials_id.empty())
    credentials_.remove_task_credentials(m->task.execution_credentials_id);
  if (metadata_ != nullptr) {
    if (auto r = metadata_->clean(m->task.arn); !r) {
      log::warn("could not remove the task's container metadata",
                {{"taskArn", m->task.arn}, {"error", r.error().message}});
    }
  }
  if (exec_manager_ != nullptr && !m->exec.empty()) {
    if (auto r = exec_manager_->cleanup_task(exec_info(*m)); !r) {
      log::warn("could not remove the task's ECS Exec logs",
                {{"taskArn", m->task.arn}, {"error", r.error().message}});
    }
  }
  if (auto r = repository_.remove_task(m->task.arn); !r) {
    log::error("could not remove a task from the state",
               {{"taskArn", m->task.arn}, {"error", r.error().message}});
  }
  m->removed = true;
  m->calls.stop();
  log::info("task cleaned up", {{"taskArn", m->task.arn}});
  tasks_.erase(m->task.arn);
}

}  // namespace ecs::engine
