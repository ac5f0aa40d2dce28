// The periodic exec-agent monitor (exec-manager.md §5.3 and the engine tests of §8:
// TestMonitorExecAgentRunning, TestMonitorExecAgentProcesses, ...ExecDisabled,
// ...MultipleContainers, TestPeriodicExecAgentsMonitoring) with a scripted Docker API and a
// manual clock, plus the failed-start retry that the reference lacks.
#include "execcmd/monitor.h"

#include <gtest/gtest.h>

#include "support/fake_exec_api.h"
#include "support/fake_filesystem.h"
#include "support/run.h"

namespace ecs::execcmd {
namespace {

using namespace std::chrono_literals;
using dockerapi::ExecInspect;
using test::FakeExecApi;

class Tasks : public TaskSource {
 public:
  std::vector<TaskInfo> list;
  std::vector<TaskInfo> tasks() override { return list; }
};

class Events : public ManagedAgentReporter {
 public:
  std::vector<ManagedAgentEvent> events;
  void report(const ManagedAgentEvent& e) override { events.push_back(e); }
};

std::shared_ptr<Container> started_container(const std::string& name, const ManualClock& clock,
                                             const std::string& exec_id = "789") {
  auto c = std::make_shared<Container>();
  c->name = name;
  c->runtime_id = "docker-" + name;
  c->known_status = ContainerStatus::running;
  ManagedAgent a;
  a.name = std::string(kExecuteCommandAgentName);
  a.state.id = "uid-" + name;
  a.state.status = ManagedAgentStatus::running;
  a.state.last_started_at = clock.wall_now();
  a.state.metadata =
      AgentMetadata{"456", exec_id, "/ecs-execute-command-uid-" + name + "/amazon-ssm-agent"}.to_map();
  c->managed_agents.push_back(a);
  return c;
}

class MonitorTest : public ::testing::Test {
 protected:
  MonitorTest() {
    ManagerOptions o;
    o.timing.retry_min_delay = 1ms;
    o.timing.retry_max_delay = 30ms;
    manager = std::make_unique<Manager>(o, fs, clock, jitter);
    monitor = std::make_unique<Monitor>(*manager, docker, tasks, events, clock, jitter);
  }
  TaskInfo task(std::vector<std::shared_ptr<Container>> containers, TaskStatus status = TaskStatus::running) {
    TaskInfo t;
    t.arn = "arn:aws:ecs:us-west-2:1:task/c/t" + std::to_string(tasks.list.size());
    t.known_status = status;
    t.containers = std::move(containers);
    return t;
  }
  // The agent of exec `dead` has exited; anything else runs; restarts succeed.
  void agents_exited(const std::string& dead) {
    docker.on_inspect = [dead](const FakeExecApi::IdCall& call) -> Result<ExecInspect> {
      ExecInspect e;
      e.running = call.id != dead;
      e.pid = 111;
      return e;
    };
    docker.on_create = [](const auto&) -> Result<std::string> { return std::string("new-exec"); };
    docker.on_start = [](const auto&) -> Result<void> { return {}; };
  }

