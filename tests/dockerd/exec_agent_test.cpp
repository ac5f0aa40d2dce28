// The ECS Exec manager against a real dockerd (exec-manager.md §3–§4): a host tree laid out as
// in §2.3 under a temporary root, a busybox container created with the bind mounts
// InitializeContainer produced, and the project's fake SSM agent (tests/fixtures) in the role of
// amazon-ssm-agent. Tests that restart, stop or kill dockerd use an engine of their own.
#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "dockerapi/client.h"
#include "execcmd/config_files.h"
#include "execcmd/errors.h"
#include "execcmd/filesystem.h"
#include "execcmd/manager.h"
#include "execcmd/monitor.h"
#include "support/dockerd.h"
#include "support/exec_host_tree.h"
#include "support/process.h"
#include "support/run.h"
#include "support/temp_dir.h"

#ifndef ECS_FAKE_SSM_AGENT
#error "ECS_FAKE_SSM_AGENT must name the built tests/fixtures/fake_ssm_agent"
#endif

namespace ecs::execcmd {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using dockerapi::DockerErrc;
using dockerapi::EngineClient;

constexpr const char* kTaskArn = "arn:aws:ecs:us-west-2:123456789012:task/cluster/0123456789abcdef";
constexpr const char* kTaskId = "0123456789abcdef";

std::string random_suffix() {
  static std::mt19937_64 engine(std::random_device{}());
  return std::to_string(engine() % 1000000000);
}

// The file's text; empty when it cannot be read. A /proc file of a process that is exiting fails
// mid-read (ESRCH), which libstdc++'s filebuf reports by throwing.
std::string read_text(const std::string& path) {
  try {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  } catch (const std::exception&) {
    return {};
  }
}

// The number of agent starts the fake agent recorded in `path`. A started process writes its line
// right after Docker launched it, so this waits (bounded) for at least `expected` lines and then
// a little longer for any extra ones; the result is what was seen.
std::size_t starts_recorded(const std::string& path, std::size_t expected) {
  auto count = [&] {
    const std::string text = read_text(path);
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  };
  for (int i = 0; i < 100 && count() < expected; ++i) std::this_thread::sleep_for(50ms);
  std::this_thread::sleep_for(200ms);  // a second copy, if one was wrongly started, shows up
  return count();
}

// Keeps what the manager persists, as the runtime's durable store will (JSON per container).
class JsonStore : public ManagedAgentStore {
 public:
  Result<void> save(const std::string&, const Container& container) override {
    saved[container.name] = to_json(*container.managed_agent(kExecuteCommandAgentName));
    ++saves;
    return {};
  }
  std::map<std::string, std::string> saved;
  int saves = 0;
};

ManagerOptions options_for(const test::ExecHostTree& tree) {
  ManagerOptions o;
  o.paths = tree.paths;
  // Exact §2.1 shape, shorter waits: the tests run in seconds.
  o.timing.retry_min_delay = 50ms;
  o.timing.retry_max_delay = 200ms;
  o.timing.start_retry_timeout = 60s;
  o.timing.inspect_retry_timeout = 20s;
  o.timing.call_timeout = 30s;
  return o;
}

std::shared_ptr<Container> exec_container(const std::string& name) {
  auto c = std::make_shared<Container>();
  c->name = name;
  c->known_status = ContainerStatus::running;
  ManagedAgent agent;
  agent.name = std::string(kExecuteCommandAgentName);
  c->managed_agents.push_back(agent);
  return c;
}

// Runs a coroutine to completion on the fixture's io_context.
template <class T>
T await(asio::io_context& io, asio::awaitable<T> coro) {
  return test::run(io, std::move(coro));
}

class ExecOnDockerd : public ::testing::Test {
 protected:
  // Connects to `engine` (the tree is laid out by the members' construction).
  void connect(const test::Dockerd& engine) {
    engine_ = &engine;
    auto client = EngineClient::from_docker_host(engine.docker_host);
    ASSERT_TRUE(client) << client.error().message;
    client_ = std::move(*client);
  }

