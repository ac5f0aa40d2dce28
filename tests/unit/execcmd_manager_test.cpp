// The exec manager against a scripted Docker API, an in-memory file system and a manual clock:
// every test of exec-manager.md §8 (manager_test.go, agent_version_test.go,
// manager_start_test.go, manager_init_task*_test.go) and the deviations from the reference.
#include "execcmd/manager.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/digest.h"
#include "core/log.h"
#include "core/rfc3339.h"
#include "execcmd/agent_version.h"
#include "execcmd/config_files.h"
#include "execcmd/errors.h"
#include "support/fake_exec_api.h"
#include "support/fake_filesystem.h"
#include "support/run.h"

namespace ecs::execcmd {
namespace {

using namespace std::chrono_literals;
using dockerapi::DockerErrc;
using dockerapi::ExecInspect;
using test::FakeExecApi;
using test::FakeFileSystem;
using test::mock_error;

constexpr const char* kTaskArn = "arn:aws:ecs:us-west-2:abc:task/my-cluster/task-id";
constexpr const char* kSpecTestCmd = "/ecs-execute-command-test-uid/amazon-ssm-agent";
constexpr const char* kBin = "/managed-agents/execute-command/bin";

ManagedAgent exec_agent(std::optional<StringMap> properties = std::nullopt) {
  ManagedAgent a;
  a.name = std::string(kExecuteCommandAgentName);
  a.properties = std::move(properties);
  return a;
}

std::shared_ptr<Container> container(std::string name = "container-name", bool exec = true) {
  auto c = std::make_shared<Container>();
  c->name = std::move(name);
  c->runtime_id = "123abc";
  c->known_status = ContainerStatus::running;
  if (exec) c->managed_agents.push_back(exec_agent());
  return c;
}

TaskInfo task_with(const std::shared_ptr<Container>& c) {
  TaskInfo t;
  t.arn = kTaskArn;
  t.known_status = TaskStatus::running;
  t.containers = {c};
  return t;
}

// newTestManager: 1 ms min, 30 ms max, start timeout 2 s, inspect timeout 1 s.
ManagerOptions test_options() {
  ManagerOptions o;
  o.timing.retry_min_delay = 1ms;
  o.timing.retry_max_delay = 30ms;
  o.timing.start_retry_timeout = 2s;
  o.timing.inspect_retry_timeout = 1s;
  return o;
}

class ExecManagerTest : public ::testing::Test {
 protected:
  Manager manager(ManagerOptions o = test_options()) { return Manager(std::move(o), fs, clock, jitter); }

  void set_state(Container& c, ManagedAgentState s) {
    ASSERT_TRUE(c.update_managed_agent(kExecuteCommandAgentName, s));
  }
  ManagedAgentState state(const Container& c) { return c.managed_agent(kExecuteCommandAgentName)->state; }

  FakeFileSystem fs;
  ManualClock clock;
  FixedJitter jitter{0.5};
  FakeExecApi docker;
};

// ---- manager_test.go --------------------------------------------------------------------------

TEST_F(ExecManagerTest, NewManager) {
  ManagerOptions o;
  o.instance_ipv6_only = true;
  Manager m(o, fs, clock, jitter);
  EXPECT_EQ(m.options().paths.host_bin(), "/var/lib/ecs/deps/execute-command/bin");
  EXPECT_EQ(m.options().timing.inspect_retry_timeout, 2min);
  EXPECT_EQ(m.options().timing.retry_min_delay, 1s);
  EXPECT_EQ(m.options().timing.retry_max_delay, 30s);
  EXPECT_EQ(m.options().timing.start_retry_timeout, 10min);
  EXPECT_EQ(m.options().timing.max_attempts, 5);
  EXPECT_EQ(m.options().timing.call_timeout, 1min);
  EXPECT_TRUE(m.options().instance_ipv6_only);  // the configuration is kept
}

TEST_F(ExecManagerTest, NewManagerWithBinDir) {
  ManagerOptions o;
  o.paths.host_bin_dir = "/test";
  Manager m(o, fs, clock, jitter);
  EXPECT_EQ(m.options().paths.host_bin(), "/test");
  EXPECT_EQ(m.options().paths.agent_bin_dir(), kBin);  // versions are still read from the agent view
  EXPECT_EQ(m.options().timing.start_retry_timeout, 10min);
}

TEST_F(ExecManagerTest, IsExecEnabledTask) {
  auto c = container("c", false);
  ManagedAgent other;
  other.name = "randomAgent";
  c->managed_agents.push_back(other);
  EXPECT_FALSE(is_exec_enabled(task_with(c)));
  EXPECT_TRUE(is_exec_enabled(task_with(container())));
}

TEST_F(ExecManagerTest, ExecEnabledContainer) {
  auto c = container("c", false);
  ManagedAgent other;
  other.name = "randomAgent";
  c->managed_agents.push_back(other);
  EXPECT_FALSE(is_exec_enabled(*c));
  EXPECT_TRUE(is_exec_enabled(*container()));
}

// ---- agent_version_test.go ------------------------------------------------------------------------

TEST(AgentVersion, Compare) {
  EXPECT_EQ(compare({3, 0, 236, 0}, {3, 0, 237, 0}), -1);
  EXPECT_EQ(compare({}, {}), 0);
  EXPECT_EQ(compare({3, 0, 236, 0}, {3, 0, 236, 0}), 0);
  EXPECT_EQ(compare({3, 0, 237, 0}, {3, 0, 236, 0}), 1);
  EXPECT_EQ(compare({3, 0, 236}, {1, 1, 1, 1}), 1);
  EXPECT_EQ(compare({1, 1, 1, 1}, {3, 0, 236}), -1);
  EXPECT_EQ(compare({}, {1, 1, 1, 1}), -1);
  EXPECT_EQ(compare({1, 1, 1, 1}, {}), 1);
  EXPECT_EQ(compare({3, 0}, {3, 0, 0}), 0);  // missing elements count as 0
}

TEST(AgentVersion, String) {
  EXPECT_EQ(to_string(AgentVersion{}), "");
  EXPECT_EQ(to_string(AgentVersion{1}), "1");
  EXPECT_EQ(to_string(AgentVersion{1, 2}), "1.2");
  EXPECT_EQ(to_string(AgentVersion{3, 0, 236, 0}), "3.0.236.0");
  EXPECT_EQ(to_string(*parse_agent_version("03.0")), "3.0");  // normalised
}

TEST(AgentVersion, Parse) {
  EXPECT_EQ(*parse_agent_version("1"), AgentVersion{1});
  EXPECT_EQ(*parse_agent_version("3.0.236.0"), (AgentVersion{3, 0, 236, 0}));
  EXPECT_EQ(*parse_agent_version("4294967295"), AgentVersion{4294967295u});
  for (const char* bad : {"1..2", "randomDir", "", "1.", ".1", "-1", "+1", " 1", "1.a", "4294967296"}) {
    EXPECT_FALSE(parse_agent_version(bad)) << bad;
  }
}

TEST(AgentVersion, ByAgentVersionSorts) {
  std::vector<AgentVersion> v = {{3, 0, 236, 0}, {1, 1, 1, 1}, {2, 0, 0, 0}, {1, 1, 1, 1}};
  EXPECT_EQ(v.size(), 4u);
  auto less = [](const AgentVersion& a, const AgentVersion& b) { return compare(a, b) < 0; };
  EXPECT_TRUE(less({2, 0, 0, 0}, {3, 0, 236, 0}));
  EXPECT_FALSE(less({3, 0, 236, 0}, {2, 0, 0, 0}));
  EXPECT_FALSE(less({1, 1, 1, 1}, {1, 1, 1, 1}));
  std::swap(v[0], v[3]);
  EXPECT_EQ(v[0], (AgentVersion{1, 1, 1, 1}));
  EXPECT_EQ(v[3], (AgentVersion{3, 0, 236, 0}));
  std::sort(v.begin(), v.end(), less);
  EXPECT_EQ(v, (std::vector<AgentVersion>{{1, 1, 1, 1}, {1, 1, 1, 1}, {2, 0, 0, 0}, {3, 0, 236, 0}}));
}

TEST(AgentVersion, RetrieveAgentVersions) {
  {  // ioutil.ReadDir error
    FakeFileSystem fs;
    fs.fail_list["/bin"] = mock_error("readdir failed");
    auto r = retrieve_agent_versions(fs, "/bin");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "readdir failed");
  }
  {  // no files
    FakeFileSystem fs;
    fs.add_dir("/bin");
    auto r = retrieve_agent_versions(fs, "/bin");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
  }
  {  // non-version directories and files are skipped
    FakeFileSystem fs;
    fs.add_dir("/bin");
    fs.add_dir("/bin/0.0.0.0");
    fs.add_dir("/bin/1.0.0.0");
    fs.add_dir("/bin/randomDir");
    fs.add_file("/bin/randomFile");
    fs.add_file("/bin/2.0.0.0");
    auto r = retrieve_agent_versions(fs, "/bin");
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (std::vector<AgentVersion>{{0, 0, 0, 0}, {1, 0, 0, 0}}));
  }
  {  // happy path: listing order, not sorted by version
    struct Listing : FakeFileSystem {
      Result<std::vector<DirEntry>> list_dir(const std::string&) override {
        return std::vector<DirEntry>{{"3.0.236.0", true}, {"0.0.0.0", true}, {"1.0.0.0", true}};
      }
    } fs;
    auto r = retrieve_agent_versions(fs, "/bin");
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (std::vector<AgentVersion>{{3, 0, 236, 0}, {0, 0, 0, 0}, {1, 0, 0, 0}}));
  }
}

