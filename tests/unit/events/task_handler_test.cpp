// State changes on their way to ECS (events/): batching with the task, the drain, the rules
// against the live task, and the per-task senders. The managed-agent cases are the reference's
// eventhandler tests of exec-manager.md §8 (TestSendContainerAndManagedAgentEvents,
// TestSendManagedAgentEventsTaskDifferences, TestGetBatchedManagedAgentEvents,
// TestGetBatchedManagedAgentEventsStoppedTask); they were ManagedAgentEvents.* over
// execcmd/event_batcher, whose work events::TaskHandler now does for every kind of change.
#include "events/task_handler.h"

#include <gtest/gtest.h>

#include <map>

#include "support/run.h"

namespace ecs::events {
namespace {

using task::ContainerStatus;
using task::ManagedAgentStatus;
using task::TaskStatus;

constexpr const char* kArnA = "arn:aws:ecs:us-west-2:1:task/c/a";
constexpr const char* kArnB = "arn:aws:ecs:us-west-2:1:task/c/b";
constexpr const char* kAgent = "ExecuteCommandAgent";

task::Container container_with_agent(const std::string& name, ManagedAgentStatus status,
                                     ManagedAgentStatus sent) {
  task::Container c;
  c.name = name;
  task::ManagedAgent a;
  a.name = kAgent;
  a.state.id = "uid";
  a.state.status = status;
  a.state.sent_status = sent;
  c.managed_agents.push_back(a);
  return c;
}

task::Task make_task(const std::string& arn, TaskStatus status, std::vector<task::Container> containers) {
  task::Task t;
  t.arn = arn;
  t.known_status = status;
  t.containers = std::move(containers);
  return t;
}

ManagedAgentStateChange event_for(const std::string& arn, const task::Container& c, std::string reason) {
  return ManagedAgentStateChange{arn, c.name, kAgent, c.managed_agents.at(0).state.status, std::move(reason)};
}

// The engine's live tasks, by ARN, and what was persisted.
class Tasks : public TaskStateSource {
 public:
  task::Task* live_task(const std::string& arn) override {
    auto it = tasks.find(arn);
    return it == tasks.end() ? nullptr : &it->second;
  }
  void persist_task(const std::string& arn) override { persisted.push_back(arn); }
  void add(task::Task t) {
    std::string arn = t.arn;
    tasks[arn] = std::move(t);
  }
  std::map<std::string, task::Task> tasks;
  std::vector<std::string> persisted;
};

// Answers from a script (then success), records what was submitted; can hold every submit until
// released, to see how many are in flight.
class Submitter : public StateChangeSubmitter {
 public:
  explicit Submitter(asio::any_io_executor executor) : release(std::make_shared<AsyncEvent>(executor)) {}
  asio::awaitable<Result<void>> submit(const TaskStateChange& change) override {
    submitted.push_back(change);
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    if (hold) co_await release->wait();
    --in_flight;
    if (!script.empty()) {
      auto r = script.front();
      script.erase(script.begin());
      co_return r;
    }
    co_return Result<void>();
  }
  std::vector<Result<void>> script;
  std::vector<TaskStateChange> submitted;
  bool hold = false;
  std::shared_ptr<AsyncEvent> release;
  int in_flight = 0;
  int max_in_flight = 0;
};

class TaskHandlerTest : public ::testing::Test {
 protected:
  asio::io_context io;
  Tasks tasks;
  Submitter submitter{io.get_executor()};
  ManualClock clock;
  FixedJitter jitter{0};
  TaskHandler handler{io.get_executor(), submitter, tasks, clock, jitter};