  void TearDown() override {
    if (!client_) return;
    for (const auto& id : created_) {
      (void)await(io_, client_->remove_container(id, true));
    }
  }

  Manager& manager() {
    if (!manager_) manager_ = std::make_unique<Manager>(options_, files_, clock_, jitter_, &store_);
    return *manager_;
  }

  // InitializeContainer, then create and start a busybox container with its binds.
  std::string run_container(const std::shared_ptr<Container>& container, std::vector<std::string> env = {}) {
    std::vector<std::string> binds;
    auto init = manager().initialize_container(task_, *container, binds);
    EXPECT_TRUE(init) << init.error().message;
    EXPECT_EQ(binds.size(), 7u);
    dockerapi::ContainerCreateConfig config;
    config.name = "ecs-exec-test-" + container->name + "-" + random_suffix();
    config.image = engine_->busybox_image;
    config.cmd = {"sleep", "3600"};
    config.env = std::move(env);
    config.binds = binds;
    config.network_mode = "none";
    auto id = await(io_, client_->create_container(config));
    EXPECT_TRUE(id) << id.error().message;
    if (!id) return "";
    created_.push_back(*id);
    auto started = await(io_, client_->start_container(*id));
    EXPECT_TRUE(started) << started.error().message;
    container->runtime_id = *id;
    task_.containers.push_back(container);
    return *id;
  }

  Result<void> start_agent(const std::shared_ptr<Container>& c) {
    return await(io_, manager().start_agent(*client_, task_, c, c->runtime_id));
  }
  RestartResult restart_if_stopped(const std::shared_ptr<Container>& c) {
    return await(io_, manager().restart_agent_if_stopped(*client_, task_, c, c->runtime_id));
  }
  static ManagedAgentState state(const Container& c) {
    return c.managed_agent(kExecuteCommandAgentName)->state;
  }
  static AgentMetadata metadata(const Container& c) { return AgentMetadata::from_map(state(c).metadata); }