// ---- manager_start_test.go: TestStartAgent -----------------------------------------------------

class StartAgentTest : public ExecManagerTest {
 protected:
  void SetUp() override {
    c = container();
    set_state(*c, initialised());
  }
  static ManagedAgentState initialised() {
    ManagedAgentState s;
    s.id = "test-uid";
    return s;
  }
  Result<void> start() {
    Manager m = manager();
    return test::run(m.start_agent(docker, task_with(c), c, c->runtime_id));
  }
  std::shared_ptr<Container> c;
};

TEST_F(StartAgentTest, ExecDisabled) {
  auto plain = container("c", false);
  Manager m = manager();
  auto r = test::run(m.start_agent(docker, task_with(plain), plain, plain->runtime_id));
  EXPECT_TRUE(r);
  EXPECT_TRUE(docker.creates.empty());
  EXPECT_TRUE(plain->managed_agents.empty());
}

TEST_F(StartAgentTest, CreateErrorIsRetriedFiveTimes) {
  docker.on_create = [](const auto&) -> Result<std::string> { return mock_error("mock error"); };
  auto r = start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "unable to start ExecuteCommandAgent [create]: mock error");
  EXPECT_EQ(docker.creates.size(), 5u);
  EXPECT_TRUE(docker.starts.empty());
  EXPECT_EQ(AgentMetadata::from_map(state(*c).metadata), AgentMetadata{});
  EXPECT_EQ(state(*c).status, ManagedAgentStatus::stopped);
  EXPECT_EQ(state(*c).reason, r.error().message);
  EXPECT_FALSE(state(*c).started());
  // 4 sleeps between 5 attempts: 1 ms ×1.5, +10 % (half of the 20 % jitter).
  EXPECT_EQ(clock.sleeps().size(), 4u);
}

TEST_F(StartAgentTest, StartErrorIsRetriedFiveTimes) {
  docker.on_create = [](const auto&) -> Result<std::string> { return std::string("mockDockerExecID"); };
  docker.on_start = [](const auto&) -> Result<void> { return mock_error("mock error"); };
  auto r = start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "unable to start ExecuteCommandAgent [pre-start]: mock error");
  EXPECT_EQ(docker.creates.size(), 5u);
  EXPECT_EQ(docker.starts.size(), 5u);
  EXPECT_EQ(AgentMetadata::from_map(state(*c).metadata), AgentMetadata{});
}

TEST_F(StartAgentTest, InspectErrorIsRetriedFiveTimes) {
  docker.on_create = [](const auto&) -> Result<std::string> { return std::string("mockDockerExecID"); };
  docker.on_start = [](const auto&) -> Result<void> { return {}; };
  docker.on_inspect = [](const auto&) -> Result<ExecInspect> { return mock_error("mock error"); };
  auto r = start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "unable to start ExecuteCommandAgent [inspect]: mock error");
  EXPECT_EQ(docker.creates.size(), 5u);
  EXPECT_EQ(docker.starts.size(), 5u);
  EXPECT_EQ(docker.inspects.size(), 5u);
  EXPECT_EQ(AgentMetadata::from_map(state(*c).metadata), AgentMetadata{});
}

TEST_F(StartAgentTest, ExitedAgentIsRetriedAndReported) {
  docker.on_create = [](const auto&) -> Result<std::string> { return std::string("x"); };
  docker.on_start = [](const auto&) -> Result<void> { return {}; };
  docker.on_inspect = [](const auto&) -> Result<ExecInspect> {
    ExecInspect e;
    e.exit_code = 3;
    return e;
  };
  auto r = start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ExecErrc::agent_exited);
  EXPECT_EQ(r.error().message, "ExecuteCommandAgent process exited with exit code: 3");
  EXPECT_EQ(docker.creates.size(), 5u);
}

TEST_F(StartAgentTest, HappyPath) {
  docker.on_create = [](const auto&) -> Result<std::string> { return std::string("mockDockerExecID"); };
  docker.on_start = [](const auto&) -> Result<void> { return {}; };
  docker.on_inspect = [](const auto&) -> Result<ExecInspect> {
    ExecInspect e;
    e.pid = 9876;
    e.running = true;
    return e;
  };
  // The default overall deadline (10 min), so that each call gets its whole 1 min.
  ManagerOptions o = test_options();
  o.timing.start_retry_timeout = 10min;
  Manager m = manager(o);
  auto r = test::run(m.start_agent(docker, task_with(c), c, c->runtime_id));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(docker.creates.size(), 1u);
  EXPECT_EQ(docker.creates[0].container_id, "123abc");
  EXPECT_EQ(docker.creates[0].config.user, "0");
  EXPECT_TRUE(docker.creates[0].config.detach);
  EXPECT_EQ(docker.creates[0].config.cmd, std::vector<std::string>{kSpecTestCmd});
  EXPECT_EQ(docker.creates[0].timeout, 1min);
  ASSERT_EQ(docker.starts.size(), 1u);
  EXPECT_EQ(docker.starts[0].id, "mockDockerExecID");
  EXPECT_EQ(docker.starts[0].timeout, 1min);
  ASSERT_EQ(docker.inspects.size(), 1u);
  EXPECT_EQ(docker.inspects[0].id, "mockDockerExecID");
  EXPECT_EQ(docker.inspects[0].timeout, 1min);
  const auto s = state(*c);
  EXPECT_EQ(AgentMetadata::from_map(s.metadata), (AgentMetadata{"9876", "mockDockerExecID", kSpecTestCmd}));
  EXPECT_EQ(s.status, ManagedAgentStatus::running);
  EXPECT_LT(std::chrono::abs(clock.wall_now() - s.last_started_at), 5s);
  EXPECT_EQ(s.id, "test-uid");
}

