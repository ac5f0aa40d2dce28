// The task engine against a Docker daemon in memory and the real state-change sender: tasks run
// in dependency order, their states reach the submitter in the public model's shape, essential
// exits and ACS stops stop them, pull behaviours, restart reconciliation (by name and by id),
// waiting for Docker, and cleanup only after STOPPED was accepted (task-engine.md §2–§8).
#include "engine/docker_task_engine.h"
#include "engine/container_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "support/fake_container_api.h"
#include "support/fake_exec_api.h"
#include "support/fake_filesystem.h"
#include "support/memory_repository.h"
#include "support/task_builders.h"

namespace ecs::engine {
namespace {

using namespace std::chrono_literals;
using task::ContainerStatus;
using task::TaskStatus;

constexpr const char* kArn = "arn:aws:ecs:us-west-2:123456789012:task/default/t1";

class RecordingSubmitter : public events::StateChangeSubmitter {
 public:
  asio::awaitable<Result<void>> submit(const events::TaskStateChange& change) override {
    sent.push_back(change);
    co_return Result<void>();
  }
  std::vector<events::TaskStateChange> sent;
  const events::TaskStateChange* find(TaskStatus status) const {
    for (const auto& c : sent) {
      if (c.status == status) return &c;
    }
    return nullptr;
  }
};

task::Container container(std::string name, bool essential = true) {
  task::Container c;
  c.name = std::move(name);
  c.image = "busybox";
  c.essential = essential;
  c.command = std::vector<std::string>{"sleep", "600"};
  return c;
}

task::Task payload(std::vector<task::Container> containers) {
  task::Task t;
  t.arn = kArn;
  t.family = "fam";
  t.version = "3";
  t.desired_status = TaskStatus::running;
  t.containers = std::move(containers);
  return t;
}

class Engine : public ::testing::Test {
 protected:
  Engine() {
    docker.images = {"busybox"};
    docker.pullable = {"busybox"};
    options.cluster = "default";
    options.region = "us-west-2";
    options.steady_check = 200ms;
    options.blocked_check = 20ms;
    options.sent_poll = 10ms;
    options.cleanup_wait = 30ms;
    options.docker_retry_min = 10ms;
    options.docker_retry_max = 20ms;
    options.stop_retry_min = 1ms;
    options.stop_retry_max = 2ms;
    options.pull_retry_min = 1ms;
    options.pull_retry_max = 2ms;
  }
  ~Engine() override {
    stop.stop();
    if (handler) handler->stop();
    io.run_for(50ms);
  }
  void start(std::vector<task::Task> saved = {}) {
    engine = std::make_unique<DockerTaskEngine>(io.get_executor(), docker, repository, credentials, clock,
                                                jitter, options, std::move(saved));
    events::TaskHandlerOptions ho;
    ho.drain_min = 20ms;
    ho.drain_max = 40ms;
    ho.backoff_min = 5ms;
    ho.backoff_max = 10ms;
    handler = std::make_unique<events::TaskHandler>(io.get_executor(), submitter, *engine, clock, jitter, ho);
    engine->set_sink(*handler);
    asio::co_spawn(io, engine->run(stop), asio::detached);
    asio::co_spawn(io, handler->run_drain_ticker(stop), asio::detached);
  }
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io.run_for(5ms);
    }
    return true;
  }
  std::string id_of(std::string_view name) const {
    const auto* c = docker.by_name("-" + std::string(name) + "-");
    return c ? c->id : "";
  }

  asio::io_context io;
  test::FakeContainerApi docker;
  test::MemoryRepository repository;
  credentials::InMemoryCredentialsStore credentials;
  SteadyClock clock;
  FixedJitter jitter{0.0};
  RecordingSubmitter submitter;
  DockerTaskEngineOptions options;
  StopSource stop;
  std::unique_ptr<DockerTaskEngine> engine;
  std::unique_ptr<events::TaskHandler> handler;
};

TEST_F(Engine, RunsATwoContainerTaskAndReportsItRunningInThePublicShape) {
  start();
  ASSERT_TRUE(engine->add_task(payload({container("web"), container("side", false)})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }))
      << docker.calls.size();
  const auto* running = submitter.find(TaskStatus::running);
  ASSERT_EQ(running->containers.size(), 2u);
  for (const auto& c : running->containers) {
    EXPECT_EQ(c.status, ContainerStatus::running);
    EXPECT_EQ(c.runtime_id.size(), 64u) << c.container_name;
  }
  EXPECT_NE(running->pull_started_at, task::TimePoint{});
  EXPECT_EQ(docker.containers.size(), 2u);
  const auto* web = docker.by_name("ecs-fam-3-web-");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->name.size(), std::string("ecs-fam-3-web-").size() + 20);
  EXPECT_NE(web->body.find(R"("com.amazonaws.ecs.task-arn":")" + std::string(kArn)), std::string::npos)
      << web->body;
  EXPECT_NE(web->body.find(R"("com.amazonaws.ecs.cluster":"default")"), std::string::npos);
  EXPECT_NE(web->body.find(R"("Cmd":["sleep","600"])"), std::string::npos);
  EXPECT_NE(web->body.find("ECS_CONTAINER_METADATA_URI_V4=http://169.254.170.2/v4/"), std::string::npos);
  EXPECT_NE(web->body.find("AWS_REGION=us-west-2"), std::string::npos);
  // Durable: the task with its Docker ids and names.
  const task::Task& saved = repository.tasks.at(kArn);
  EXPECT_EQ(saved.known_status, TaskStatus::running);
  EXPECT_EQ(saved.sent_status, TaskStatus::running);
  EXPECT_EQ(saved.containers[0].docker_id, web->id);
  EXPECT_EQ(saved.containers[0].docker_name, web->name);
}