  dockerapi::ExecInspect inspect_exec(const std::string& exec_id) {
    auto r = await(io_, client_->inspect_exec(exec_id, 30s, {}));
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : dockerapi::ExecInspect{};
  }
  std::size_t exec_count(const std::string& container_id) {
    auto r = await(io_, client_->inspect_container(container_id));
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->exec_ids.size() : 0;
  }
  // Polls (bounded) until the exec's process has ended.
  bool wait_exec_exited(const std::string& exec_id) {
    for (int i = 0; i < 200; ++i) {
      auto r = await(io_, client_->inspect_exec(exec_id, 30s, {}));
      if (r && !r->running) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  // The process runs the agent binary inside the container's PID namespace (host /proc).
  void expect_agent_process_in_container(const std::string& pid, const std::string& container_id,
                                         const std::string& uuid) {
    // Docker reports an exec started once runc has created the process, which may still be
    // on its way into the agent's binary (its cmdline briefly empty or runc's): wait, bounded.
    const std::string expected = "/ecs-execute-command-" + uuid + "/amazon-ssm-agent" + std::string(1, '\0');
    std::string cmdline = read_text("/proc/" + pid + "/cmdline");
    for (int i = 0; i < 100 && cmdline != expected; ++i) {
      std::this_thread::sleep_for(50ms);
      cmdline = read_text("/proc/" + pid + "/cmdline");
    }
    EXPECT_EQ(cmdline, expected);
    auto inspected = await(io_, client_->inspect_container(container_id));
    ASSERT_TRUE(inspected);
    std::error_code ec;
    const auto agent_ns = fs::read_symlink("/proc/" + pid + "/ns/pid", ec);
    const auto container_ns =
        fs::read_symlink("/proc/" + std::to_string(inspected->state.pid) + "/ns/pid", ec);
    EXPECT_FALSE(agent_ns.empty());
    EXPECT_EQ(agent_ns, container_ns);
  }

  asio::io_context io_;
  const test::Dockerd* engine_ = nullptr;
  std::unique_ptr<EngineClient> client_;
  test::TempDir root_;
  test::ExecHostTree tree_{root_.path(), ECS_FAKE_SSM_AGENT};
  ManagerOptions options_ = options_for(tree_);
  RealFileSystem files_;
  SteadyClock clock_;
  RandomJitter jitter_;
  JsonStore store_;
  std::unique_ptr<Manager> manager_;
  TaskInfo task_{kTaskArn, TaskStatus::running, "none", {}, {}};
  std::vector<std::string> created_;
};

// ---- on the shared engine ------------------------------------------------------------------------

TEST_F(ExecOnDockerd, StartRunsTheAgentInTheContainer) {
  ECS_REQUIRE_DOCKERD(engine);
  connect(*engine);
  auto c = exec_container("app");
  const std::string id = run_container(c);
  ASSERT_FALSE(id.empty());

  auto started = start_agent(c);
  ASSERT_TRUE(started) << started.error().message;
  const ManagedAgentState s = state(*c);
  EXPECT_EQ(s.status, ManagedAgentStatus::running);
  EXPECT_TRUE(s.started());
  const AgentMetadata m = metadata(*c);
  EXPECT_EQ(m.cmd, "/ecs-execute-command-" + s.id + "/amazon-ssm-agent");
  // Docker's view of the exec.
  const auto exec = inspect_exec(m.docker_exec_id);
  EXPECT_TRUE(exec.running);
  EXPECT_EQ(std::to_string(exec.pid), m.pid);
  // The process, in the container.
  expect_agent_process_in_container(m.pid, id, s.id);
  auto ps = test::run_process({"docker", "exec", id, "sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '"},
                              {{{"DOCKER_HOST", engine->docker_host}}});
  EXPECT_NE(ps.out.find(m.cmd), std::string::npos) << ps.out << ps.err;
  // It read its mounted configuration and certificates from where the binds put them.
  auto files =
      test::run_process({"docker", "exec", id, "ls", "/ecs-execute-command-" + s.id + "/configuration",
                         "/ecs-execute-command-" + s.id + "/certs"},
                        {{{"DOCKER_HOST", engine->docker_host}}});
  EXPECT_NE(files.out.find("amazon-ssm-agent.json"), std::string::npos) << files.out << files.err;
  EXPECT_NE(files.out.find("seelog.xml"), std::string::npos) << files.out;
  EXPECT_NE(files.out.find("amazon-ssm-agent.crt"), std::string::npos) << files.out;
  EXPECT_EQ(starts_recorded(tree_.log_dir(kTaskId, "app") + "/fake-ssm-agent.starts", 1), 1u);
  // The state was handed to the store (initialised, then running).
  EXPECT_GE(store_.saves, 2);
  EXPECT_NE(store_.saved["app"].find("\"status\":\"RUNNING\""), std::string::npos) << store_.saved["app"];
}

TEST_F(ExecOnDockerd, AlreadyRunningAgentIsNotStartedAgain) {
  ECS_REQUIRE_DOCKERD(engine);
  connect(*engine);
  auto c = exec_container("app");
  const std::string id = run_container(c);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(start_agent(c));
  const AgentMetadata first = metadata(*c);
  ASSERT_EQ(exec_count(id), 1u);

  ASSERT_TRUE(start_agent(c));
  EXPECT_EQ(metadata(*c), first);
  EXPECT_EQ(exec_count(id), 1u);
  const RestartResult r = restart_if_stopped(c);
  EXPECT_EQ(r.status, RestartStatus::not_restarted);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(exec_count(id), 1u);
  EXPECT_EQ(starts_recorded(tree_.log_dir(kTaskId, "app") + "/fake-ssm-agent.starts", 1), 1u);
}

// Deviation (§9.4): the reference has no lock, so two concurrent starts launch two agents.
TEST_F(ExecOnDockerd, ConcurrentStartsLaunchOneAgent) {
  ECS_REQUIRE_DOCKERD(engine);
  connect(*engine);
  auto c = exec_container("app");
  const std::string id = run_container(c);
  ASSERT_FALSE(id.empty());
  std::vector<Result<void>> results;
  auto one = [&]() -> asio::awaitable<void> {
    results.push_back(co_await manager().start_agent(*client_, task_, c, id));
  };
  asio::co_spawn(io_, one(), asio::detached);
  asio::co_spawn(io_, one(), asio::detached);
  io_.restart();
  io_.run();  // returns once both have finished
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0]);
  EXPECT_TRUE(results[1]);
  EXPECT_EQ(exec_count(id), 1u);
  EXPECT_EQ(starts_recorded(tree_.log_dir(kTaskId, "app") + "/fake-ssm-agent.starts", 1), 1u);
}

TEST_F(ExecOnDockerd, KilledAgentIsRestarted) {
  ECS_REQUIRE_DOCKERD(engine);
  connect(*engine);
  auto c = exec_container("app");
  const std::string id = run_container(c);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(start_agent(c));
  const AgentMetadata before = metadata(*c);
  // Killed once it runs: a SIGKILL right after Docker created the process can land before the
  // agent executed anything (then the first start is never recorded).
  ASSERT_EQ(starts_recorded(tree_.log_dir(kTaskId, "app") + "/fake-ssm-agent.starts", 1), 1u);
  ASSERT_EQ(::kill(std::stoi(before.pid), SIGKILL), 0);
  ASSERT_TRUE(wait_exec_exited(before.docker_exec_id));

  const RestartResult r = restart_if_stopped(c);
  EXPECT_EQ(r.status, RestartStatus::restarted) << (r.error ? r.error->message : "");
  const AgentMetadata after = metadata(*c);
  EXPECT_NE(after.docker_exec_id, before.docker_exec_id);
  EXPECT_NE(after.pid, before.pid);
  EXPECT_EQ(state(*c).status, ManagedAgentStatus::running);
  EXPECT_TRUE(inspect_exec(after.docker_exec_id).running);
  expect_agent_process_in_container(after.pid, id, state(*c).id);
  EXPECT_EQ(starts_recorded(tree_.log_dir(kTaskId, "app") + "/fake-ssm-agent.starts", 2), 2u);
}

TEST_F(ExecOnDockerd, ExitedAgentIsRestarted) {
  ECS_REQUIRE_DOCKERD(engine);
  connect(*engine);
  auto c = exec_container("app");
  const std::string id = run_container(c);
  ASSERT_FALSE(id.empty());
  const std::string mode_file = tree_.log_dir(kTaskId, "app") + "/fake-ssm-agent.mode";
  std::ofstream(mode_file) << "exit:300:3\n";
  ASSERT_TRUE(start_agent(c));
  const AgentMetadata before = metadata(*c);
  ASSERT_TRUE(wait_exec_exited(before.docker_exec_id));
  EXPECT_EQ(inspect_exec(before.docker_exec_id).exit_code, 3);

  std::ofstream(mode_file) << "forever\n";
  const RestartResult r = restart_if_stopped(c);
  EXPECT_EQ(r.status, RestartStatus::restarted) << (r.error ? r.error->message : "");
  EXPECT_TRUE(inspect_exec(metadata(*c).docker_exec_id).running);
  ASSERT_EQ(starts_recorded(tree_.log_dir(kTaskId, "app") + "/fake-ssm-agent.starts", 2), 2u);
  const std::string starts = read_text(tree_.log_dir(kTaskId, "app") + "/fake-ssm-agent.starts");
  EXPECT_NE(starts.find(" exit:300:3\n"), std::string::npos) << starts;
  EXPECT_NE(starts.find(" forever\n"), std::string::npos) << starts;
}

TEST_F(ExecOnDockerd, AgentThatCannotBeLaunchedIsReportedStopped) {
  ECS_REQUIRE_DOCKERD(engine);
  connect(*engine);
  auto c = exec_container("app");
  // Not executable: Docker cannot launch it, every attempt fails with the daemon's reason.
  ::chmod(tree_.agent_binary().c_str(), 0644);
  const std::string id = run_container(c);
  ASSERT_FALSE(id.empty());
  auto started = start_agent(c);
  ASSERT_FALSE(started);
  EXPECT_EQ(state(*c).status, ManagedAgentStatus::stopped);
  EXPECT_EQ(state(*c).reason, started.error().message);
  EXPECT_NE(started.error().message.find("unable to start ExecuteCommandAgent"), std::string::npos)
      << started.error().message;
  EXPECT_FALSE(state(*c).started());
}

TEST_F(ExecOnDockerd, StoppedContainerExhaustsTheRetriesWithTheDaemonsReason) {
  ECS_REQUIRE_DOCKERD(engine);
  connect(*engine);
  auto c = exec_container("app");
  const std::string id = run_container(c);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(start_agent(c));
  ASSERT_TRUE(await(io_, client_->stop_container(id, 1)));

  const RestartResult r = restart_if_stopped(c);
  EXPECT_EQ(r.status, RestartStatus::not_restarted);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, DockerErrc::conflict) << r.error->message;
  const ManagedAgentState s = state(*c);
  EXPECT_EQ(s.status, ManagedAgentStatus::stopped);
  EXPECT_NE(
      s.reason.find("unable to start ExecuteCommandAgent [create]: Error response from daemon: Container "),
      std::string::npos)
      << s.reason;
  EXPECT_NE(s.reason.find("is not running"), std::string::npos) << s.reason;
}