  test::FakeFileSystem fs;
  ManualClock clock;
  FixedJitter jitter{0.5};
  FakeExecApi docker;
  Tasks tasks;
  Events events;
  std::unique_ptr<Manager> manager;
  std::unique_ptr<Monitor> monitor;
};

// TestMonitorExecAgentRunning
TEST_F(MonitorTest, StoppedContainerOrNoDockerIdMeansNoCall) {
  auto stopped = started_container("a", clock);
  stopped->known_status = ContainerStatus::stopped;
  test::run(monitor->monitor_container(task({stopped}), stopped, {}));
  auto no_id = started_container("b", clock);
  no_id->runtime_id.clear();
  test::run(monitor->monitor_container(task({no_id}), no_id, {}));
  EXPECT_TRUE(docker.inspects.empty());
  EXPECT_TRUE(events.events.empty());
}

TEST_F(MonitorTest, NotRestartedMeansNoEvent) {
  agents_exited("none");
  auto c = started_container("a", clock);
  test::run(monitor->monitor_container(task({c}), c, {}));
  EXPECT_EQ(docker.inspects.size(), 1u);
  EXPECT_TRUE(events.events.empty());
}

TEST_F(MonitorTest, RestartedMeansARunningEvent) {
  agents_exited("789");
  auto c = started_container("a", clock);
  const TaskInfo t = task({c});
  test::run(monitor->monitor_container(t, c, {}));
  ASSERT_EQ(events.events.size(), 1u);
  EXPECT_EQ(events.events[0].reason, "ExecuteCommandAgent restarted");
  EXPECT_EQ(events.events[0].status, ManagedAgentStatus::running);
  EXPECT_EQ(events.events[0].task_arn, t.arn);
  EXPECT_EQ(events.events[0].container_name, "a");
  EXPECT_EQ(docker.creates.at(0).container_id, "docker-a");
}

TEST_F(MonitorTest, FailedRestartMeansAStoppedEvent) {
  agents_exited("789");
  docker.on_create = [](const auto&) -> Result<std::string> {
    return make_error(dockerapi::DockerErrc::conflict,
                      "Error response from daemon: container x is not running");
  };
  auto c = started_container("a", clock);
  test::run(monitor->monitor_container(task({c}), c, {}));
  ASSERT_EQ(events.events.size(), 1u);
  EXPECT_EQ(events.events[0].reason, "ExecuteCommandAgent cannot be restarted");
  EXPECT_EQ(events.events[0].status, ManagedAgentStatus::stopped);
}

TEST_F(MonitorTest, EachContainerWaitsItsJitterFirst) {
  agents_exited("none");
  auto c = started_container("a", clock);
  test::run(monitor->monitor_container(task({c}), c, {}));
  // 1 ns + U[0, 15 min / 2) with U = 0.5: 3.75 min.
  ASSERT_FALSE(clock.sleeps().empty());
  EXPECT_EQ(clock.sleeps()[0], std::chrono::nanoseconds(1) + std::chrono::nanoseconds(225s));
}

// TestMonitorExecAgentProcesses
TEST_F(MonitorTest, SweepChecksRunningTasksAndSkipsInitFailed) {
  agents_exited("789");
  auto ok = started_container("ok", clock);
  auto failed = started_container("failed", clock);
  ManagedAgentState f;
  f.init_failed = true;
  f.status = ManagedAgentStatus::stopped;
  failed->update_managed_agent(kExecuteCommandAgentName, f);
  tasks.list.push_back(task({ok, failed}));
  test::run(monitor->sweep({}));
  EXPECT_EQ(docker.inspects.at(0).id, "789");
  ASSERT_EQ(events.events.size(), 1u);
  EXPECT_EQ(events.events[0].container_name, "ok");
  EXPECT_EQ(events.events[0].reason, "ExecuteCommandAgent restarted");
}

// TestMonitorExecAgentProcessExecDisabled
TEST_F(MonitorTest, SweepSkipsExecDisabledAndNotRunningTasks) {
  agents_exited("789");
  auto plain = std::make_shared<Container>();
  plain->name = "plain";
  plain->runtime_id = "x";
  plain->known_status = ContainerStatus::running;
  tasks.list.push_back(task({plain}));
  tasks.list.push_back(task({started_container("pending", clock)}, TaskStatus::created));
  test::run(monitor->sweep({}));
  EXPECT_TRUE(docker.inspects.empty());
  EXPECT_TRUE(events.events.empty());
}

// TestMonitorExecAgentsMultipleContainers
TEST_F(MonitorTest, OneCallPerContainer) {
  agents_exited("none");
  tasks.list.push_back(task({started_container("a", clock, "e1"), started_container("b", clock, "e2"),
                             started_container("c", clock, "e3")}));
  test::run(monitor->sweep({}));
  std::vector<std::string> ids;
  for (const auto& i : docker.inspects) ids.push_back(i.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"e1", "e2", "e3"}));
}

// TestPeriodicExecAgentsMonitoring: the ticker runs; a task that is not RUNNING is untouched.
TEST_F(MonitorTest, PeriodicMonitoringTicksUntilStopped) {
  agents_exited("789");
  auto c = started_container("a", clock);
  tasks.list.push_back(task({c}, TaskStatus::created));
  MonitorOptions o;
  o.interval = 2ms;
  StopSource stop;
  int ticks = 0;
  struct Counting : TaskSource {
    TaskSource* inner;
    int* ticks;
    StopSource* stop;
    std::vector<TaskInfo> tasks() override {
      if (++*ticks == 5) stop->stop();
      return inner->tasks();
    }
  } counting;
  counting.inner = &tasks;
  counting.ticks = &ticks;
  counting.stop = &stop;
  Monitor periodic(*manager, docker, counting, events, clock, jitter, o);
  test::run(periodic.run(stop));
  EXPECT_EQ(ticks, 5);
  EXPECT_EQ(clock.sleeps().front(), 2ms);  // the first tick one interval after the start
  EXPECT_EQ(AgentMetadata::from_map(c->managed_agent(kExecuteCommandAgentName)->state.metadata).pid, "456");
  EXPECT_TRUE(docker.inspects.empty());
}

