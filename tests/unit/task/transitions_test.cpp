// The engine's pure decisions (task-engine.md §2–§3), as the reference's dependencygraph and
// task status tests check them: next states in order, dependsOn conditions, terminal dependency
// errors, stop order, the essential rule and the task status as the minimum of its containers.
#include "task/transitions.h"

#include <gtest/gtest.h>

namespace ecs::task {
namespace {

using CS = ContainerStatus;
using TS = TaskStatus;

Container container(std::string name, bool essential = true) {
  Container c;
  c.name = std::move(name);
  c.essential = essential;
  c.image = "busybox";
  return c;
}

Task task_of(std::vector<Container> containers) {
  Task t;
  t.arn = "arn:aws:ecs:us-west-2:1:task/c/t";
  t.desired_status = TS::running;
  t.containers = std::move(containers);
  update_desired_status(t);
  return t;
}

const TimePoint kNow = TimePoint(std::chrono::hours(1000));

TEST(NextState, GoesUpOneStatusAtATimeWithDockerCallsFromPulledOn) {
  Task t = task_of({container("a")});
  Container& a = t.containers[0];
  auto n = next_state(t, a, kNow);
  EXPECT_EQ(n.status, CS::manifest_pulled);
  EXPECT_FALSE(n.action_required);
  a.known_status = CS::manifest_pulled;
  n = next_state(t, a, kNow);
  EXPECT_EQ(n.status, CS::pulled);
  EXPECT_TRUE(n.action_required);
  a.known_status = CS::created;
  EXPECT_EQ(next_state(t, a, kNow).status, CS::running);
  a.known_status = CS::running;
  EXPECT_EQ(next_state(t, a, kNow).status, CS::none);  // at its desired status
}

TEST(NextState, StoppingAContainerThatNeverRanNeedsNoDockerCallUnlessAStartIsInFlight) {
  Task t = task_of({container("a")});
  Container& a = t.containers[0];
  a.known_status = CS::created;
  a.desired_status = CS::stopped;
  auto n = next_state(t, a, kNow);
  EXPECT_EQ(n.status, CS::stopped);
  EXPECT_FALSE(n.action_required);
  a.applied_status = CS::running;
  EXPECT_EQ(next_state(t, a, kNow).status, CS::none);
  a.applied_status = CS::none;
  a.known_status = CS::running;
  n = next_state(t, a, kNow);
  EXPECT_EQ(n.status, CS::stopped);
  EXPECT_TRUE(n.action_required);
}

TEST(NextState, DependsOnConditionsGateThePullAndTheStart) {
  Container app = container("app");
  app.depends_on = {{"db", "START"}, {"init", "SUCCESS"}};
  Task t = task_of({container("db"), container("init", false), app});
  Container& db = t.containers[0];
  Container& init = t.containers[1];
  Container& a = t.containers[2];
  a.known_status = CS::manifest_pulled;  // MANIFEST_PULLED is never blocked
  EXPECT_TRUE(next_state(t, a, kNow).blocked);
  db.known_status = CS::running;
  EXPECT_TRUE(next_state(t, a, kNow).blocked) << "init has not exited";
  init.known_status = CS::stopped;
  init.known_exit_code = 0;
  auto n = next_state(t, a, kNow);
  EXPECT_FALSE(n.blocked);
  EXPECT_EQ(n.status, CS::pulled);
}

TEST(NextState, ADependencyThatFailedOrWillNeverStartIsTerminal) {
  Container app = container("app");
  app.depends_on = {{"init", "SUCCESS"}};
  Task t = task_of({container("init", false), app});
  t.containers[0].known_status = CS::stopped;
  t.containers[0].known_exit_code = 2;
  t.containers[1].known_status = CS::manifest_pulled;
  auto n = next_state(t, t.containers[1], kNow);
  EXPECT_NE(n.terminal_error.find("did not exit successfully"), std::string::npos) << n.terminal_error;

  Container web = container("web");
  web.depends_on = {{"side", "START"}};
  Task u = task_of({container("side", false), web});
  u.containers[0].desired_status = CS::stopped;
  u.containers[1].known_status = CS::manifest_pulled;
  n = next_state(u, u.containers[1], kNow);
  EXPECT_NE(n.terminal_error.find("will never start"), std::string::npos) << n.terminal_error;
}

TEST(NextState, AStartTimeoutOfTheDependencyEndsTheWait) {
  Container dep = container("dep");
  dep.start_timeout = 10;
  dep.health_check_type = "docker";
  Container app = container("app");
  app.depends_on = {{"dep", "HEALTHY"}};
  Task t = task_of({dep, app});
  t.containers[0].known_status = CS::running;
  t.containers[0].started_at = kNow - std::chrono::seconds(5);
  t.containers[1].known_status = CS::manifest_pulled;
  EXPECT_TRUE(next_state(t, t.containers[1], kNow).blocked);
  t.containers[0].started_at = kNow - std::chrono::seconds(11);
  EXPECT_NE(next_state(t, t.containers[1], kNow).terminal_error.find("has timed out"), std::string::npos);
  t.containers[0].health.status = HealthStatus::healthy;
  EXPECT_EQ(next_state(t, t.containers[1], kNow).status, CS::pulled);
}

TEST(NextState, StopsInReverseDependencyOrder) {
  Container app = container("app");
  app.depends_on = {{"db", "START"}};
  Task t = task_of({container("db"), app});
  for (auto& c : t.containers) {
    c.known_status = CS::running;
    c.desired_status = CS::stopped;
  }
  EXPECT_TRUE(next_state(t, t.containers[0], kNow).blocked) << "db waits for app";
  EXPECT_EQ(next_state(t, t.containers[1], kNow).status, CS::stopped);
  t.containers[1].known_status = CS::stopped;
  EXPECT_EQ(next_state(t, t.containers[0], kNow).status, CS::stopped);
}

TEST(Dependencies, ImplicitOnesComeFromLinksAndVolumesFromAndBadNamesAreRefused) {
  Container app = container("app");
  app.links = {"db:database"};
  app.volumes_from = {{"data", true}};
  Task t = task_of({container("db"), container("data", false), app});
  ASSERT_FALSE(add_implicit_dependencies(t));
  EXPECT_EQ(t.containers[2].depends_on, (std::vector<DependsOn>{{"data", "CREATE"}, {"db", "START"}}));
  Container bad = container("bad");
  bad.links = {"nobody"};
  Task u = task_of({bad});
  EXPECT_EQ(add_implicit_dependencies(u), "could not find container for link nobody");
  Container worse = container("worse");
  worse.links = {"a:b:c"};
  Task v = task_of({container("a"), worse});
  EXPECT_EQ(add_implicit_dependencies(v), "invalid link format");
}

TEST(Dependencies, CyclesUnknownNamesAndHealthyWithoutAHealthCheckAreInvalid) {
  Container a = container("a");
  a.depends_on = {{"b", "START"}};
  Container b = container("b");
  b.depends_on = {{"a", "START"}};
  EXPECT_FALSE(dependencies_valid(task_of({a, b})));
  Container c = container("c");
  c.depends_on = {{"ghost", "START"}};
  EXPECT_FALSE(dependencies_valid(task_of({c})));
  Container d = container("d");
  d.depends_on = {{"e", "HEALTHY"}};
  EXPECT_FALSE(dependencies_valid(task_of({d, container("e")})));
  Container e = container("e");
  e.health_check_type = "docker";
  EXPECT_TRUE(dependencies_valid(task_of({d, e})));
  Task stopped = task_of({a, b});
  stopped.desired_status = TS::stopped;
  EXPECT_TRUE(dependencies_valid(stopped));
}

TEST(TaskStatus, IsTheLowestContainersAndWaitsForAllWhenAnEssentialOneStopped) {
  Task t = task_of({container("a"), container("b", false)});
  t.containers[0].known_status = CS::running;
  t.containers[1].known_status = CS::created;
  EXPECT_TRUE(update_known_status(t, kNow));
  EXPECT_EQ(t.known_status, TS::created);
  t.containers[1].known_status = CS::stopped;  // the non-essential one exited: the task runs
  EXPECT_TRUE(update_known_status(t, kNow));
  EXPECT_EQ(t.known_status, TS::running);

  Task u = task_of({container("a"), container("b")});
  u.containers[0].known_status = CS::stopped;
  u.containers[1].known_status = CS::running;
  EXPECT_FALSE(update_known_status(u, kNow)) << "no RUNNING while an essential container is stopped";
  EXPECT_EQ(u.known_status, TS::none);
  EXPECT_TRUE(update_desired_status(u));
  EXPECT_EQ(u.desired_status, TS::stopped);
  EXPECT_EQ(u.containers[1].desired_status, CS::stopped);
  u.containers[1].known_status = CS::stopped;
  EXPECT_TRUE(update_known_status(u, kNow));
  EXPECT_EQ(u.known_status, TS::stopped);
  EXPECT_EQ(u.known_time, kNow);
  u.containers[1].known_status = CS::running;
  EXPECT_FALSE(update_known_status(u, kNow)) << "never lowered";
}

TEST(TaskStatus, ANonEssentialContainerStoppingDoesNotStopTheTask) {
  Task t = task_of({container("a"), container("b", false)});
  t.containers[1].known_status = CS::stopped;
  EXPECT_FALSE(update_desired_status(t));
  EXPECT_EQ(t.desired_status, TS::running);
}

}  // namespace
}  // namespace ecs::task