// §3.4 errors, on the real file system: what is missing is named.
TEST_F(ExecOnDockerd, InitializeContainerNamesWhatIsMissing) {
  {
    fs::remove(tree_.paths.host_deps_dir + "/certs/tls-ca-bundle.pem");
    auto c = exec_container("no-certs");
    std::vector<std::string> binds;
    auto r = manager().initialize_container(task_, *c, binds);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ExecErrc::certs_missing);
    EXPECT_TRUE(binds.empty());
    EXPECT_TRUE(state(*c).init_failed);
    EXPECT_EQ(state(*c).status, ManagedAgentStatus::stopped);
    EXPECT_EQ(state(*c).reason, "could not find certs");
  }
  {
    fs::remove(tree_.paths.host_deps_dir + "/bin/" + test::ExecHostTree::kAgentVersion +
               "/ssm-session-worker");
    auto c = exec_container("no-binary");
    std::vector<std::string> binds;
    auto r = manager().initialize_container(task_, *c, binds);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ExecErrc::no_valid_versions);
    EXPECT_EQ(r.error().message, "no valid versions were found in " + tree_.paths.host_deps_dir + "/bin");
  }
  {
    fs::remove_all(tree_.paths.host_deps_dir + "/bin");
    auto c = exec_container("no-versions");
    std::vector<std::string> binds;
    auto r = manager().initialize_container(task_, *c, binds);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(tree_.paths.host_deps_dir + "/bin"), std::string::npos)
        << r.error().message;
    EXPECT_TRUE(state(*c).init_failed);
  }
}