TEST_F(StartAgentTest, MissingUuidIsAnErrorWithoutStateChange) {
  set_state(*c, ManagedAgentState{});
  auto r = start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ExecErrc::missing_uuid);
  EXPECT_EQ(r.error().message, "container has not been initialized: missing UUID");
  EXPECT_EQ(state(*c), ManagedAgentState{});
  EXPECT_TRUE(docker.creates.empty());
}

TEST_F(StartAgentTest, IdempotentStartAgent) {
  docker.on_create = [](const auto&) -> Result<std::string> { return std::string("abc"); };
  docker.on_start = [](const auto&) -> Result<void> { return {}; };
  docker.on_inspect = [](const auto&) -> Result<ExecInspect> {
    ExecInspect e;
    e.pid = 111;
    e.running = true;
    return e;
  };
  ASSERT_TRUE(start());
  const auto first = state(*c);
  EXPECT_EQ(first.status, ManagedAgentStatus::running);
  EXPECT_EQ(AgentMetadata::from_map(first.metadata), (AgentMetadata{"111", "abc", kSpecTestCmd}));
  clock.advance(1s);
  ASSERT_TRUE(start());
  EXPECT_EQ(docker.creates.size(), 1u);
  EXPECT_EQ(docker.starts.size(), 1u);
  EXPECT_EQ(docker.inspects.size(), 2u);
  EXPECT_EQ(state(*c), first);  // LastStartedAt, metadata and RUNNING unchanged
}

// ---- manager_start_test.go: TestRestartAgentIfStopped -------------------------------------------

class RestartTest : public StartAgentTest {
 protected:
  void SetUp() override {
    c = container();
    ManagedAgentState s;
    s.id = "test-uid";
    s.last_started_at = clock.wall_now();
    s.metadata = AgentMetadata{"456", "789", "amazon-ssm-agent"}.to_map();
    set_state(*c, s);
    before = s;
  }
  RestartResult restart() {
    Manager m = manager();
    return test::run(m.restart_agent_if_stopped(docker, task_with(c), c, c->runtime_id));
  }
  ManagedAgentState before;
};

TEST_F(RestartTest, ExecAgentDisabled) {
  auto plain = container("c", false);
  Manager m = manager();
  auto r = test::run(m.restart_agent_if_stopped(docker, task_with(plain), plain, plain->runtime_id));
  EXPECT_EQ(r.status, RestartStatus::not_restarted);
  EXPECT_FALSE(r.error);
}

TEST_F(RestartTest, InspectTimeoutIsNotRetried) {
  docker.on_inspect = [](const auto&) -> Result<ExecInspect> {
    return make_error(DockerErrc::timeout,
                      "Could not transition to inspect exec command; timed out after waiting 1m0s");
  };
  auto r = restart();
  EXPECT_EQ(r.status, RestartStatus::unknown);
  EXPECT_FALSE(r.error);
  ASSERT_EQ(docker.inspects.size(), 1u);
  EXPECT_EQ(docker.inspects[0].id, "789");
  EXPECT_EQ(state(*c), before);
}

TEST_F(RestartTest, OtherInspectErrorIsRetriedFiveTimes) {
  docker.on_inspect = [](const auto&) -> Result<ExecInspect> { return mock_error(); };
  auto r = restart();
  EXPECT_EQ(r.status, RestartStatus::unknown);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(docker.inspects.size(), 5u);
  EXPECT_EQ(state(*c), before);
}

TEST_F(RestartTest, StillRunning) {
  docker.on_inspect = [](const auto&) -> Result<ExecInspect> {
    ExecInspect e;
    e.running = true;
    return e;
  };
  auto r = restart();
  EXPECT_EQ(r.status, RestartStatus::not_restarted);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(docker.inspects.size(), 1u);
  EXPECT_EQ(state(*c), before);
}

TEST_F(RestartTest, StoppedIsRestarted) {
  docker.on_inspect = [](const auto& call) -> Result<ExecInspect> {
    ExecInspect e;
    if (call.id == "newDockerExecId") {
      e.pid = 111;
      e.running = true;
    }
    return e;
  };
  docker.on_create = [](const auto&) -> Result<std::string> { return std::string("newDockerExecId"); };
  docker.on_start = [](const auto&) -> Result<void> { return {}; };
  auto r = restart();
  EXPECT_EQ(r.status, RestartStatus::restarted);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(docker.inspects[0].id, "789");
  EXPECT_EQ(docker.creates.size(), 1u);
  EXPECT_EQ(docker.starts.size(), 1u);
  EXPECT_EQ(docker.inspects.size(), 2u);
  const auto s = state(*c);
  EXPECT_EQ(AgentMetadata::from_map(s.metadata), (AgentMetadata{"111", "newDockerExecId", kSpecTestCmd}));
  EXPECT_EQ(s.status, ManagedAgentStatus::running);
}

TEST_F(RestartTest, FailedRestartIsReportedWithTheStartError) {
  docker.on_inspect = [](const auto&) -> Result<ExecInspect> { return ExecInspect{}; };
  docker.on_create = [](const auto&) -> Result<std::string> {
    return make_error(DockerErrc::conflict, "Error response from daemon: container 123abc is not running");
  };
  auto r = restart();
  EXPECT_EQ(r.status, RestartStatus::not_restarted);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->message,
            "unable to start ExecuteCommandAgent [create]: Error response from daemon: container 123abc is "
            "not running");
  EXPECT_EQ(state(*c).status, ManagedAgentStatus::stopped);
  EXPECT_FALSE(state(*c).started());
}

TEST_F(RestartTest, NeverStartedIsNotRestarted) {
  ManagedAgentState s;
  s.id = "test-uid";
  set_state(*c, s);
  auto r = restart();
  EXPECT_EQ(r.status, RestartStatus::not_restarted);
  EXPECT_TRUE(docker.inspects.empty());
}

TEST(RestartStatus, Strings) {
  EXPECT_EQ(to_string(RestartStatus::restarted), "Restarted");
  EXPECT_EQ(to_string(RestartStatus::not_restarted), "NotRestarted");
  EXPECT_EQ(to_string(RestartStatus::unknown), "Unknown");
  EXPECT_EQ(static_cast<int>(RestartStatus::restarted), 8);
  EXPECT_EQ(to_string(static_cast<RestartStatus>(42)), "42");
}

// ---- the reference's faults, fixed ------------------------------------------------------------------

// Reference: an inspect 404 (Docker garbage-collected the exited exec) is retried 5 times and then
// reported Unknown for ever. Here it means "not running": the agent is restarted.
TEST_F(RestartTest, GarbageCollectedExecRecordMeansNotRunning) {
  docker.on_inspect = [](const auto& call) -> Result<ExecInspect> {
    if (call.id == "789")
      return make_error(DockerErrc::not_found, "Error response from daemon: No such exec instance: 789");
    ExecInspect e;
    e.pid = 222;
    e.running = true;
    return e;
  };
  docker.on_top = [](const auto&) -> Result<dockerapi::TopResult> {
    dockerapi::TopResult t;
    t.titles = {"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"};
    t.processes = {{"root", "100", "1", "0", "10:00", "?", "00:00:00", "sleep 1000"}};
    return t;
  };
  docker.on_create = [](const auto&) -> Result<std::string> { return std::string("fresh"); };
  docker.on_start = [](const auto&) -> Result<void> { return {}; };
  auto r = restart();
  EXPECT_EQ(r.status, RestartStatus::restarted);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(std::count_if(docker.inspects.begin(), docker.inspects.end(),
                          [](const auto& i) { return i.id == "789"; }),
            1);  // a 404 is an answer, not retried
  EXPECT_EQ(AgentMetadata::from_map(state(*c).metadata).docker_exec_id, "fresh");
}

