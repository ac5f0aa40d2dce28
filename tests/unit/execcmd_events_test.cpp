// Managed-agent events on their way to ECS (exec-manager.md §5.7), after the reference's
// eventhandler tests of §8: TestSendContainerAndManagedAgentEvents,
// TestSendManagedAgentEventsTaskDifferences, TestGetBatchedManagedAgentEvents,
// TestGetBatchedManagedAgentEventsStoppedTask.
#include "execcmd/event_batcher.h"

#include <gtest/gtest.h>

namespace ecs::execcmd {
namespace {

constexpr const char* kArnA = "arn:aws:ecs:us-west-2:1:task/c/a";
constexpr const char* kArnB = "arn:aws:ecs:us-west-2:1:task/c/b";

std::shared_ptr<Container> container_with_agent(const std::string& name, ManagedAgentStatus status,
                                                ManagedAgentStatus sent) {
  auto c = std::make_shared<Container>();
  c->name = name;
  ManagedAgent a;
  a.name = std::string(kExecuteCommandAgentName);
  a.state.id = "uid";
  a.state.status = status;
  a.state.sent_status = sent;
  c->managed_agents.push_back(a);
  return c;
}

TaskInfo task(const std::string& arn, TaskStatus status, std::vector<std::shared_ptr<Container>> containers) {
  TaskInfo t;
  t.arn = arn;
  t.known_status = status;
  t.containers = std::move(containers);
  return t;
}

ManagedAgentEvent event_for(const std::string& arn, const Container& c, std::string reason) {
  auto e = new_managed_agent_change_event(arn, c, kExecuteCommandAgentName, std::move(reason));
  EXPECT_TRUE(e);
  return *e;
}

class RecordingStore : public ManagedAgentStore {
 public:
  Result<void> save(const std::string& task_arn, const Container& c) override {
    saved.push_back(task_arn + "/" + c.name);
    return {};
  }
  std::vector<std::string> saved;
};

// A task state change carries the task's pending managed-agent events next to its container
// events; once sent, each agent's SentStatus is what was sent and the container is saved.
TEST(ManagedAgentEvents, SendContainerAndManagedAgentEvents) {
  auto c = container_with_agent("web", ManagedAgentStatus::running, ManagedAgentStatus::none);
  const TaskInfo t = task(kArnA, TaskStatus::running, {c});
  ManagedAgentEventBatcher batcher;
  batcher.report(event_for(kArnA, *c, "ExecuteCommandAgent started"));
  EXPECT_EQ(batcher.pending(kArnA), 1u);

  aws::TaskStateChange change;
  change.cluster = "default";
  change.task_arn = kArnA;
  change.status = "RUNNING";
  change.containers = {{"web", "docker-web", "RUNNING", "", std::nullopt}};
  batcher.attach(change);
  ASSERT_EQ(change.managed_agents.size(), 1u);
  EXPECT_EQ(change.managed_agents[0].container_name, "web");
  EXPECT_EQ(change.managed_agents[0].managed_agent_name, "ExecuteCommandAgent");
  EXPECT_EQ(change.managed_agents[0].status, "RUNNING");
  EXPECT_EQ(change.managed_agents[0].reason, "ExecuteCommandAgent started");
  EXPECT_EQ(change.containers.size(), 1u);
  EXPECT_EQ(batcher.pending(kArnA), 0u);
  // The wire form (the ECS client's encoder) has both.
  const std::string body = aws::encode_task_state_change(change);
  EXPECT_NE(body.find(R"("containers":[)"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("managedAgents":[{"containerName":"web","managedAgentName":"ExecuteCommandAgent",)"
                      R"("status":"RUNNING","reason":"ExecuteCommandAgent started"}])"),
            std::string::npos)
      << body;

  EXPECT_TRUE(has_unsent_managed_agents(change, t));
  RecordingStore store;
  mark_managed_agents_sent(change, t, &store);
  EXPECT_EQ(c->managed_agent_sent_status(kExecuteCommandAgentName), ManagedAgentStatus::running);
  EXPECT_EQ(store.saved, std::vector<std::string>{std::string(kArnA) + "/web"});
  EXPECT_FALSE(has_unsent_managed_agents(change, t));  // a second send would be redundant
  mark_managed_agents_sent(change, t, &store);
  EXPECT_EQ(store.saved.size(), 1u);
}

// Events are batched per task: one task's change never carries another task's events.
TEST(ManagedAgentEvents, SendManagedAgentEventsTaskDifferences) {
  auto ca = container_with_agent("a", ManagedAgentStatus::running, ManagedAgentStatus::none);
  auto cb = container_with_agent("b", ManagedAgentStatus::stopped, ManagedAgentStatus::running);
  ManagedAgentEventBatcher batcher;
  batcher.report(event_for(kArnA, *ca, "ExecuteCommandAgent started"));
  batcher.report(event_for(kArnB, *cb, "ExecuteCommandAgent cannot be restarted"));
  batcher.report(event_for(kArnB, *cb, "Received Container Stopped event"));

  aws::TaskStateChange change;
  change.task_arn = kArnB;
  change.status = "RUNNING";
  batcher.attach(change);
  ASSERT_EQ(change.managed_agents.size(), 2u);
  EXPECT_EQ(change.managed_agents[0].reason, "ExecuteCommandAgent cannot be restarted");
  EXPECT_EQ(change.managed_agents[1].reason, "Received Container Stopped event");
  for (const auto& m : change.managed_agents) EXPECT_EQ(m.container_name, "b");
  EXPECT_EQ(batcher.pending(kArnA), 1u);
  EXPECT_EQ(batcher.pending(kArnB), 0u);

  // Sent status RUNNING vs live STOPPED: unsent. Live equal to sent: nothing to send.
  EXPECT_TRUE(has_unsent_managed_agents(change, task(kArnB, TaskStatus::running, {cb})));
  auto same = container_with_agent("b", ManagedAgentStatus::running, ManagedAgentStatus::running);
  EXPECT_FALSE(has_unsent_managed_agents(change, task(kArnB, TaskStatus::running, {same})));
}

// The drain ticker: a known task below STOPPED with pending events gets a synthetic change with
// its current status.
TEST(ManagedAgentEvents, GetBatchedManagedAgentEvents) {
  auto c = container_with_agent("web", ManagedAgentStatus::running, ManagedAgentStatus::none);
  auto pending_task = container_with_agent("p", ManagedAgentStatus::stopped, ManagedAgentStatus::none);
  ManagedAgentEventBatcher batcher;
  batcher.report(event_for(kArnA, *c, "ExecuteCommandAgent restarted"));
  batcher.report(event_for(kArnB, *pending_task, "ExecuteCommandAgent Initialization failed - x"));
  auto changes = batcher.drain(
      "default", {task(kArnA, TaskStatus::running, {c}), task(kArnB, TaskStatus::created, {pending_task}),
                  task("arn:no-events", TaskStatus::running, {})});
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].cluster, "default");
  EXPECT_EQ(changes[0].task_arn, kArnA);
  EXPECT_EQ(changes[0].status, "RUNNING");
  ASSERT_EQ(changes[0].managed_agents.size(), 1u);
  EXPECT_EQ(changes[0].managed_agents[0].reason, "ExecuteCommandAgent restarted");
  EXPECT_EQ(changes[1].task_arn, kArnB);
  EXPECT_EQ(changes[1].status, "PENDING");
  EXPECT_EQ(batcher.pending(kArnA), 0u);
  EXPECT_TRUE(batcher.drain("default", {task(kArnA, TaskStatus::running, {c})}).empty());
}

// A STOPPED task, or one the engine does not know, is not drained: its events wait for the
// task's own STOPPED change.
TEST(ManagedAgentEvents, GetBatchedManagedAgentEventsStoppedTask) {
  auto c = container_with_agent("web", ManagedAgentStatus::stopped, ManagedAgentStatus::running);
  ManagedAgentEventBatcher batcher;
  batcher.report(event_for(kArnA, *c, "Received Container Stopped event"));
  batcher.report(event_for(kArnB, *c, "Received Container Stopped event"));
  EXPECT_TRUE(batcher.drain("default", {task(kArnA, TaskStatus::stopped, {c})}).empty());
  EXPECT_EQ(batcher.pending(kArnA), 1u);
  EXPECT_EQ(batcher.pending(kArnB), 1u);
  aws::TaskStateChange stopped;
  stopped.task_arn = kArnA;
  stopped.status = "STOPPED";
  batcher.attach(stopped);
  EXPECT_EQ(stopped.managed_agents.size(), 1u);
}

// Only statuses ECS takes are batched; reasons are cut to 1024 characters.
TEST(ManagedAgentEvents, UnreportableStatusesAreDroppedAndReasonsCut) {
  ManagedAgentEventBatcher batcher;
  ManagedAgentEvent none;
  none.task_arn = kArnA;
  none.container_name = "web";
  none.managed_agent_name = std::string(kExecuteCommandAgentName);
  none.status = ManagedAgentStatus::none;
  batcher.report(none);
  EXPECT_EQ(batcher.pending(kArnA), 0u);
  ManagedAgentEvent long_reason = none;
  long_reason.status = ManagedAgentStatus::stopped;
  long_reason.reason = std::string(3000, 'r');
  batcher.report(long_reason);
  aws::TaskStateChange change;
  change.task_arn = kArnA;
  batcher.attach(change);
  ASSERT_EQ(change.managed_agents.size(), 1u);
  EXPECT_EQ(change.managed_agents[0].reason.size(), 1024u);
}

}  // namespace
}  // namespace ecs::execcmd