// A restarted agent loads the persisted state and keeps monitoring the copy already running.
TEST_F(ExecOnDockerd, PersistedStateKeepsTheRunningAgent) {
  ECS_REQUIRE_DOCKERD(engine);
  connect(*engine);
  auto c = exec_container("app");
  const std::string id = run_container(c);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(start_agent(c));
  const std::string saved = store_.saved["app"];

  // "Restart": a new manager and a container rebuilt from the saved JSON.
  manager_.reset();
  auto loaded = managed_agent_from_json(saved);
  ASSERT_TRUE(loaded) << loaded.error().message;
  auto again = std::make_shared<Container>();
  again->name = "app";
  again->runtime_id = id;
  again->known_status = ContainerStatus::running;
  again->managed_agents.push_back(*loaded);
  EXPECT_EQ(state(*again), state(*c));

  ASSERT_TRUE(start_agent(again));
  EXPECT_EQ(restart_if_stopped(again).status, RestartStatus::not_restarted);
  EXPECT_EQ(exec_count(id), 1u);
  EXPECT_EQ(starts_recorded(tree_.log_dir(kTaskId, "app") + "/fake-ssm-agent.starts", 1), 1u);
  EXPECT_EQ(metadata(*again), metadata(*c));
}

// The reference's integration test (TestExecCommandAgent, monitor interval 1 s): the agent is
// killed, the monitor restarts it with a new PID and reports it; the task's log directory goes
// with the task.
TEST_F(ExecOnDockerd, MonitorRestartsAKilledAgentAndCleanupRemovesTheLogs) {
  ECS_REQUIRE_DOCKERD(engine);
  connect(*engine);
  auto c = exec_container("app");
  const std::string id = run_container(c);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(start_agent(c));
  const AgentMetadata before = metadata(*c);
  // Killed once it runs: a SIGKILL right after Docker created the process can land before the
  // agent executed anything (then the first start is never recorded).
  ASSERT_EQ(starts_recorded(tree_.log_dir(kTaskId, "app") + "/fake-ssm-agent.starts", 1), 1u);
  ASSERT_EQ(::kill(std::stoi(before.pid), SIGKILL), 0);
  ASSERT_TRUE(wait_exec_exited(before.docker_exec_id));

  struct OneTask : TaskSource {
    std::vector<TaskInfo> list;
    std::vector<TaskInfo> tasks() override { return list; }
  } source;
  source.list = {task_};
  struct StopOnEvent : ManagedAgentReporter {
    StopSource& stop;
    std::vector<ManagedAgentEvent> events;
    explicit StopOnEvent(StopSource& s) : stop(s) {}
    void report(const ManagedAgentEvent& e) override {
      events.push_back(e);
      stop.stop();
    }
  };
  StopSource stop;
  StopOnEvent reporter(stop);
  MonitorOptions fast;
  fast.interval = 1s;
  Monitor monitor(manager(), *client_, source, reporter, clock_, jitter_, fast);
  asio::steady_timer guard(io_, 60s);  // bounded: no restart within a minute fails the test
  guard.async_wait([&stop](boost::system::error_code ec) {
    if (!ec) stop.stop();
  });
  asio::co_spawn(io_, monitor.run(stop), [&guard](std::exception_ptr) { guard.cancel(); });
  io_.restart();
  io_.run();

  ASSERT_EQ(reporter.events.size(), 1u);
  EXPECT_EQ(reporter.events[0].reason, "ExecuteCommandAgent restarted");
  EXPECT_EQ(reporter.events[0].status, ManagedAgentStatus::running);
  const AgentMetadata after = metadata(*c);
  EXPECT_NE(after.pid, before.pid);
  EXPECT_TRUE(inspect_exec(after.docker_exec_id).running);
  expect_agent_process_in_container(after.pid, id, state(*c).id);

  ASSERT_TRUE(fs::exists(tree_.log_dir(kTaskId, "app")));
  ASSERT_TRUE(manager().cleanup_task(task_));
  EXPECT_FALSE(fs::exists(tree_.paths.host_log_dir + "/" + kTaskId));
}