// ... unless the container's process list still shows the stored PID running the agent's
// command (dockerd restarted with live-restore): then it is running, and nothing is started.
TEST_F(RestartTest, LostExecRecordOfALiveAgentIsNotRestarted) {
  docker.on_inspect = [](const auto&) -> Result<ExecInspect> {
    return make_error(DockerErrc::not_found, "Error response from daemon: No such exec instance: 789");
  };
  docker.on_top = [](const auto&) -> Result<dockerapi::TopResult> {
    dockerapi::TopResult t;
    t.titles = {"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"};
    t.processes = {{"root", "456", "1", "0", "10:00", "?", "00:00:00", "amazon-ssm-agent"}};
    return t;
  };
  auto r = restart();
  EXPECT_EQ(r.status, RestartStatus::not_restarted);
  EXPECT_TRUE(docker.creates.empty());
  EXPECT_EQ(state(*c), before);
}

// Reference: nothing serialises StartAgent per container; a restart-policy start and a monitor
// restart can both create an exec. Here the second waits for the first and finds it running.
TEST_F(StartAgentTest, ConcurrentStartsLaunchOneAgent) {
  int in_flight = 0, max_in_flight = 0;
  docker.before_call = [&]() -> asio::awaitable<void> {
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    co_await clock.sleep(1ms);  // yield so that the other start could interleave
    --in_flight;
  };
  docker.on_create = [](const auto&) -> Result<std::string> { return std::string("only"); };
  docker.on_start = [](const auto&) -> Result<void> { return {}; };
  docker.on_inspect = [](const auto&) -> Result<ExecInspect> {
    ExecInspect e;
    e.pid = 1;
    e.running = true;
    return e;
  };
  Manager m = manager();
  asio::io_context io;
  Result<void> a, b;
  asio::co_spawn(io, m.start_agent(docker, task_with(c), c, c->runtime_id),
                 [&](std::exception_ptr, Result<void> r) { a = std::move(r); });
  asio::co_spawn(io, m.start_agent(docker, task_with(c), c, c->runtime_id),
                 [&](std::exception_ptr, Result<void> r) { b = std::move(r); });
  io.run();
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
  EXPECT_EQ(docker.creates.size(), 1u);
  EXPECT_EQ(max_in_flight, 1);
}

// Reference: a context already done before the first attempt dereferences a null result (crash).
TEST_F(StartAgentTest, StoppedBeforeTheFirstAttemptIsACancellation) {
  StopSource stop;
  stop.stop();
  Manager m = manager();
  auto r = test::run(m.start_agent(docker, task_with(c), c, c->runtime_id, stop));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ExecErrc::canceled);
  EXPECT_EQ(r.error().message, "context canceled");
  EXPECT_TRUE(docker.creates.empty());
  EXPECT_EQ(state(*c).status, ManagedAgentStatus::stopped);
  EXPECT_EQ(state(*c).reason, "context canceled");
}

TEST_F(RestartTest, StoppedDuringTheIdempotencyInspectIsACancellation) {
  StopSource stop;
  stop.stop();
  Manager m = manager();
  auto r = test::run(m.start_agent(docker, task_with(c), c, c->runtime_id, stop));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ExecErrc::canceled);
  EXPECT_TRUE(docker.inspects.empty());
  EXPECT_TRUE(docker.creates.empty());
}

TEST_F(StartAgentTest, StopEndsTheWaitBetweenAttemptsAtOnce) {
  StopSource stop;
  docker.on_create = [&](const auto&) -> Result<std::string> {
    stop.stop();  // fires while the first attempt is under way
    return mock_error();
  };
  Manager m = manager();
  auto r = test::run(m.start_agent(docker, task_with(c), c, c->runtime_id, stop));
  ASSERT_FALSE(r);
  EXPECT_EQ(docker.creates.size(), 1u);  // no further attempt after the stop
}

TEST_F(StartAgentTest, OverallDeadlineEndsTheRetries) {
  ManagerOptions o = test_options();
  o.timing.retry_min_delay = 1s;
  o.timing.retry_max_delay = 30s;
  o.timing.start_retry_timeout = 2s;  // 1 s + 1.5 s of sleeps pass it after the 2nd attempt
  docker.on_create = [](const auto&) -> Result<std::string> { return mock_error(); };
  Manager m = manager(o);
  auto r = test::run(m.start_agent(docker, task_with(c), c, c->runtime_id));
  ASSERT_FALSE(r);
  EXPECT_EQ(docker.creates.size(), 2u);
}

TEST_F(StartAgentTest, BackoffSequenceMatchesTheReference) {
  ManagerOptions o = test_options();
  o.timing.retry_min_delay = 1s;
  o.timing.retry_max_delay = 30s;
  o.timing.start_retry_timeout = 10min;
  FixedJitter no_jitter(0.0);
  docker.on_create = [](const auto&) -> Result<std::string> { return mock_error(); };
  Manager m(o, fs, clock, no_jitter);
  (void)test::run(m.start_agent(docker, task_with(c), c, c->runtime_id));
  EXPECT_EQ(clock.sleeps(), (std::vector<Clock::duration>{1s, 1500ms, 2250ms, 3375ms}));
}

// ---- manager_init_task_test.go -------------------------------------------------------------------

TEST(SessionWorkersLimit, Vectors) {
  EXPECT_EQ(session_workers_limit(StringMap{{"sessionLimit", "-2"}}), 2);
  EXPECT_EQ(session_workers_limit(StringMap{{"sessionLimit", "0"}}), 2);
  EXPECT_EQ(session_workers_limit(StringMap{{"sessionLimit", "1"}}), 1);
  EXPECT_EQ(session_workers_limit(StringMap{{"sessionLimit", "2"}}), 2);
  EXPECT_EQ(session_workers_limit(std::nullopt), 2);
  EXPECT_EQ(session_workers_limit(StringMap{}), 2);
  // Deviation: malformed values mean the default (the reference's Atoi makes them 0).
  EXPECT_EQ(session_workers_limit(StringMap{{"sessionLimit", "abc"}}), 2);
  EXPECT_EQ(session_workers_limit(StringMap{{"sessionLimit", ""}}), 2);
  EXPECT_EQ(session_workers_limit(StringMap{{"sessionLimit", "99999999999999999999"}}), 2);
}

// ---- manager_init_task_linux_test.go ---------------------------------------------------------------

class InitializeContainerTest : public ExecManagerTest {
 protected:
  void SetUp() override {
    fs.add_dir(kBin);
    for (const char* v : {"3.0.236.0", "2.0.0.0"}) {
      fs.add_dir(std::string(kBin) + "/" + v);
      for (const char* b : {"amazon-ssm-agent", "ssm-agent-worker", "ssm-session-worker"}) {
        fs.add_file(std::string(kBin) + "/" + v + "/" + b);
      }
    }
    fs.add_dir("/managed-agents/execute-command/certs");
    fs.add_file("/managed-agents/execute-command/certs/tls-ca-bundle.pem");
    options = test_options();
    options.new_uuid = [] { return std::string("test-UUID"); };
    options.agent_config_file = [](std::string_view) -> Result<std::string> {
      return std::string("amazon-ssm-agent.json");
    };
    options.log_config_file = [](std::string_view) -> Result<std::string> {
      return std::string("seelog.xml");
    };
  }