TEST_F(Engine, AnEssentialContainerExitingStopsTheTaskAndEachExitCodeIsReported) {
  start();
  ASSERT_TRUE(engine->add_task(payload({container("web"), container("side", false)})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  docker.exit(id_of("web"), 3);
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  const auto* stopped = submitter.find(TaskStatus::stopped);
  std::map<std::string, std::optional<int>> codes;
  for (const auto& c : stopped->containers) codes[c.container_name] = c.exit_code;
  EXPECT_EQ(codes["web"], 3);
  EXPECT_EQ(codes["side"], 137) << "stopped by the agent";
  EXPECT_NE(stopped->execution_stopped_at, task::TimePoint{});
  EXPECT_EQ(docker.count("stop " + id_of("web")), 0) << "a container that died is not stopped";
  EXPECT_EQ(docker.count("stop " + id_of("side") + " 30"), 1) << "ECS_CONTAINER_STOP_TIMEOUT's grace";
}

TEST_F(Engine, ANonEssentialContainerExitingLeavesTheTaskRunning) {
  start();
  ASSERT_TRUE(engine->add_task(payload({container("web"), container("side", false)})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  docker.exit(id_of("side"), 0);
  ASSERT_TRUE(run_until(
      [&] { return engine->find_task(kArn)->container("side")->known_status == ContainerStatus::stopped; }));
  io.run_for(100ms);
  EXPECT_EQ(engine->find_task(kArn)->desired_status, TaskStatus::running);
  EXPECT_EQ(submitter.find(TaskStatus::stopped), nullptr);
  // The drain carries the container's change on a RUNNING task change.
  ASSERT_TRUE(run_until(
      [&] { return engine->find_task(kArn)->container("side")->sent_status == ContainerStatus::stopped; }));
}

TEST_F(Engine, DesiredStoppedStopsInReverseOrderThenCleansUpOnceStoppedWasSent) {
  task::Container app = container("app");
  app.depends_on = {{"db", "START"}};
  start();
  task::Task t = payload({container("db"), app});
  t.credentials_id = "role-creds";
  t.execution_credentials_id = "exec-creds";
  for (const char* id : {"role-creds", "exec-creds"}) {
    ASSERT_TRUE(
        credentials.set_task_credentials({kArn, "TaskApplication", id, "arn:role", "AKID", "s", "t", "x"}));
  }
  ASSERT_TRUE(engine->add_task(t));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  const std::string db = id_of("db"), a = id_of("app");
  ASSERT_TRUE(engine->stop_task(kArn));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  auto index = [&](const std::string& call) {
    return std::find(docker.calls.begin(), docker.calls.end(), call) - docker.calls.begin();
  };
  EXPECT_LT(index("stop " + a + " 30"), index("stop " + db + " 30")) << "dependents stop first";
  EXPECT_LT(index("start " + db), index("create " + docker.containers.at(a).name)) << "app waited for db";
  // The task role's credentials go at STOPPED, the execution role's at cleanup (reference #2993).
  EXPECT_FALSE(credentials.get_task_credentials("role-creds").has_value());
  ASSERT_TRUE(run_until([&] { return engine->find_task(kArn) == nullptr; }));
  EXPECT_FALSE(credentials.get_task_credentials("exec-creds").has_value());
  EXPECT_TRUE(docker.containers.empty()) << "removed at cleanup";
  EXPECT_FALSE(repository.tasks.contains(kArn)) << "the record leaves the store";
}

TEST_F(Engine, ADependencyThatMustSucceedGatesThePullOfItsDependent) {
  task::Container init = container("init", false);
  docker.exit_at_start = {{"-init-", 0}};
  task::Container app = container("app");
  app.depends_on = {{"init", "SUCCESS"}};
  start();
  ASSERT_TRUE(engine->add_task(payload({init, app})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  ASSERT_EQ(docker.count("pull busybox"), 2);
  const auto first_start = std::find_if(docker.calls.begin(), docker.calls.end(),
                                        [](const std::string& c) { return c.starts_with("start"); });
  const auto second_pull = std::find(std::find(docker.calls.begin(), docker.calls.end(), "pull busybox") + 1,
                                     docker.calls.end(), "pull busybox");
  EXPECT_LT(first_start, second_pull) << "app's image is pulled once init succeeded";
}

TEST_F(Engine, ADependencyThatFailsStopsTheTaskWithTheReason) {
  task::Container init = container("init", false);
  docker.exit_at_start = {{"-init-", 1}};
  task::Container app = container("app");
  app.depends_on = {{"init", "SUCCESS"}};
  start();
  ASSERT_TRUE(engine->add_task(payload({init, app})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  const auto* stopped = submitter.find(TaskStatus::stopped);
  bool found = false;
  for (const auto& c : stopped->containers) {
    if (c.container_name != "app") continue;
    found = true;
    EXPECT_EQ(c.exit_code, 143);
    EXPECT_TRUE(c.reason.starts_with("CannotStartContainerError: dependency graph:")) << c.reason;
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(docker.count("create ecs-fam-3-app"), 0);
}

TEST_F(Engine, APullFailureUnderAlwaysStopsTheTaskWithTheDaemonsReason) {
  options.pull_behavior = PullBehavior::always;
  docker.pullable.clear();
  start();
  ASSERT_TRUE(engine->add_task(payload({container("web")})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  const auto* stopped = submitter.find(TaskStatus::stopped);
  ASSERT_EQ(stopped->containers.size(), 1u);
  EXPECT_TRUE(
      stopped->containers[0].reason.starts_with("CannotPullContainerError: pull access denied for busybox"))
      << stopped->containers[0].reason;
  EXPECT_EQ(docker.count("create"), 0);
  EXPECT_EQ(docker.count("pull"), 5) << "5 attempts (§4.2)";
  EXPECT_EQ(submitter.find(TaskStatus::running), nullptr) << "PENDING → STOPPED, never RUNNING";
}

TEST_F(Engine, ACachedImageRunsWhenTheRegistryIsUnreachableUnderDefault) {
  docker.pullable.clear();
  start();
  ASSERT_TRUE(engine->add_task(payload({container("web")})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  EXPECT_EQ(docker.count("pull"), 5) << "the reference's 5 attempts, then the cached image";
}

TEST_F(Engine, AFailedPullIsTriedAgainAndTheTaskRunsWhenAnAttemptSucceeds) {
  options.pull_behavior = PullBehavior::always;
  docker.pull_failures = 2;
  start();
  ASSERT_TRUE(engine->add_task(payload({container("web")})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  EXPECT_EQ(docker.count("pull"), 3);
}

TEST_F(Engine, APullCarriesTheConfiguredCredentialsOfTheImagesRegistry) {
  options.pull_behavior = PullBehavior::always;
  options.registry_auth =
      *StaticRegistryAuth::parse("docker", R"({"reg.tld/team":{"username":"u","password":"p"}})");
  docker.pullable = {"busybox", "reg.tld/team/app"};
  start();
  auto web = container("web");
  web.image = "reg.tld/team/app";
  ASSERT_TRUE(engine->add_task(payload({web, container("side")})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  ASSERT_EQ(docker.pull_auths.size(), 2u);
  const auto registry_credentials = *options.registry_auth.lookup("reg.tld/team/app");
  const std::string expected = x_registry_auth(registry_credentials);
  EXPECT_EQ(registry_credentials.server_address, "reg.tld/team");
  std::vector<std::string> auths = docker.pull_auths;
  std::sort(auths.begin(), auths.end());
  EXPECT_EQ(auths, (std::vector<std::string>{"", expected})) << "busybox (Docker Hub) goes anonymous";
}

// dockerConfig.version (§4): create and start ask for it (the client raises it to its own minimum
// when lower); a version that is not one stops the container before any Docker call.
TEST_F(Engine, CreateAndStartCarryTheContainersDockerApiVersion) {
  start();
  auto web = container("web");
  web.docker_config.version = "1.25";
  ASSERT_TRUE(engine->add_task(payload({web})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  EXPECT_EQ(docker.api_versions, (std::vector<std::string>{"create 1.25", "start 1.25"}));
}

TEST_F(Engine, ADockerApiVersionThatIsNotOneStopsTheTaskWithoutACreate) {
  start();
  auto web = container("web");
  web.docker_config.version = "latest";
  ASSERT_TRUE(engine->add_task(payload({web})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  EXPECT_EQ(docker.count("create"), 0);
  const auto* stopped = submitter.find(TaskStatus::stopped);
  ASSERT_EQ(stopped->containers.size(), 1u);
  EXPECT_EQ(stopped->containers[0].reason,
            "CannotCreateContainerError: dockerConfig.version 'latest' is not a Docker API version");
}

TEST_F(Engine, ACachedImageIsNotPulledUnderPreferCached) {
  options.pull_behavior = PullBehavior::prefer_cached;
  docker.pullable.clear();
  start();
  ASSERT_TRUE(engine->add_task(payload({container("web")})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  EXPECT_EQ(docker.count("pull"), 0);
}

TEST_F(Engine, ATaskWaitsWhileDockerIsDownAndRunsWhenItAnswers) {
  docker.down = true;
  start();
  ASSERT_TRUE(engine->add_task(payload({container("web")})));
  io.run_for(150ms);
  EXPECT_FALSE(engine->docker_ready());
  EXPECT_EQ(engine->find_task(kArn)->known_status, TaskStatus::none) << "not failed: waiting";
  EXPECT_EQ(docker.count("create"), 0);
  docker.down = false;
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
}

TEST_F(Engine, ARestartFindsTheContainerCreatedWhileItWasAwayByNameAndNeverCreatesItTwice) {
  task::Task saved = payload({container("web")});
  saved.containers[0].docker_name = "ecs-fam-3-web-00000000000000000000";
  saved.containers[0].desired_status = ContainerStatus::running;
  saved.containers[0].known_status = ContainerStatus::pulled;
  test::FakeContainerApi::Container existing;
  existing.id = std::string(64, 'e');
  existing.name = saved.containers[0].docker_name;
  existing.image = "busybox";
  existing.running = existing.started = true;
  docker.containers[existing.id] = existing;
  start({saved});
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  EXPECT_EQ(docker.count("create"), 0);
  EXPECT_EQ(docker.containers.size(), 1u);
  EXPECT_EQ(submitter.find(TaskStatus::running)->containers.at(0).runtime_id, existing.id);
}

// §8.4 and issue 14 point 5: labelled containers the agent does not know are reported (logged,
// listed) and left alone; those it knows by id or only by name are not reported.
TEST_F(Engine, LabelledContainersItDoesNotKnowAreReportedAndLeftAlone) {
  task::Task saved = payload({container("web"), container("side")});
  saved.containers[0].docker_name = "ecs-fam-3-web-22222222222222222222";
  saved.containers[0].docker_id = std::string(64, 'a');
  saved.containers[1].docker_name = "ecs-fam-3-side-33333333333333333333";  // create was interrupted
  for (auto& c : saved.containers) c.desired_status = ContainerStatus::running;
  const std::map<std::string, std::string> labels{{std::string(kTaskArnLabel), kArn}};
  auto add = [&](std::string id, std::string name, std::map<std::string, std::string> l, bool running) {
    test::FakeContainerApi::Container c;
    c.id = std::move(id);
    c.name = std::move(name);
    c.image = "busybox";
    c.labels = std::move(l);
    c.running = c.started = running;
    docker.containers[c.id] = c;
  };
  add(std::string(64, 'a'), saved.containers[0].docker_name, labels, true);
  add(std::string(64, 'b'), saved.containers[1].docker_name, labels, true);
  add(std::string(64, 'c'), "ecs-lost-1-web-44444444444444444444",
      {{std::string(kTaskArnLabel), "arn:aws:ecs:us-west-2:123456789012:task/c/lost"}}, true);
  add(std::string(64, 'd'), "someone-elses", {{"app", "x"}}, true);
  start({saved});
  ASSERT_TRUE(run_until([&] { return !engine->unknown_containers().empty(); }));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  ASSERT_EQ(engine->unknown_containers().size(), 1u);
  EXPECT_EQ(engine->unknown_containers()[0].id, std::string(64, 'c'));
  EXPECT_EQ(engine->unknown_containers()[0].name, "ecs-lost-1-web-44444444444444444444");
  EXPECT_EQ(engine->unknown_containers()[0].state, "running");
  EXPECT_EQ(docker.count("list com.amazonaws.ecs.task-arn"), 1);
  for (const auto& call : docker.calls) {
    EXPECT_EQ(call.find(std::string(64, 'c')), std::string::npos) << "touched: " << call;
  }
  EXPECT_TRUE(docker.containers.at(std::string(64, 'c')).running);
  EXPECT_EQ(docker.count("create"), 0);
}

TEST_F(Engine, AContainerThatDiedWhileTheAgentWasAwayIsReportedStoppedWithItsExitCode) {
  task::Task saved = payload({container("web")});
  saved.known_status = saved.sent_status = TaskStatus::running;
  task::Container& c = saved.containers[0];
  c.docker_name = "ecs-fam-3-web-11111111111111111111";
  c.docker_id = std::string(64, 'd');
  c.desired_status = c.known_status = c.sent_status = ContainerStatus::running;
  test::FakeContainerApi::Container dead;
  dead.id = c.docker_id;
  dead.name = c.docker_name;
  dead.image = "busybox";
  dead.started = true;
  dead.exit_code = 5;
  docker.containers[dead.id] = dead;
  start({saved});
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  const auto* stopped = submitter.find(TaskStatus::stopped);
  ASSERT_EQ(stopped->containers.size(), 1u);
  EXPECT_EQ(stopped->containers[0].exit_code, 5);
  EXPECT_EQ(docker.count("create"), 0);
  EXPECT_EQ(submitter.find(TaskStatus::running), nullptr) << "RUNNING was sent before the restart";
}

TEST_F(Engine, AVanishedContainerIsReportedStoppedWithTheReferencesReason) {
  task::Task saved = payload({container("web")});
  saved.known_status = saved.sent_status = TaskStatus::running;
  task::Container& c = saved.containers[0];
  c.docker_id = std::string(64, 'f');
  c.desired_status = c.known_status = c.sent_status = ContainerStatus::running;
  start({saved});
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  EXPECT_EQ(submitter.find(TaskStatus::stopped)->containers.at(0).reason,
            "ContainerVanishedError: No container matching saved ID found");
}

TEST_F(Engine, ACycleIsStoppedAtOnceWithoutADockerCall) {
  task::Container a = container("a");
  a.depends_on = {{"b", "START"}};
  task::Container b = container("b");
  b.depends_on = {{"a", "START"}};
  start();
  ASSERT_TRUE(engine->add_task(payload({a, b})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  EXPECT_EQ(submitter.find(TaskStatus::stopped)->reason,
            "Task dependencies cannot be resolved, taskArn: " + std::string(kArn));
  EXPECT_TRUE(docker.calls.empty() || docker.count("pull") + docker.count("create") == 0);
}

TEST_F(Engine, AStopWhileDockerIsDownIsNotReportedAsStopped) {
  start();
  ASSERT_TRUE(engine->add_task(payload({container("web")})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  docker.down = true;
  ASSERT_TRUE(engine->stop_task(kArn));
  io.run_for(200ms);
  EXPECT_EQ(submitter.find(TaskStatus::stopped), nullptr) << "the daemon did not say so";
  EXPECT_EQ(engine->find_task(kArn)->container("web")->known_status, ContainerStatus::running);
  docker.down = false;
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
}

TEST_F(Engine, TheEventStreamIsOpenedAgainWhenItEnds) {
  start();
  ASSERT_TRUE(engine->add_task(payload({container("web")})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  docker.end_events();
  ASSERT_TRUE(run_until([&] { return !docker.subscribed(); }));
  ASSERT_TRUE(run_until([&] { return docker.subscribed(); }));
  docker.exit(id_of("web"), 0);
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
}

// A container that dies while the stream is down (dockerd restarting) sends its die to no one;
// the engine looks at its tasks once the daemon answers again (the periodic look is an hour off
// here, so only that look can find it).
TEST_F(Engine, ADeathWhileTheEventStreamWasDownIsFoundByLookingWhenDockerIsBack) {
  options.steady_check = 1h;
  start();
  ASSERT_TRUE(engine->add_task(payload({container("web")})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  docker.down = true;
  docker.end_events();
  ASSERT_TRUE(run_until([&] { return !docker.subscribed(); }));
  docker.exit(id_of("web"), 5);  // no subscriber: the die event is lost
  io.run_for(50ms);
  EXPECT_EQ(submitter.find(TaskStatus::stopped), nullptr);
  docker.down = false;
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  ASSERT_EQ(submitter.find(TaskStatus::stopped)->containers.size(), 1u);
  EXPECT_EQ(submitter.find(TaskStatus::stopped)->containers[0].exit_code, 5);
}

// The die event carries the exit code: STOPPED goes out without waiting for the inspect, which
// a daemon still busy with the dead container answers late (here: not until released).
TEST_F(Engine, ADieIsReportedFromItsEventWithoutWaitingForTheInspect) {
  options.cleanup_wait = 1h;  // the task stays to be looked at
  start();
  ASSERT_TRUE(engine->add_task(payload({container("web")})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  docker.inspect_held = true;
  docker.exit(id_of("web"), 9);
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }))
      << "STOPPED waited for the inspect";
  ASSERT_EQ(submitter.find(TaskStatus::stopped)->containers.size(), 1u);
  EXPECT_EQ(submitter.find(TaskStatus::stopped)->containers[0].exit_code, 9);
  docker.inspect_held = false;
  io.run_for(50ms);
  const task::Task* live = engine->find_task(kArn);
  ASSERT_NE(live, nullptr);
  EXPECT_NE(live->container("web")->finished_at, task::TimePoint{})
      << "the inspect that followed was not applied";
}

// An oom event before the die: the STOPPED from the die event has the reference's OOM reason.
TEST_F(Engine, AnOomKillIsReportedWithTheReferencesReasonFromTheEvents) {
  start();
  ASSERT_TRUE(engine->add_task(payload({container("web")})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  docker.inspect_held = true;
  docker.exit(id_of("web"), 137, /*oom=*/true);
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  ASSERT_EQ(submitter.find(TaskStatus::stopped)->containers.size(), 1u);
  const auto& web = submitter.find(TaskStatus::stopped)->containers[0];
  EXPECT_EQ(web.exit_code, 137);
  EXPECT_EQ(web.reason, "OutOfMemoryError: Container killed due to memory usage");
  docker.inspect_held = false;
}

TEST_F(Engine, AKnownTaskTakesOnlyAHigherDesiredStatusFromANewPayload) {
  start();
  ASSERT_TRUE(engine->add_task(payload({container("web")})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  task::Task again = payload({container("web"), container("extra")});
  ASSERT_TRUE(engine->add_task(again));
  io.run_for(50ms);
  EXPECT_EQ(engine->find_task(kArn)->containers.size(), 1u);
  EXPECT_EQ(docker.count("start"), 1) << "nothing restarted";
  again.desired_status = TaskStatus::stopped;
  ASSERT_TRUE(engine->add_task(again));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
}

// ECS Exec for the tests below: the host's SSM agent files (on a fake file system) and a Docker
// exec API on which the agent starts and runs; `delay` yields that many times before each exec
// call, as a real daemon takes its time.
struct ExecRig {
  static constexpr const char* kBin = "/managed-agents/execute-command/bin/3.3.40.0";
  explicit ExecRig(int delay = 0) {
    fs.add_dir("/managed-agents/execute-command/bin");
    fs.add_dir(kBin);
    for (const char* b : {"amazon-ssm-agent", "ssm-agent-worker", "ssm-session-worker"})
      fs.add_file(std::string(kBin) + "/" + b);
    fs.add_dir("/managed-agents/execute-command/certs");
    fs.add_file("/managed-agents/execute-command/certs/tls-ca-bundle.pem");
    docker.on_create = [](const auto&) -> Result<std::string> { return std::string("exec-1"); };
    docker.on_start = [](const auto&) -> Result<void> { return {}; };
    docker.on_inspect = [](const auto&) -> Result<dockerapi::ExecInspect> {
      dockerapi::ExecInspect e;
      e.running = true;
      e.pid = 4242;
      return e;
    };
    if (delay > 0) {
      docker.before_call = [delay]() -> asio::awaitable<void> {
        for (int i = 0; i < delay; ++i)
          co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
      };
    }
    options.new_uuid = [] { return std::string("uuid-1"); };
  }
  void attach(DockerTaskEngine& engine, Clock& clock, Jitter& jitter) {
    manager = std::make_unique<execcmd::Manager>(options, fs, clock, jitter, &engine.exec_store());
    monitor = std::make_unique<execcmd::Monitor>(*manager, docker, engine.exec_tasks(),
                                                 engine.exec_reporter(), clock, jitter);
    engine.set_exec(*manager, *monitor);
  }
  static task::Container with_agent(task::Container c) {
    task::ManagedAgent agent;
    agent.name = std::string(task::kExecuteCommandAgentName);
    agent.properties = task::StringMap{{"sessionLimit", "2"}};
    c.managed_agents.push_back(agent);
    return c;
  }

  test::FakeFileSystem fs;
  test::FakeExecApi docker;
  execcmd::ManagerOptions options;
  std::unique_ptr<execcmd::Manager> manager;
  std::unique_ptr<execcmd::Monitor> monitor;
};

// ECS Exec wired in (task-engine.md §10): the exec-enabled container is created with the SSM
// agent's bind mounts, its agent is started after `docker start` so that the RUNNING change
// carries managedAgents RUNNING "ExecuteCommandAgent started", the agent's state (id, exec id) is
// in the task's durable record, and a stop reports the agent STOPPED with the container.
TEST_F(Engine, EcsExecMountsStartsAndStopsTheAgentWithItsContainer) {
  ExecRig exec;
  start();
  exec.attach(*engine, clock, jitter);

  ASSERT_TRUE(engine->add_task(payload({ExecRig::with_agent(container("web")), container("plain", false)})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));

  const auto* created = docker.by_name("-web-");
  ASSERT_NE(created, nullptr);
  EXPECT_NE(created->body.find("/var/lib/ecs/deps/execute-command/bin/3.3.40.0/amazon-ssm-agent:"
                               "/ecs-execute-command-uuid-1/amazon-ssm-agent:ro"),
            std::string::npos)
      << created->body;
  EXPECT_EQ(docker.by_name("-plain-")->body.find("execute-command"), std::string::npos);
  ASSERT_EQ(exec.docker.creates.size(), 1u);
  EXPECT_EQ(exec.docker.creates[0].container_id, created->id);

  const auto* running = submitter.find(TaskStatus::running);
  ASSERT_EQ(running->managed_agents.size(), 1u);
  EXPECT_EQ(running->managed_agents[0].container_name, "web");
  EXPECT_EQ(running->managed_agents[0].status, task::ManagedAgentStatus::running);
  EXPECT_EQ(running->managed_agents[0].reason, "ExecuteCommandAgent started");
  // Durable: a restarted agent finds the running SSM agent's exec id (exec-manager.md §5.5).
  io.run_for(20ms);  // the submit's bookkeeping
  ASSERT_EQ(repository.tasks.count(kArn), 1u);
  const auto& saved_agent = repository.tasks.at(kArn).container("web")->managed_agents.at(0).state;
  EXPECT_EQ(saved_agent.id, "uuid-1");
  EXPECT_EQ(task::AgentMetadata::from_map(saved_agent.metadata).docker_exec_id, "exec-1");
  EXPECT_EQ(saved_agent.sent_status, task::ManagedAgentStatus::running);

  ASSERT_TRUE(engine->stop_task(kArn));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  bool agent_stopped = false;
  for (const auto& change : submitter.sent) {
    for (const auto& m : change.managed_agents) {
      if (m.status == task::ManagedAgentStatus::stopped) {
        agent_stopped = true;
        EXPECT_EQ(m.reason, "Received Container Stopped event");
      }
    }
  }
  EXPECT_TRUE(agent_stopped);
}

// The start event of an exec-enabled container comes while its SSM agent is still being started
// (docker exec takes a while): RUNNING waits for the start call, so that it still carries the
// agent's status. Seen on a real dockerd before: RUNNING went out without managedAgents.
TEST_F(Engine, AnExecContainersStartEventDoesNotReportRunningBeforeItsAgentStarted) {
  ExecRig exec(/*delay=*/50);
  start();
  exec.attach(*engine, clock, jitter);
  ASSERT_TRUE(engine->add_task(payload({ExecRig::with_agent(container("web"))})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  const auto* running = submitter.find(TaskStatus::running);
  ASSERT_EQ(running->managed_agents.size(), 1u);
  EXPECT_EQ(running->managed_agents[0].status, task::ManagedAgentStatus::running);
  EXPECT_EQ(running->managed_agents[0].reason, "ExecuteCommandAgent started");
}

// ---- Docker volumes (task-engine.md §1.4 step 7, §4.8) ----

// With driver options and labels, for the tests to find again.
task::Volume docker_volume(std::string name, std::string scope, bool autoprovision = false) {
  task::Volume v = test::docker_volume(std::move(name), std::move(scope), autoprovision);
  v.driver_opts = {{"type", "tmpfs"}, {"device", "tmpfs"}};
  v.labels = {{"team", "a"}};
  return v;
}

task::Task with_volume(task::Volume v) {
  task::Container web = container("web");
  web.mount_points.push_back({v.name, "/data", false});
  task::Task t = payload({web});
  t.volumes.push_back(std::move(v));
  return t;
}

std::size_t call_index(const std::vector<std::string>& calls, std::string_view prefix) {
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].starts_with(prefix)) return i;
  }
  return calls.size();
}

// A task-scoped volume is created by the agent with its driver, options and labels before the
// container that mounts it, under the reference's name, and removed at cleanup.
TEST_F(Engine, ATaskScopedVolumeIsCreatedWithItsDriverOptionsBeforeTheContainerAndRemovedAtCleanup) {
  start();
  ASSERT_TRUE(engine->add_task(with_volume(docker_volume("data", "task"))));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  ASSERT_EQ(docker.volumes.size(), 1u);
  const auto& [name, volume] = *docker.volumes.begin();
  EXPECT_TRUE(name.starts_with("ecs-fam-3-data-")) << name;
  EXPECT_EQ(volume.options.at("type"), "tmpfs");
  EXPECT_EQ(volume.labels.at("team"), "a");
  EXPECT_LT(call_index(docker.calls, "create-volume "), call_index(docker.calls, "create ecs-"));
  EXPECT_NE(docker.by_name("-web-")->body.find(name + ":/data"), std::string::npos);
  ASSERT_TRUE(engine->stop_task(kArn));
  ASSERT_TRUE(run_until([&] { return docker.volumes.empty(); })) << "the task volume was not removed";
}

TEST_F(Engine, ATaskScopedVolumeThatAsksToBeAutoprovisionedIsRefused) {
  start();
  ASSERT_TRUE(engine->add_task(with_volume(docker_volume("data", "task", /*autoprovision=*/true))));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  EXPECT_EQ(submitter.find(TaskStatus::stopped)->reason,
            "volume [data] : task scoped volume could not be autoprovisioned");
  EXPECT_EQ(call_index(docker.calls, "create"), docker.calls.size()) << "something was created";
}

// A shared volume that is not autoprovisioned must exist: the task stops with the reference's
// reason and nothing is created.
TEST_F(Engine, AMissingSharedVolumeWithoutAutoprovisionStopsTheTask) {
  start();
  ASSERT_TRUE(engine->add_task(with_volume(docker_volume("shared-data", "shared"))));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  EXPECT_TRUE(submitter.find(TaskStatus::stopped)
                  ->reason.starts_with("initialize volume: volume detection failed, volume 'shared-data' "
                                       "does not exist and autoprovision is set to false: "))
      << submitter.find(TaskStatus::stopped)->reason;
  EXPECT_EQ(call_index(docker.calls, "create"), docker.calls.size()) << "something was created";
}

// An existing shared volume is used as it is, and never removed.
TEST_F(Engine, AnExistingSharedVolumeIsUsedAndKept) {
  docker.volumes["shared-data"] = {"shared-data", "local", "/v", {}, {}};
  start();
  ASSERT_TRUE(engine->add_task(with_volume(docker_volume("shared-data", "shared"))));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  EXPECT_EQ(call_index(docker.calls, "create-volume"), docker.calls.size());
  EXPECT_NE(docker.by_name("-web-")->body.find("shared-data:/data"), std::string::npos);
  ASSERT_TRUE(engine->stop_task(kArn));
  ASSERT_TRUE(run_until([&] { return !repository.tasks.contains(kArn); }));  // cleaned up
  EXPECT_EQ(docker.volumes.count("shared-data"), 1u) << "a shared volume was removed";
}

// Autoprovisioned: a missing shared volume is created under the volume's own name and kept.
TEST_F(Engine, AnAutoprovisionedSharedVolumeIsCreatedUnderItsNameAndKept) {
  start();
  ASSERT_TRUE(engine->add_task(with_volume(docker_volume("shared-data", "shared", /*autoprovision=*/true))));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  ASSERT_EQ(docker.volumes.count("shared-data"), 1u);
  EXPECT_EQ(docker.volumes.at("shared-data").options.at("type"), "tmpfs");
  ASSERT_TRUE(engine->stop_task(kArn));
  ASSERT_TRUE(run_until([&] { return !repository.tasks.contains(kArn); }));
  EXPECT_EQ(docker.volumes.count("shared-data"), 1u) << "a shared volume was removed";
}

// ECS_SHARED_VOLUME_MATCH_FULL_CONFIG: an existing volume the task would autoprovision must have
// the task's labels and driver options; without the setting its name is enough.
TEST_F(Engine, WithFullConfigMatchAnExistingSharedVolumeWithOtherLabelsStopsTheTask) {
  docker.volumes["shared-data"] = {
      "shared-data", "local", "/v", {{"type", "tmpfs"}, {"device", "tmpfs"}}, {{"team", "b"}}};
  options.shared_volume_match_full_config = true;
  start();
  ASSERT_TRUE(engine->add_task(with_volume(docker_volume("shared-data", "shared", /*autoprovision=*/true))));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  EXPECT_EQ(submitter.find(TaskStatus::stopped)->reason,
            "intialize volume: non-autoprovisioned volume does not match existing volume labels: "
            "existing: map[team:b], expected: map[team:a]");
  EXPECT_EQ(call_index(docker.calls, "create"), docker.calls.size()) << "something was created";
}

TEST_F(Engine, WithoutFullConfigMatchAnExistingSharedVolumeWithOtherLabelsIsUsed) {
  docker.volumes["shared-data"] = {"shared-data", "local", "/v", {}, {{"team", "b"}}};
  start();
  ASSERT_TRUE(engine->add_task(with_volume(docker_volume("shared-data", "shared", /*autoprovision=*/true))));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
}

// Docker refuses to create the volume: the task stops with Docker's text and no container is made.
TEST_F(Engine, AVolumeDockerCannotCreateStopsTheTaskWithDockersReason) {
  docker.volume_create_error = "Error response from daemon: create data: no such driver: nfs9";
  start();
  ASSERT_TRUE(engine->add_task(with_volume(docker_volume("data", "task"))));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }));
  EXPECT_EQ(submitter.find(TaskStatus::stopped)->reason, docker.volume_create_error);
  EXPECT_EQ(call_index(docker.calls, "create ecs-"), docker.calls.size()) << "a container was created";
}

// ---- the container metadata file (task-engine.md §5.3) ----

TEST(ContainerMetadataJson, NotReadyHoldsWhatIsKnownBeforeTheCreateAndReadyTheRest) {
  task::Task t = payload({container("web")});
  task::Container& c = t.containers[0];
  c.docker_id = "0123abc";
  c.docker_name = "ecs-fam-3-web-aa";
  c.image_id = "sha256:1234";
  c.known_port_bindings = {{80, 41000, "0.0.0.0", "tcp"}};
  c.networks = {{"bridge", "172.17.0.2", ""}};
  MetadataInstance instance{"default", "arn:aws:ecs:us-west-2:123456789012:container-instance/default/i",
                            "us-west-2a", "10.0.0.5", ""};
  EXPECT_EQ(
      container_metadata_json(t, c, instance, false),
      R"({"Cluster":"default","ContainerInstanceARN":"arn:aws:ecs:us-west-2:123456789012:container-instance/)"
      R"(default/i","TaskARN":")" +
          std::string(kArn) +
          R"(","TaskDefinitionFamily":"fam","TaskDefinitionRevision":"3","ContainerName":"web",)"
          R"("MetadataFileStatus":"NOT_READY","AvailabilityZone":"us-west-2a","HostPrivateIPv4Address":"10.0.0.5"})");
  const std::string ready = container_metadata_json(t, c, instance, true);
  for (const char* part :
       {R"("ContainerID":"0123abc")", R"("DockerContainerName":"/ecs-fam-3-web-aa")",
        R"("ImageID":"sha256:1234")", R"("ImageName":"busybox")",
        R"("PortMappings":[{"ContainerPort":80,"HostPort":41000,"BindIp":"0.0.0.0","Protocol":"tcp"}])",
        R"("Networks":[{"NetworkMode":"bridge","IPv4Addresses":["172.17.0.2"]}])",
        R"("MetadataFileStatus":"READY")"}) {
    EXPECT_NE(ready.find(part), std::string::npos) << part << " not in " << ready;
  }
  EXPECT_EQ(ready.find("HostPublicIPv4Address"), std::string::npos) << "an unknown address is left out";
}

// The directory and the NOT_READY file exist before the create, the create binds the directory
// (at its host path: ECS_HOST_DATA_DIR then the agent's path) and names the file in
// ECS_CONTAINER_METADATA_FILE; once RUNNING the file is READY with the Docker id; the cleanup
// removes the task's directory.
TEST_F(Engine, TheContainerMetadataFileIsMadeBeforeTheCreateCompletedAtRunningAndRemovedAtCleanup) {
  test::FakeFileSystem fs;
  ContainerMetadataFiles files({true, "/data", "/var/lib/ecs"}, fs, [] { return std::string("uuid-7"); });
  start();
  engine->set_container_metadata(files);
  const std::string file = "/data/metadata/t1/web/ecs-container-metadata.json";
  std::string at_create;
  docker.before_create = [&] { at_create = fs.nodes.count(file) ? fs.nodes[file].content : "(none)"; };
  ASSERT_TRUE(engine->add_task(payload({container("web")})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  EXPECT_NE(at_create.find(R"("MetadataFileStatus":"NOT_READY")"), std::string::npos) << at_create;
  const auto* created = docker.by_name("-web-");
  EXPECT_NE(created->body.find(R"("/var/lib/ecs/data/metadata/t1/web:/opt/ecs/metadata/uuid-7")"),
            std::string::npos)
      << created->body;
  EXPECT_NE(
      created->body.find("ECS_CONTAINER_METADATA_FILE=/opt/ecs/metadata/uuid-7/ecs-container-metadata.json"),
      std::string::npos)
      << created->body;
  ASSERT_TRUE(fs.nodes.count(file));
  EXPECT_NE(fs.nodes[file].content.find(R"("MetadataFileStatus":"READY")"), std::string::npos);
  EXPECT_NE(fs.nodes[file].content.find(R"("ContainerID":")" + created->id + "\""), std::string::npos);
  EXPECT_EQ(fs.nodes.count(file + ".tmp"), 0u) << "written in place, not renamed";
  ASSERT_TRUE(engine->stop_task(kArn));
  ASSERT_TRUE(run_until([&] { return !repository.tasks.contains(kArn); }));
  EXPECT_EQ(fs.nodes.count("/data/metadata/t1"), 0u);
  EXPECT_EQ(fs.nodes.count(file), 0u);
}

// A metadata directory that cannot be made: the container runs without the file.
TEST_F(Engine, AContainerWhoseMetadataFileCannotBeMadeRunsWithoutIt) {
  test::FakeFileSystem fs;
  fs.fail_mkdir["/data/metadata/t1/web"] = test::mock_error("mkdir: permission denied");
  ContainerMetadataFiles files({true, "/data", ""}, fs, [] { return std::string("uuid-7"); });
  start();
  engine->set_container_metadata(files);
  ASSERT_TRUE(engine->add_task(payload({container("web")})));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }));
  EXPECT_EQ(docker.by_name("-web-")->body.find("ECS_CONTAINER_METADATA_FILE"), std::string::npos);
}

}  // namespace
}  // namespace ecs::engine