// Deviation: the reference never retries a failed start (LastStartedAt stays zero). Here the
// monitor retries it at the next sweep, then with a doubling backoff; a success is reported.
TEST_F(MonitorTest, FailedStartIsRetriedWithBackoff) {
  auto c = started_container("a", clock);
  ManagedAgentState failed;
  failed.id = "uid-a";
  failed.status = ManagedAgentStatus::stopped;
  failed.reason = "unable to start ExecuteCommandAgent [create]: boom";
  c->update_managed_agent(kExecuteCommandAgentName, failed);
  tasks.list.push_back(task({c}));
  int creates_ok_from = 3;  // the first two sweeps fail again
  docker.on_create = [&](const auto&) -> Result<std::string> {
    if (--creates_ok_from > 0) return test::mock_error("boom");
    return std::string("exec-ok");
  };
  docker.on_start = [](const auto&) -> Result<void> { return {}; };
  docker.on_inspect = [](const auto&) -> Result<ExecInspect> {
    ExecInspect e;
    e.running = true;
    e.pid = 7;
    return e;
  };
  ManagerOptions o;
  o.timing.max_attempts = 1;  // one attempt per sweep keeps the arithmetic simple
  Manager one_shot(o, fs, clock, jitter);
  Monitor m(one_shot, docker, tasks, events, clock, jitter);

  test::run(m.sweep({}));  // first sweep: retried at once, fails
  EXPECT_EQ(docker.creates.size(), 1u);
  test::run(m.sweep({}));  // the backoff (15 min + jitter) has not passed: no attempt
  EXPECT_EQ(docker.creates.size(), 1u);
  clock.advance(20min);
  test::run(m.sweep({}));  // retried, fails; the next delay doubles to 30 min
  EXPECT_EQ(docker.creates.size(), 2u);
  clock.advance(20min);
  test::run(m.sweep({}));
  EXPECT_EQ(docker.creates.size(), 2u);
  clock.advance(20min);
  test::run(m.sweep({}));  // succeeds
  EXPECT_EQ(docker.creates.size(), 3u);
  ASSERT_EQ(events.events.size(), 1u);
  EXPECT_EQ(events.events[0].reason, "ExecuteCommandAgent started");
  EXPECT_EQ(events.events[0].status, ManagedAgentStatus::running);
  EXPECT_TRUE(c->managed_agent(kExecuteCommandAgentName)->state.started());
}

TEST_F(MonitorTest, StopEndsTheJitterWait) {
  agents_exited("789");
  StopSource stop;
  stop.stop();
  auto c = started_container("a", clock);
  test::run(monitor->monitor_container(task({c}), c, stop));
  EXPECT_TRUE(docker.inspects.empty());
}

}  // namespace
}  // namespace ecs::execcmd