  static std::vector<std::string> expected_binds(const std::string& version, const std::string& log_name) {
    const std::string v = "/var/lib/ecs/deps/execute-command/bin/" + version;
    const std::string d = "/ecs-execute-command-test-UUID";
    return {
        v + "/amazon-ssm-agent:" + d + "/amazon-ssm-agent:ro",
        v + "/ssm-agent-worker:" + d + "/ssm-agent-worker:ro",
        v + "/ssm-session-worker:" + d + "/ssm-session-worker:ro",
        "/var/lib/ecs/deps/execute-command/config/amazon-ssm-agent.json:" + d +
            "/configuration/amazon-ssm-agent.json:ro",
        "/var/lib/ecs/deps/execute-command/config/seelog.xml:" + d + "/configuration/seelog.xml:ro",
        "/var/lib/ecs/deps/execute-command/certs/tls-ca-bundle.pem:" + d + "/certs/amazon-ssm-agent.crt:ro",
        "/var/log/ecs/exec/task-id/" + log_name + ":/var/log/amazon/ssm"};
  }

  // Runs InitializeContainer on the three containers of the reference test.
  void expect_error(const std::string& message) {
    for (const char* name : {"container-name", "--container-name", "--"}) {
      auto c = container(name);
      std::vector<std::string> binds;
      Manager m = manager(options);
      auto r = m.initialize_container(task_with(c), *c, binds);
      ASSERT_FALSE(r) << name;
      EXPECT_EQ(r.error().message, message) << name;
      EXPECT_TRUE(binds.empty());
      const auto s = state(*c);
      EXPECT_EQ(s.id, "");
      EXPECT_TRUE(s.init_failed);
      EXPECT_EQ(s.status, ManagedAgentStatus::stopped);
      EXPECT_EQ(s.reason, message);
    }
  }

  ManagerOptions options;
};

TEST_F(InitializeContainerTest, NoExecuteCommandAgentInContainer) {
  auto c = container("container-name", false);
  std::vector<std::string> binds;
  Manager m = manager(options);
  auto r = m.initialize_container(task_with(c), *c, binds);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ExecErrc::agent_not_found);
  EXPECT_EQ(r.error().message, "managed agent not found (ExecuteCommandAgent)");
  EXPECT_TRUE(binds.empty());
  EXPECT_TRUE(c->managed_agents.empty());
}

TEST_F(InitializeContainerTest, ConfigFileNameGenerationError) {
  options.agent_config_file = [](std::string_view) -> Result<std::string> { return mock_error(); };
  expect_error("could not generate ExecAgent Config File: mockError");
}

TEST_F(InitializeContainerTest, ErrorReadingVersionsInBinDir) {
  fs.fail_list[kBin] = mock_error("open /managed-agents/execute-command/bin: no such file or directory");
  expect_error("open /managed-agents/execute-command/bin: no such file or directory");
}

TEST_F(InitializeContainerTest, NoValidVersionsExistInBinDir) {
  fs.nodes.clear();
  fs.add_dir(kBin);
  fs.add_file(std::string(kBin) + "/3.0.236.0");  // version entries that are not directories
  fs.add_file(std::string(kBin) + "/2.0.0.0");
  fs.add_file("/managed-agents/execute-command/certs/tls-ca-bundle.pem");
  expect_error("no valid versions were found in /var/lib/ecs/deps/execute-command/bin");
}

TEST_F(InitializeContainerTest, ValidVersionExistsButDirIsEmpty) {
  for (const char* v : {"3.0.236.0", "2.0.0.0"}) {
    (void)fs.remove_all(std::string(kBin) + "/" + v);
    fs.add_dir(std::string(kBin) + "/" + v);
  }
  expect_error("no valid versions were found in /var/lib/ecs/deps/execute-command/bin");
}

TEST_F(InitializeContainerTest, LogConfigFileGenerationError) {
  options.log_config_file = [](std::string_view) -> Result<std::string> { return mock_error(); };
  expect_error("could not generate ExecAgent LogConfig file: mockError");
}

TEST_F(InitializeContainerTest, MissingCertsFail) {
  fs.nodes.erase("/managed-agents/execute-command/certs/tls-ca-bundle.pem");
  expect_error("could not find certs");
}

TEST_F(InitializeContainerTest, AwsvpcTaskWithoutEniFails) {
  options.agent_config_file = {};  // the real generator
  auto c = container();
  TaskInfo t = task_with(c);
  t.network_mode = "awsvpc";
  std::vector<std::string> binds;
  Manager m = manager(options);
  auto r = m.initialize_container(t, *c, binds);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "could not generate ExecAgent Config File: awsvpc mode task does not have a primary ENI");
  EXPECT_TRUE(binds.empty());
}

TEST_F(InitializeContainerTest, FallsBackToThePreviousVersionIfTheLatestIsEmpty) {
  (void)fs.remove_all(std::string(kBin) + "/3.0.236.0");
  fs.add_file(std::string(kBin) + "/3.0.236.0");  // not a directory
  for (const char* name : {"container-name", "--container-name"}) {
    auto c = container(name);
    std::vector<std::string> binds;
    Manager m = manager(options);
    ASSERT_TRUE(m.initialize_container(task_with(c), *c, binds));
    EXPECT_EQ(binds, expected_binds("2.0.0.0", "container-name"));
  }
}

TEST_F(InitializeContainerTest, HappyPath) {
  const std::pair<const char*, const char*> cases[] = {{"container-name", "container-name"},
                                                       {"--container-name", "container-name"},
                                                       {"--", "nameless-container-test-UUID"}};
  for (const auto& [name, log_name] : cases) {
    auto c = container(name);
    std::vector<std::string> binds{"/existing:/existing"};
    Manager m = manager(options);
    ASSERT_TRUE(m.initialize_container(task_with(c), *c, binds)) << name;
    auto expected = expected_binds("3.0.236.0", log_name);
    expected.insert(expected.begin(), "/existing:/existing");  // appended, never replaced
    EXPECT_EQ(binds, expected) << name;
    ManagedAgentState s;
    s.id = "test-UUID";
    EXPECT_EQ(state(*c), s);
  }
}

TEST_F(InitializeContainerTest, RealConfigFilesAreWrittenOnceAndReused) {
  options.agent_config_file = {};
  options.log_config_file = {};
  fs.add_dir("/managed-agents/execute-command/config");
  auto c = container();
  std::vector<std::string> binds;
  Manager m = manager(options);
  ASSERT_TRUE(m.initialize_container(task_with(c), *c, binds));
  const std::string config =
      "/managed-agents/execute-command/config/"
      "amazon-ssm-agent-lLoTcHhcD396A8e-if16tyGWqRa9KN-oBb1H2LAqn48=.json";
  const std::string seelog =
      "/managed-agents/execute-command/config/seelog-gEZ-TIvHAyOLfMC5wiWRofgDMlDzaCZ6zcswnAoop84=.xml";
  ASSERT_TRUE(fs.nodes.count(config));
  ASSERT_TRUE(fs.nodes.count(seelog));
  EXPECT_EQ(fs.nodes[config].content, render_agent_config(2, false));
  EXPECT_EQ(fs.nodes[seelog].content, kSeelogLinux);
  EXPECT_EQ(binds[3],
            "/var/lib/ecs/deps/execute-command/config/"
            "amazon-ssm-agent-lLoTcHhcD396A8e-if16tyGWqRa9KN-oBb1H2LAqn48=.json:"
            "/ecs-execute-command-" +
                state(*c).id + "/configuration/amazon-ssm-agent.json:ro");
  const int writes = fs.writes;
  auto again = container("other");
  binds.clear();
  ASSERT_TRUE(m.initialize_container(task_with(again), *again, binds));
  EXPECT_EQ(fs.writes, writes);  // valid content-addressed files are reused
}