// ---- on an engine of the test's own ------------------------------------------------------------

// Docker keeps exec records in memory: a dockerd restart drops them (inspect answers 404). With
// --live-restore the agent lives on and must not be doubled; once it is dead it is restarted
// (the reference reports Unknown for ever).
TEST_F(ExecOnDockerd, ExecRecordLostInADockerdRestart) {
  ECS_REQUIRE_OWN_DOCKERD(own, "--live-restore");
  connect(*own.engine());
  auto c = exec_container("app");
  const std::string id = run_container(c);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(start_agent(c));
  const AgentMetadata before = metadata(*c);

  std::string error;
  ASSERT_TRUE(own.restart(&error)) << error;
  auto gone = await(io_, client_->inspect_exec(before.docker_exec_id, 30s, {}));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, DockerErrc::not_found) << gone.error().message;

  // Still running (the container's process list shows it): not restarted.
  RestartResult r = restart_if_stopped(c);
  EXPECT_EQ(r.status, RestartStatus::not_restarted);
  EXPECT_EQ(metadata(*c), before);
  EXPECT_EQ(starts_recorded(tree_.log_dir(kTaskId, "app") + "/fake-ssm-agent.starts", 1), 1u);

  // Dead with no record: restarted.
  ASSERT_EQ(::kill(std::stoi(before.pid), SIGKILL), 0);
  for (int i = 0; i < 200 && fs::exists("/proc/" + before.pid + "/cmdline") &&
                  !read_text("/proc/" + before.pid + "/cmdline").empty();
       ++i) {
    std::this_thread::sleep_for(50ms);
  }
  r = restart_if_stopped(c);
  EXPECT_EQ(r.status, RestartStatus::restarted) << (r.error ? r.error->message : "");
  EXPECT_EQ(state(*c).status, ManagedAgentStatus::running);
  EXPECT_TRUE(inspect_exec(metadata(*c).docker_exec_id).running);
  EXPECT_EQ(starts_recorded(tree_.log_dir(kTaskId, "app") + "/fake-ssm-agent.starts", 2), 2u);
}