  void run_until_idle() {
    test::run(io, [this]() -> asio::awaitable<void> { co_await handler.idle(); }());
  }
};

// A task state change carries the task's pending managed-agent events next to its container
// events; once sent, each agent's sent status is what was sent and the task is persisted.
TEST_F(TaskHandlerTest, SendContainerAndManagedAgentEvents) {
  tasks.add(make_task(kArnA, TaskStatus::running,
                      {container_with_agent("web", ManagedAgentStatus::running, ManagedAgentStatus::none)}));
  tasks.tasks[kArnA].containers[0].known_status = ContainerStatus::running;
  const task::Container& c = tasks.tasks[kArnA].containers[0];
  handler.managed_agent_changed(event_for(kArnA, c, "ExecuteCommandAgent started"));
  EXPECT_EQ(handler.pending(kArnA), 1u);
  handler.container_changed(
      ContainerStateChange{kArnA, "web", "docker-web", ContainerStatus::running, {}, "", "", {}});
  EXPECT_EQ(handler.pending(kArnA), 2u);

  TaskStateChange change{kArnA, TaskStatus::running, "", {}, {}, {}, {}, {}};
  handler.attach_pending(change);
  ASSERT_EQ(change.managed_agents.size(), 1u);
  EXPECT_EQ(change.managed_agents[0].container_name, "web");
  EXPECT_EQ(change.managed_agents[0].managed_agent_name, "ExecuteCommandAgent");
  EXPECT_EQ(change.managed_agents[0].status, ManagedAgentStatus::running);
  EXPECT_EQ(change.managed_agents[0].reason, "ExecuteCommandAgent started");
  EXPECT_EQ(change.containers.size(), 1u);
  EXPECT_EQ(handler.pending(kArnA), 0u);
  // The wire form (the ECS client's encoder) has both.
  const std::string body = aws::encode_task_state_change(to_wire(change, "default"));
  EXPECT_NE(body.find(R"("containers":[)"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("managedAgents":[{"containerName":"web","managedAgentName":"ExecuteCommandAgent",)"
                      R"("status":"RUNNING","reason":"ExecuteCommandAgent started"}])"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"("cluster":"default")"), std::string::npos) << body;

  task::Task& live = tasks.tasks[kArnA];
  EXPECT_TRUE(needs_sending(change, live));
  EXPECT_TRUE(mark_sent(change, live));
  EXPECT_EQ(live.containers[0].managed_agents[0].state.sent_status, ManagedAgentStatus::running);
  EXPECT_EQ(live.containers[0].sent_status, ContainerStatus::running);
  EXPECT_EQ(live.sent_status, TaskStatus::running);
  EXPECT_FALSE(needs_sending(change, live));  // a second send would be redundant
  EXPECT_FALSE(mark_sent(change, live));
}

// Events are batched per task: one task's change never carries another task's events.
TEST_F(TaskHandlerTest, SendManagedAgentEventsTaskDifferences) {
  auto ca = container_with_agent("a", ManagedAgentStatus::running, ManagedAgentStatus::none);
  auto cb = container_with_agent("b", ManagedAgentStatus::stopped, ManagedAgentStatus::running);
  handler.managed_agent_changed(event_for(kArnA, ca, "ExecuteCommandAgent started"));
  handler.managed_agent_changed(event_for(kArnB, cb, "ExecuteCommandAgent cannot be restarted"));
  handler.managed_agent_changed(event_for(kArnB, cb, "Received Container Stopped event"));

  TaskStateChange change;
  change.task_arn = kArnB;
  change.status = TaskStatus::running;
  handler.attach_pending(change);
  ASSERT_EQ(change.managed_agents.size(), 2u);
  EXPECT_EQ(change.managed_agents[0].reason, "ExecuteCommandAgent cannot be restarted");
  EXPECT_EQ(change.managed_agents[1].reason, "Received Container Stopped event");
  for (const auto& m : change.managed_agents) EXPECT_EQ(m.container_name, "b");
  EXPECT_EQ(handler.pending(kArnA), 1u);
  EXPECT_EQ(handler.pending(kArnB), 0u);

  // Sent status RUNNING vs live STOPPED: unsent. Live equal to sent: nothing to send.
  task::Task b = make_task(kArnB, TaskStatus::running, {cb});
  b.sent_status = TaskStatus::running;
  EXPECT_TRUE(needs_sending(change, b));
  task::Task same =
      make_task(kArnB, TaskStatus::running,
                {container_with_agent("b", ManagedAgentStatus::running, ManagedAgentStatus::running)});
  same.sent_status = TaskStatus::running;
  EXPECT_FALSE(needs_sending(change, same));
}

// The drain: a known task below STOPPED with pending events gets a change with its current
// status.
TEST_F(TaskHandlerTest, GetBatchedManagedAgentEvents) {
  auto c = container_with_agent("web", ManagedAgentStatus::running, ManagedAgentStatus::none);
  auto p = container_with_agent("p", ManagedAgentStatus::stopped, ManagedAgentStatus::none);
  tasks.add(make_task(kArnA, TaskStatus::running, {c}));
  tasks.add(make_task(kArnB, TaskStatus::created, {p}));
  tasks.add(make_task("arn:no-events", TaskStatus::running, {}));
  handler.managed_agent_changed(event_for(kArnA, c, "ExecuteCommandAgent restarted"));
  handler.managed_agent_changed(event_for(kArnB, p, "ExecuteCommandAgent Initialization failed - x"));
  auto changes = handler.drain_changes();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].task_arn, kArnA);
  EXPECT_EQ(changes[0].status, TaskStatus::running);
  ASSERT_EQ(changes[0].managed_agents.size(), 1u);
  EXPECT_EQ(changes[0].managed_agents[0].reason, "ExecuteCommandAgent restarted");
  EXPECT_EQ(changes[1].task_arn, kArnB);
  EXPECT_EQ(to_wire(changes[1], "default").status, "PENDING");
  EXPECT_EQ(handler.pending(kArnA), 0u);
  EXPECT_TRUE(handler.drain_changes().empty());
}

// A STOPPED task, or one the engine does not know, is not drained: its events wait for the
// task's own STOPPED change.
TEST_F(TaskHandlerTest, GetBatchedManagedAgentEventsStoppedTask) {
  auto c = container_with_agent("web", ManagedAgentStatus::stopped, ManagedAgentStatus::running);
  tasks.add(make_task(kArnA, TaskStatus::stopped, {c}));
  handler.managed_agent_changed(event_for(kArnA, c, "Received Container Stopped event"));
  handler.managed_agent_changed(event_for(kArnB, c, "Received Container Stopped event"));
  EXPECT_TRUE(handler.drain_changes().empty());
  EXPECT_EQ(handler.pending(kArnA), 1u);
  EXPECT_EQ(handler.pending(kArnB), 1u);
  TaskStateChange stopped;
  stopped.task_arn = kArnA;
  stopped.status = TaskStatus::stopped;
  handler.attach_pending(stopped);
  EXPECT_EQ(stopped.managed_agents.size(), 1u);
}

// Only statuses ECS takes are batched; reasons are cut to 1024 characters.
TEST_F(TaskHandlerTest, UnreportableStatusesAreDroppedAndReasonsCut) {
  ManagedAgentStateChange none{kArnA, "web", kAgent, ManagedAgentStatus::none, ""};
  handler.managed_agent_changed(none);
  EXPECT_EQ(handler.pending(kArnA), 0u);
  ManagedAgentStateChange long_reason = none;
  long_reason.status = ManagedAgentStatus::stopped;
  long_reason.reason = std::string(3000, 'r');
  handler.managed_agent_changed(long_reason);
  TaskStateChange change;
  change.task_arn = kArnA;
  handler.attach_pending(change);
  ASSERT_EQ(change.managed_agents.size(), 1u);
  EXPECT_EQ(change.managed_agents[0].reason.size(), 1024u);
}

// ---- the senders -------------------------------------------------------------------------------

// A failed submit is retried (the same change, backoff 1 s x1.3) until ECS takes it; then the
// sent status is raised and the task persisted.
TEST_F(TaskHandlerTest, AFailedSubmitIsRetriedWithBackoffUntilAccepted) {
  tasks.add(make_task(kArnA, TaskStatus::running, {}));
  submitter.script = {make_error(aws::EcsErrc::server_exception, "ServerException: try later"),
                      make_error(aws::EcsErrc::throttling, "ThrottlingException"), Result<void>()};
  handler.task_changed(TaskStateChange{kArnA, TaskStatus::running, "", {}, {}, {}, {}, {}});
  run_until_idle();
  ASSERT_EQ(submitter.submitted.size(), 3u);
  for (const auto& s : submitter.submitted) EXPECT_EQ(s.status, TaskStatus::running);
  EXPECT_EQ(clock.sleeps(),
            (std::vector<Clock::duration>{std::chrono::seconds(1), std::chrono::milliseconds(1300)}));
  EXPECT_EQ(tasks.tasks[kArnA].sent_status, TaskStatus::running);
  EXPECT_EQ(tasks.persisted, std::vector<std::string>{kArnA});
}

// InvalidParameterException drops the change (retrying cannot help); the next one is sent.
TEST_F(TaskHandlerTest, AnInvalidParameterDropsTheChange) {
  tasks.add(make_task(kArnA, TaskStatus::running, {}));
  submitter.script = {make_error(aws::EcsErrc::invalid_parameter, "InvalidParameterException: bad")};
  handler.task_changed(TaskStateChange{kArnA, TaskStatus::running, "", {}, {}, {}, {}, {}});
  tasks.tasks[kArnA].known_status = TaskStatus::stopped;
  handler.task_changed(TaskStateChange{kArnA, TaskStatus::stopped, "done", {}, {}, {}, {}, {}});
  run_until_idle();
  ASSERT_EQ(submitter.submitted.size(), 2u);
  EXPECT_EQ(submitter.submitted[1].status, TaskStatus::stopped);
  EXPECT_TRUE(clock.sleeps().empty());
  EXPECT_EQ(tasks.tasks[kArnA].sent_status, TaskStatus::stopped);
}

// Per task in order; a change that arrives after a later status was sent is redundant: ECS
// never sees RUNNING after STOPPED.
TEST_F(TaskHandlerTest, NoRunningIsSentAfterStopped) {
  tasks.add(make_task(kArnA, TaskStatus::stopped, {}));
  tasks.tasks[kArnA].sent_status = TaskStatus::stopped;
  handler.task_changed(TaskStateChange{kArnA, TaskStatus::running, "", {}, {}, {}, {}, {}});
  run_until_idle();
  EXPECT_TRUE(submitter.submitted.empty());
  // And a change for a task the engine no longer knows is dropped too.
  handler.task_changed(TaskStateChange{"arn:gone", TaskStatus::stopped, "", {}, {}, {}, {}, {}});
  run_until_idle();
  EXPECT_TRUE(submitter.submitted.empty());
}

// At most 10 tasks are sending at once; the rest wait for a free slot and are all sent.
TEST_F(TaskHandlerTest, AtMostTenTasksSendAtOnce) {
  submitter.hold = true;
  for (int i = 0; i < 25; ++i) {
    const std::string arn = "arn:task/" + std::to_string(i);
    tasks.add(make_task(arn, TaskStatus::running, {}));
    handler.task_changed(TaskStateChange{arn, TaskStatus::running, "", {}, {}, {}, {}, {}});
  }
  io.restart();
  io.run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(submitter.in_flight, 10);
  submitter.hold = false;
  submitter.release->set();
  run_until_idle();
  EXPECT_EQ(submitter.submitted.size(), 25u);
  EXPECT_EQ(submitter.max_in_flight, 10);
}

// The drain ticker waits 10-30 s (jitter) between passes and queues what it finds.
TEST_F(TaskHandlerTest, TheDrainTickerQueuesPendingBatches) {
  auto c = container_with_agent("web", ManagedAgentStatus::running, ManagedAgentStatus::none);
  tasks.add(make_task(kArnA, TaskStatus::running, {c}));
  tasks.tasks[kArnA].sent_status = TaskStatus::running;
  handler.managed_agent_changed(event_for(kArnA, c, "ExecuteCommandAgent started"));
  StopSource stop;
  asio::co_spawn(io, handler.run_drain_ticker(StopToken(stop)), asio::detached);
  io.restart();
  for (int i = 0; i < 100 && submitter.submitted.empty(); ++i) io.run_one_for(std::chrono::milliseconds(10));
  stop.stop();
  handler.stop();
  io.run_for(std::chrono::milliseconds(20));
  ASSERT_EQ(submitter.submitted.size(), 1u);
  EXPECT_EQ(submitter.submitted[0].managed_agents.size(), 1u);
  ASSERT_FALSE(clock.sleeps().empty());
  EXPECT_EQ(clock.sleeps()[0], std::chrono::seconds(10));
  EXPECT_EQ(tasks.tasks[kArnA].containers[0].managed_agents[0].state.sent_status,
            ManagedAgentStatus::running);
}

}  // namespace
}  // namespace ecs::events