// TestGetExecAgentConfigFileName (through ensure_content_file, which the default generator uses).
TEST(ExecAgentConfigFile, Name) {
  const std::string content = render_agent_config(2, false);
  const std::string name = agent_config_file_name(content);
  EXPECT_EQ(name, "amazon-ssm-agent-" + base64url(sha256(content)) + ".json");
  const std::string path = "/config/" + name;
  {  // existing regular file
    FakeFileSystem fs;
    fs.add_file(path, content);
    EXPECT_TRUE(ensure_content_file(fs, path, content));
  }
  {  // absent: created
    FakeFileSystem fs;
    EXPECT_TRUE(ensure_content_file(fs, path, content));
    EXPECT_EQ(fs.nodes[path].content, content);
  }
  {  // absent and create fails
    FakeFileSystem fs;
    fs.fail_write[path] = mock_error("cannot create config");
    auto r = ensure_content_file(fs, path, content);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "cannot create config");
  }
  {  // a directory in the way, removed
    FakeFileSystem fs;
    fs.add_dir(path);
    fs.add_file(path + "/inner");
    EXPECT_TRUE(ensure_content_file(fs, path, content));
    EXPECT_FALSE(fs.nodes[path].is_dir);
    EXPECT_FALSE(fs.nodes.count(path + "/inner"));
  }
  {  // a directory in the way that cannot be removed
    FakeFileSystem fs;
    fs.add_dir(path);
    fs.fail_remove[path] = mock_error("remove dir error");
    auto r = ensure_content_file(fs, path, content);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "remove dir error");
  }
}

TEST(ExecAgentConfigFile, NamesOfTheSpec) {
  EXPECT_EQ(agent_config_file_name(render_agent_config(2, false)),
            "amazon-ssm-agent-lLoTcHhcD396A8e-if16tyGWqRa9KN-oBb1H2LAqn48=.json");
  EXPECT_EQ(agent_config_file_name(render_agent_config(2, true)),
            "amazon-ssm-agent-snnaG2ORrLwZb79DuUL9A21AMKFJuIg0crxSjsLAVFE=.json");
  EXPECT_EQ(agent_config_file_name(render_agent_config(1, false)),
            "amazon-ssm-agent-XbD-E_yt9BfTlnjbDnEQwHPQA6pvk2PT90XLYPBgafY=.json");
  EXPECT_EQ(agent_config_file_name(render_agent_config(1, true)),
            "amazon-ssm-agent-rLTH_c-Fd3vSzm15E7gi-AEN24fJlf6Jlkykz_uvw8A=.json");
  EXPECT_EQ(render_agent_config(2, false).size(), 146u);
  EXPECT_EQ(render_agent_config(2, true).size(), 145u);
  EXPECT_EQ(log_config_file_name(kSeelogLinux), "seelog-gEZ-TIvHAyOLfMC5wiWRofgDMlDzaCZ6zcswnAoop84=.xml");
  EXPECT_EQ(kSeelogLinux.size(), 798u);
  EXPECT_EQ(kSeelogWindows.size(), 1157u);
  EXPECT_EQ(windows_config_dir_name(2), "QxBmgH40KzpREW9NrVafPqi_B3rX5pzSSXCR_sz67eQ=");
}

// TestGetExecAgentLogConfigFile
TEST(ExecAgentLogConfigFile, Name) {
  const std::string name = log_config_file_name(kSeelogLinux);
  const std::string path = "/config/" + name;
  {  // exists and valid: not rewritten
    FakeFileSystem fs;
    fs.add_file(path, std::string(kSeelogLinux));
    EXPECT_TRUE(ensure_content_file(fs, path, kSeelogLinux));
    EXPECT_EQ(fs.writes, 0);
  }
  {  // absent: created
    FakeFileSystem fs;
    EXPECT_TRUE(ensure_content_file(fs, path, kSeelogLinux));
    EXPECT_EQ(fs.writes, 1);
  }
  {  // junk content: rewritten
    FakeFileSystem fs;
    fs.add_file(path, "junk");
    EXPECT_TRUE(ensure_content_file(fs, path, kSeelogLinux));
    EXPECT_EQ(fs.nodes[path].content, kSeelogLinux);
  }
  {  // read fails: rewritten
    FakeFileSystem fs;
    fs.add_file(path, std::string(kSeelogLinux));
    fs.fail_read[path] = mock_error();
    EXPECT_TRUE(ensure_content_file(fs, path, kSeelogLinux));
    EXPECT_EQ(fs.writes, 1);
  }
  {  // absent and create fails
    FakeFileSystem fs;
    fs.fail_write[path] = mock_error("create file error");
    auto r = ensure_content_file(fs, path, kSeelogLinux);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "create file error");
  }
  {  // directory removed
    FakeFileSystem fs;
    fs.add_dir(path);
    EXPECT_TRUE(ensure_content_file(fs, path, kSeelogLinux));
  }
  {  // directory removal fails
    FakeFileSystem fs;
    fs.add_dir(path);
    fs.fail_remove[path] = mock_error("remove dir error");
    auto r = ensure_content_file(fs, path, kSeelogLinux);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "remove dir error");
  }
}

// TestGetValidConfigExists
TEST(ExecAgentConfigFile, ValidConfigExists) {
  const std::string content = render_agent_config(2, false);
  const std::string hash = content_hash(content);
  FakeFileSystem fs;
  fs.add_file("/valid", content);
  fs.add_file("/junk", "junk");
  fs.add_file("/unreadable", content);
  fs.fail_read["/unreadable"] = mock_error();
  EXPECT_TRUE(valid_config_exists(fs, "/valid", hash));
  EXPECT_FALSE(valid_config_exists(fs, "/junk", hash));
  EXPECT_FALSE(valid_config_exists(fs, "/unreadable", hash));
  EXPECT_FALSE(valid_config_exists(fs, "/absent", hash));
}

// TestFormatSSMAgentConfig
TEST_F(ExecManagerTest, FormatSsmAgentConfig) {
  auto dual_stack = [&](const std::string& mode, std::vector<NetworkInterface> enis, bool instance_v6) {
    ManagerOptions o;
    o.instance_ipv6_only = instance_v6;
    Manager m(o, fs, clock, jitter);
    TaskInfo t;
    t.network_mode = mode;
    t.enis = std::move(enis);
    return m.use_dual_stack_endpoint(t);
  };
  NetworkInterface v6_only;
  v6_only.ipv6_addresses = {"2001:db8::1"};
  NetworkInterface dual;
  dual.ipv4_addresses = {"10.0.0.1"};
  dual.ipv6_addresses = {"2001:db8::1"};
  EXPECT_FALSE(*dual_stack("bridge", {}, false));
  EXPECT_TRUE(*dual_stack("bridge", {}, true));
  EXPECT_TRUE(*dual_stack("awsvpc", {v6_only}, false));
  EXPECT_FALSE(*dual_stack("awsvpc", {dual}, true));  // the ENI wins
  auto none = dual_stack("awsvpc", {}, false);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "awsvpc mode task does not have a primary ENI");
  // The rendered JSON: TAB-indented, the limit and the flag substituted, no trailing newline.
  const std::string json = render_agent_config(3, true);
  EXPECT_NE(json.find("\t\t\"SessionWorkersLimit\": 3\n"), std::string::npos);
  EXPECT_NE(json.find("\t\t\"ContainerMode\": true,\n"), std::string::npos);
  EXPECT_NE(json.find("\t\t\"UseDualStackEndpoint\": true\n"), std::string::npos);
  EXPECT_EQ(json.back(), '}');
}