// dockerd frozen (SIGSTOP) mid-call: typed timeouts, bounded; killed mid-call: transport error.
TEST_F(ExecOnDockerd, StoppedOrKilledDockerdGivesTypedErrorsAndNoHang) {
  ECS_REQUIRE_OWN_DOCKERD(own, "");
  connect(*own.engine());
  ASSERT_TRUE(await(io_, client_->ping()));  // negotiated before the freeze
  const int pid = own.dockerd_pid();
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);

  auto frozen = await(io_, client_->inspect_container("anything", 300ms));
  ASSERT_FALSE(frozen);
  EXPECT_EQ(frozen.error().code, DockerErrc::timeout) << frozen.error().message;

  // The manager's start gives up within its own deadline with the typed error.
  options_.timing.call_timeout = 200ms;
  options_.timing.start_retry_timeout = 1500ms;
  auto c = exec_container("app");
  std::vector<std::string> binds;
  ASSERT_TRUE(manager().initialize_container(task_, *c, binds));
  auto started = await(io_, manager().start_agent(*client_, task_, c, "frozen-container"));
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, DockerErrc::timeout) << started.error().message;
  EXPECT_EQ(state(*c).status, ManagedAgentStatus::stopped);

  // Killed while a call waits for its answer.
  auto killed_mid_call = [&]() -> asio::awaitable<Result<dockerapi::ContainerInspect>> {
    asio::steady_timer timer(co_await asio::this_coro::executor, 300ms);
    timer.async_wait([pid](boost::system::error_code ec) {
      if (!ec) ::kill(pid, SIGKILL);
    });
    co_return co_await client_->inspect_container("anything", 60s);
  };
  auto killed = await(io_, killed_mid_call());
  ASSERT_FALSE(killed);
  EXPECT_EQ(killed.error().code, DockerErrc::transport) << killed.error().message;
  auto after = await(io_, client_->inspect_container("anything", 5s));
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, DockerErrc::transport) << after.error().message;
}

}  // namespace
}  // namespace ecs::execcmd