namespace ecs::execcmd {
namespace {

// The task engine's hooks (§5.1, §5.2, §5.4; the engine tests TestCreateContainerWithExecAgent and
// TestStartExecAgent of §8).
class EngineHooksTest : public MonitorTest {
 protected:
  // The §2.3 tree in the fake file system, so that InitializeContainer succeeds.
  void provision() {
    fs.add_dir("/managed-agents/execute-command/bin");
    fs.add_dir("/managed-agents/execute-command/bin/3.0.236.0");
    for (const char* b : {"amazon-ssm-agent", "ssm-agent-worker", "ssm-session-worker"}) {
      fs.add_file(std::string("/managed-agents/execute-command/bin/3.0.236.0/") + b);
    }
    fs.add_file("/managed-agents/execute-command/certs/tls-ca-bundle.pem");
    fs.add_dir("/managed-agents/execute-command/config");
  }
  static std::shared_ptr<Container> fresh(const std::string& name, bool exec = true) {
    auto c = std::make_shared<Container>();
    c->name = name;
    c->runtime_id = "docker-" + name;
    c->known_status = ContainerStatus::created;
    if (exec) {
      ManagedAgent a;
      a.name = std::string(kExecuteCommandAgentName);
      c->managed_agents.push_back(a);
    }
    return c;
  }
};

// TestCreateContainerWithExecAgent: an init failure is reported and the container is still
// created (the caller goes on); success sends nothing.
TEST_F(EngineHooksTest, InitFailureIsReportedAndTheContainerIsCreatedWithoutExec) {
  auto c = fresh("a");
  std::vector<std::string> binds{"/data:/data"};
  auto r = monitor->on_container_create(task({c}), *c, binds);
  ASSERT_FALSE(r);
  EXPECT_EQ(binds, std::vector<std::string>{"/data:/data"});
  ASSERT_EQ(events.events.size(), 1u);
  EXPECT_EQ(events.events[0].reason, "ExecuteCommandAgent Initialization failed - " + r.error().message);
  EXPECT_EQ(events.events[0].status, ManagedAgentStatus::stopped);
  EXPECT_TRUE(c->managed_agent(kExecuteCommandAgentName)->state.init_failed);
}

TEST_F(EngineHooksTest, SuccessfulInitSendsNoEvent) {
  provision();
  auto c = fresh("a");
  std::vector<std::string> binds;
  ASSERT_TRUE(monitor->on_container_create(task({c}), *c, binds));
  EXPECT_EQ(binds.size(), 7u);
  EXPECT_TRUE(events.events.empty());
  auto plain = fresh("b", false);
  std::vector<std::string> none;
  ASSERT_TRUE(monitor->on_container_create(task({plain}), *plain, none));
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(events.events.empty());
}

// TestStartExecAgent: "ExecuteCommandAgent started" (RUNNING), or the error text (STOPPED); no
// event for a container without exec or whose init failed.
TEST_F(EngineHooksTest, StartReportsStartedOrTheError) {
  provision();
  auto ok = fresh("ok");
  std::vector<std::string> binds;
  ASSERT_TRUE(monitor->on_container_create(task({ok}), *ok, binds));
  docker.on_create = [](const auto&) -> Result<std::string> { return std::string("exec-1"); };
  docker.on_start = [](const auto&) -> Result<void> { return {}; };
  docker.on_inspect = [](const auto&) -> Result<ExecInspect> {
    ExecInspect e;
    e.running = true;
    e.pid = 42;
    return e;
  };
  ASSERT_TRUE(test::run(monitor->on_container_started(task({ok}), ok, "docker-ok", {})));
  ASSERT_EQ(events.events.size(), 1u);
  EXPECT_EQ(events.events[0].reason, "ExecuteCommandAgent started");
  EXPECT_EQ(events.events[0].status, ManagedAgentStatus::running);

  auto bad = fresh("bad");
  ASSERT_TRUE(monitor->on_container_create(task({bad}), *bad, binds));
  docker.on_create = [](const auto&) -> Result<std::string> {
    return make_error(dockerapi::DockerErrc::daemon_error, "Error response from daemon: boom");
  };
  auto failed = test::run(monitor->on_container_started(task({bad}), bad, "docker-bad", {}));
  ASSERT_FALSE(failed);
  ASSERT_EQ(events.events.size(), 2u);
  EXPECT_EQ(events.events[1].reason, failed.error().message);
  EXPECT_EQ(events.events[1].status, ManagedAgentStatus::stopped);
}

TEST_F(EngineHooksTest, NoStartAndNoEventWithoutExecOrAfterInitFailure) {
  auto plain = fresh("plain", false);
  ASSERT_TRUE(test::run(monitor->on_container_started(task({plain}), plain, "docker-plain", {})));
  auto broken = fresh("broken");
  std::vector<std::string> binds;
  ASSERT_FALSE(monitor->on_container_create(task({broken}), *broken, binds));  // one event
  ASSERT_TRUE(test::run(monitor->on_container_started(task({broken}), broken, "docker-broken", {})));
  EXPECT_TRUE(docker.creates.empty());
  EXPECT_EQ(events.events.size(), 1u);
}

// §5.4: the agent stops with its container.
TEST_F(EngineHooksTest, ContainerStoppedMarksTheAgentStopped) {
  auto c = started_container("a", clock);
  monitor->on_container_stopped(task({c}), *c);
  EXPECT_EQ(c->managed_agent_status(kExecuteCommandAgentName), ManagedAgentStatus::stopped);
  ASSERT_EQ(events.events.size(), 1u);
  EXPECT_EQ(events.events[0].reason, "Received Container Stopped event");
  EXPECT_EQ(events.events[0].status, ManagedAgentStatus::stopped);
  auto plain = fresh("plain", false);
  monitor->on_container_stopped(task({plain}), *plain);
  EXPECT_EQ(events.events.size(), 1u);
}

// TestCleanupExecEnabledTask: the task's exec log directory goes with the task.
TEST_F(EngineHooksTest, CleanupRemovesTheTasksExecLogDirectory) {
  fs.add_dir("/log/exec/t0");
  fs.add_file("/log/exec/t0/a/amazon-ssm-agent.log");
  fs.add_file("/log/exec/t00/a/other-task.log");
  TaskInfo t;
  t.arn = "arn:aws:ecs:us-west-2:1:task/c/t0";
  ASSERT_TRUE(manager->cleanup_task(t));
  EXPECT_FALSE(fs.stat("/log/exec/t0"));
  EXPECT_FALSE(fs.stat("/log/exec/t0/a/amazon-ssm-agent.log"));
  EXPECT_TRUE(fs.stat("/log/exec/t00/a/other-task.log"));
}

}  // namespace
}  // namespace ecs::execcmd