// ---- manager_init_task_windows_test.go (the algorithm is portable: tested here) -------------------

class WindowsConfigDirTest : public ::testing::Test {
 protected:
  const std::string config_dir = "C:\\cfg";
  const std::string hash = windows_config_dir_name(2);
  const std::string dir = config_dir + "\\" + hash;
  const std::string json_path = dir + "\\amazon-ssm-agent.json";
  const std::string seelog_path = dir + "\\seelog.xml";
  void valid(FakeFileSystem& fs) {
    fs.add_dir(dir);
    fs.add_file(json_path, render_agent_config(2, false));
    fs.add_file(seelog_path, std::string(kSeelogWindows));
  }
  Result<std::string> ensure(FakeFileSystem& fs) {
    return ensure_windows_config_dir(fs, config_dir, 2, '\\');
  }
};

TEST_F(WindowsConfigDirTest, GetExecAgentConfigDir) {
  EXPECT_EQ(hash, content_hash(render_agent_config(2, false) + std::string(kSeelogWindows)));
  {  // exists and valid: reused
    FakeFileSystem fs;
    valid(fs);
    EXPECT_EQ(*ensure(fs), hash);
    EXPECT_EQ(fs.writes, 0);
  }
  {  // absent: created
    FakeFileSystem fs;
    EXPECT_EQ(*ensure(fs), hash);
    EXPECT_EQ(fs.nodes[seelog_path].content, kSeelogWindows);
  }
  {  // junk seelog: rewritten
    FakeFileSystem fs;
    valid(fs);
    fs.nodes[seelog_path].content = "junk";
    EXPECT_EQ(*ensure(fs), hash);
    EXPECT_EQ(fs.nodes[seelog_path].content, kSeelogWindows);
  }
  {  // seelog read error: rewritten
    FakeFileSystem fs;
    valid(fs);
    fs.fail_read[seelog_path] = mock_error();
    EXPECT_EQ(*ensure(fs), hash);
    EXPECT_EQ(fs.writes, 2);
  }
  {  // agent JSON read error: rewritten
    FakeFileSystem fs;
    valid(fs);
    fs.fail_read[json_path] = mock_error();
    EXPECT_EQ(*ensure(fs), hash);
    EXPECT_EQ(fs.writes, 2);
  }
  {  // a regular file in the way: removed and recreated
    FakeFileSystem fs;
    fs.add_file(dir, "file");
    EXPECT_EQ(*ensure(fs), hash);
    EXPECT_TRUE(fs.nodes[dir].is_dir);
  }
  {  // create file fails
    FakeFileSystem fs;
    fs.fail_write[json_path] = mock_error("create file error");
    auto r = ensure(fs);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "create file error");
  }
  {  // MkdirAll fails
    FakeFileSystem fs;
    fs.fail_mkdir[dir] = mock_error("create dir error");
    auto r = ensure(fs);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "create dir error");
  }
  {  // file removal fails
    FakeFileSystem fs;
    fs.add_file(dir, "file");
    fs.fail_remove[dir] = mock_error("remove file error");
    auto r = ensure(fs);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "remove file error");
  }
}

TEST_F(WindowsConfigDirTest, GetValidConfigDirExists) {
  {
    FakeFileSystem fs;
    valid(fs);
    EXPECT_TRUE(valid_config_dir_exists(fs, dir, hash, '\\'));
    EXPECT_FALSE(valid_config_dir_exists(fs, dir, windows_config_dir_name(3), '\\'));  // another limit
  }
  {
    FakeFileSystem fs;
    valid(fs);
    fs.nodes[seelog_path].content = "junk";
    EXPECT_FALSE(valid_config_dir_exists(fs, dir, hash, '\\'));
  }
  {
    FakeFileSystem fs;
    valid(fs);
    fs.fail_read[seelog_path] = mock_error();
    EXPECT_FALSE(valid_config_dir_exists(fs, dir, hash, '\\'));
  }
  {
    FakeFileSystem fs;
    valid(fs);
    fs.fail_read[json_path] = mock_error();
    EXPECT_FALSE(valid_config_dir_exists(fs, dir, hash, '\\'));
  }
  {
    FakeFileSystem fs;
    valid(fs);
    fs.nodes[seelog_path] = FakeFileSystem::Node{true, {}};
    EXPECT_FALSE(valid_config_dir_exists(fs, dir, hash, '\\'));
  }
  {
    FakeFileSystem fs;
    valid(fs);
    fs.nodes[json_path] = FakeFileSystem::Node{true, {}};
    EXPECT_FALSE(valid_config_dir_exists(fs, dir, hash, '\\'));
  }
}

TEST_F(ExecManagerTest, WindowsBindsAndCommand) {
  ManagerOptions o = test_options();
  o.paths = Paths::windows_defaults(empty_environment());
  o.new_uuid = [] { return std::string("u"); };
  const std::string bin = o.paths.agent_bin_dir();
  fs.add_dir(bin);
  fs.add_dir(bin + "\\3.0.236.0");
  for (const char* b : {"amazon-ssm-agent.exe", "ssm-agent-worker.exe", "ssm-session-worker.exe"}) {
    fs.add_file(bin + "\\3.0.236.0\\" + b);
  }
  // The fake lists with '/', so list the bin dir explicitly.
  struct WinFs : FakeFileSystem {
    std::string bin;
    Result<std::vector<DirEntry>> list_dir(const std::string& path) override {
      if (path == bin) return std::vector<DirEntry>{{"3.0.236.0", true}};
      return FakeFileSystem::list_dir(path);
    }
  } wfs;
  wfs.nodes = fs.nodes;
  wfs.bin = bin;
  Manager m(o, wfs, clock, jitter);
  auto c = container("web");
  std::vector<std::string> binds;
  ASSERT_TRUE(m.initialize_container(task_with(c), *c, binds));
  const std::string hash = windows_config_dir_name(2);
  EXPECT_EQ(binds,
            (std::vector<std::string>{
                "C:\\Program Files\\Amazon\\ECS\\managed-agents\\execute-command\\bin\\3.0.236.0:"
                "C:\\Program Files\\Amazon\\SSM:ro",
                "C:\\Program Files\\Amazon\\ECS\\managed-agents\\execute-command\\config\\" + hash +
                    ":C:\\Program Files\\Amazon\\SSM\\configuration:ro",
                "C:\\ProgramData\\Amazon\\ECS\\exec\\task-id\\web:C:\\ProgramData\\Amazon\\SSM",
                "C:\\Program Files\\Amazon\\SSM\\Plugins:C:\\Program Files\\Amazon\\SSM\\Plugins:ro"}));
  EXPECT_TRUE(wfs.nodes["C:\\ProgramData\\Amazon\\ECS\\exec\\task-id\\web"].is_dir);  // created first
  EXPECT_EQ(m.exec_command(state(*c)), "C:\\Program Files\\Amazon\\SSM\\amazon-ssm-agent.exe");
  EXPECT_EQ(m.exec_user(), "NT AUTHORITY\\SYSTEM");
}

// ---- the data model ----------------------------------------------------------------------------------

TEST(ManagedAgentModel, StatusStrings) {
  EXPECT_EQ(to_string(ManagedAgentStatus::none), "NONE");
  EXPECT_EQ(to_string(ManagedAgentStatus::created), "CREATED");
  EXPECT_EQ(backend_status(ManagedAgentStatus::created), "PENDING");
  EXPECT_EQ(backend_status(ManagedAgentStatus::none), "PENDING");
  EXPECT_EQ(backend_status(ManagedAgentStatus::running), "RUNNING");
  EXPECT_FALSE(should_report_to_backend(ManagedAgentStatus::none));
  EXPECT_TRUE(should_report_to_backend(ManagedAgentStatus::created));
  EXPECT_TRUE(is_terminal(ManagedAgentStatus::stopped));
  EXPECT_TRUE(is_running(ManagedAgentStatus::running));
}

TEST(ManagedAgentModel, MetadataMapRoundTrip) {
  AgentMetadata m{"4242", "9a1e", "/ecs-execute-command-x/amazon-ssm-agent"};
  EXPECT_EQ(m.to_map().size(), 3u);
  EXPECT_EQ(AgentMetadata::from_map(m.to_map()), m);
  EXPECT_EQ(AgentMetadata::from_map(std::nullopt), AgentMetadata{});
  EXPECT_EQ(AgentMetadata{}.to_map().size(), 3u);  // all three keys, even empty
  EXPECT_EQ(m.str(), "[PID: 4242, DockerExecId: 9a1e, CMD: /ecs-execute-command-x/amazon-ssm-agent]");
}

TEST(ManagedAgentModel, JsonLikeTheReference) {
  ManagedAgent a = exec_agent(StringMap{{"sessionLimit", "2"}});
  a.state.id = "4f0c";
  a.state.status = ManagedAgentStatus::running;
  a.state.last_started_at = *parse_rfc3339("2026-11-23T06:00:00.5Z");
  a.state.metadata = AgentMetadata{"4242", "9a1e", "/ecs-execute-command-4f0c/amazon-ssm-agent"}.to_map();
  EXPECT_EQ(to_json(a),
            R"({"id":"4f0c","status":"RUNNING","lastStartedAt":"2026-11-23T06:00:00.5Z","metadata":{"CMD":)"
            R"("/ecs-execute-command-4f0c/amazon-ssm-agent","DockerExecID":"9a1e","PID":"4242"},)"
            R"("name":"ExecuteCommandAgent","properties":{"sessionLimit":"2"}})");
  auto back = managed_agent_from_json(to_json(a));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, a);

  ManagedAgent fresh = exec_agent();
  EXPECT_EQ(to_json(fresh), R"({"lastStartedAt":"0001-01-01T00:00:00Z","name":"ExecuteCommandAgent"})");
  EXPECT_EQ(*managed_agent_from_json(to_json(fresh)), fresh);

  ManagedAgent failed = exec_agent();
  failed.state.init_failed = true;
  failed.state.status = ManagedAgentStatus::stopped;
  failed.state.sent_status = ManagedAgentStatus::stopped;
  failed.state.reason = "could not find certs";
  EXPECT_EQ(*managed_agent_from_json(to_json(failed)), failed);
}

TEST(ManagedAgentModel, StatusDecodingErrors) {
  EXPECT_EQ(managed_agent_from_json(R"({"status":null})")->state.status, ManagedAgentStatus::none);
  auto number = managed_agent_from_json(R"({"status":2})");
  ASSERT_FALSE(number);
  EXPECT_EQ(number.error().message, "managed agent status unmarshal: status must be a string or null; Got 2");
  auto unknown = managed_agent_from_json(R"({"status":"SLEEPING"})");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "managed agent status unmarshal: unrecognized status SLEEPING");
  EXPECT_FALSE(managed_agent_from_json("{"));
  EXPECT_FALSE(managed_agent_from_json(R"({"lastStartedAt":"yesterday"})"));
  // Metadata values of other types read as absent.
  auto odd = managed_agent_from_json(R"({"metadata":{"PID":4242,"CMD":"x"}})");
  ASSERT_TRUE(odd);
  EXPECT_EQ(AgentMetadata::from_map(odd->state.metadata), (AgentMetadata{"", "", "x"}));
}

TEST(ManagedAgentModel, ContainerAccessors) {
  Container c;
  c.managed_agents.push_back(exec_agent(StringMap{{"sessionLimit", "1"}}));
  ManagedAgentState s;
  s.id = "x";
  s.sent_status = ManagedAgentStatus::running;
  ASSERT_TRUE(c.update_managed_agent(kExecuteCommandAgentName, s));
  ManagedAgentState replaced;
  replaced.status = ManagedAgentStatus::running;
  ASSERT_TRUE(c.update_managed_agent(kExecuteCommandAgentName, replaced));
  EXPECT_EQ(c.managed_agent(kExecuteCommandAgentName)->state, replaced);  // the whole state, SentStatus too
  EXPECT_EQ(c.managed_agent(kExecuteCommandAgentName)->properties->at("sessionLimit"), "1");  // kept
  EXPECT_FALSE(c.update_managed_agent("other", s));
  EXPECT_TRUE(c.update_managed_agent_sent_status(kExecuteCommandAgentName, ManagedAgentStatus::running));
  EXPECT_EQ(c.managed_agent_sent_status(kExecuteCommandAgentName), ManagedAgentStatus::running);
  EXPECT_EQ(c.managed_agent_status("other"), ManagedAgentStatus::none);
  auto copy = c.managed_agent(kExecuteCommandAgentName);
  copy->properties->clear();  // a deep copy
  EXPECT_EQ(c.managed_agent(kExecuteCommandAgentName)->properties->size(), 1u);
}

// api/statechange_test.go TestNewManagedAgentChangeEvent
TEST(ManagedAgentModel, NewManagedAgentChangeEvent) {
  Container c;
  c.name = "web";
  auto none = new_managed_agent_change_event("t", c, kExecuteCommandAgentName, "r");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "No ExecuteCommandAgent available in container: web");
  c.managed_agents.push_back(exec_agent());
  auto unreported = new_managed_agent_change_event("t", c, kExecuteCommandAgentName, "r");
  ASSERT_FALSE(unreported);
  EXPECT_EQ(unreported.error().message,
            "create managed agent state change event: status not recognized by ECS: NONE");
  c.update_managed_agent_status(kExecuteCommandAgentName, ManagedAgentStatus::running);
  auto event = new_managed_agent_change_event("t", c, kExecuteCommandAgentName, std::string(2000, 'x'));
  ASSERT_TRUE(event);
  EXPECT_EQ(event->task_arn, "t");
  EXPECT_EQ(event->container_name, "web");
  EXPECT_EQ(event->status, ManagedAgentStatus::running);
  EXPECT_EQ(event->reason.size(), 1024u);  // cut for ECS
  EXPECT_TRUE(
      event->str().starts_with("containerName=web managedAgentName=ExecuteCommandAgent "
                               "managedAgentStatus=RUNNING managedAgentReason=xxx"));
}

TEST(ExecModel, TaskIdAndSafeNames) {
  EXPECT_EQ(task_id("arn:aws:ecs:us-west-2:abc:task/my-cluster/task-id"), "task-id");
  EXPECT_EQ(task_id("arn:aws:ecs:us-west-2:abc:task/old-style"), "old-style");
  auto uuid = [] { return std::string("U"); };
  EXPECT_EQ(file_system_safe_container_name("--container-name", uuid), "container-name");
  EXPECT_EQ(file_system_safe_container_name("a--b-", uuid), "a--b-");
  EXPECT_EQ(file_system_safe_container_name("--", uuid), "nameless-container-U");
}

}  // namespace
}  // namespace ecs::execcmd
