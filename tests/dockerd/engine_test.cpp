// The task engine on the private real dockerd: a 2-container task (an essential long runner and a
// non-essential container that exits 3) runs to RUNNING, each container's exit code reaches the
// submitter in the public model's shape, a desired STOPPED stops it with nothing left running,
// and the cleanup removes the containers. The busybox image is local only and the registry is
// unreachable: under the default pull behaviour the cached image runs.
#include <gtest/gtest.h>

#include "engine/docker_task_engine.h"
#include "support/dockerd.h"
#include "support/memory_repository.h"
#include "support/process.h"

namespace ecs::engine {
namespace {

using namespace std::chrono_literals;
using task::ContainerStatus;
using task::TaskStatus;

class Recorder : public events::StateChangeSubmitter {
 public:
  asio::awaitable<Result<void>> submit(const events::TaskStateChange& change) override {
    sent.push_back(change);
    co_return Result<void>();
  }
  const events::TaskStateChange* find(TaskStatus s) const {
    for (const auto& c : sent) {
      if (c.status == s) return &c;
    }
    return nullptr;
  }
  std::vector<events::TaskStateChange> sent;
};

TEST(EngineOnDockerd, RunsATwoContainerTaskReportsExitCodesAndStopsItLeavingNothing) {
  ECS_REQUIRE_DOCKERD(dockerd);
  auto client = dockerapi::EngineClient::from_docker_host(dockerd->docker_host);
  ASSERT_TRUE(client);
  asio::io_context io;
  test::MemoryRepository repository;
  credentials::InMemoryCredentialsStore credentials;
  SteadyClock clock;
  FixedJitter jitter(0.0);
  Recorder submitter;
  DockerTaskEngineOptions options;
  options.cluster = "engine-test";
  options.region = "us-west-2";
  options.stop_timeout = 2s;
  options.cleanup_wait = 1s;
  options.sent_poll = 100ms;
  options.pull.begin = 20s;
  const std::string arn = "arn:aws:ecs:us-west-2:123456789012:task/engine-test/" + std::to_string(::getpid());
  DockerTaskEngine engine(io.get_executor(), **client, repository, credentials, clock, jitter, options, {});
  events::TaskHandlerOptions ho;
  ho.drain_min = 100ms;
  ho.drain_max = 200ms;
  events::TaskHandler handler(io.get_executor(), submitter, engine, clock, jitter, ho);
  engine.set_sink(handler);
  StopSource stop;
  asio::co_spawn(io, engine.run(stop), asio::detached);
  asio::co_spawn(io, handler.run_drain_ticker(stop), asio::detached);

  task::Task t;
  t.arn = arn;
  t.family = "enginetest";
  t.version = "1";
  t.desired_status = TaskStatus::running;
  task::Container web;
  web.name = "web";
  web.image = dockerd->busybox_image;
  web.essential = true;
  web.command = std::vector<std::string>{"sleep", "600"};
  task::Container side = web;
  side.name = "side";
  side.essential = false;
  side.command = std::vector<std::string>{"sh", "-c", "exit 3"};
  t.containers = {web, side};
  ASSERT_TRUE(engine.add_task(t));

  auto run_until = [&](const std::function<bool()>& done, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) io.run_for(20ms);
    return done();
  };
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::running) != nullptr; }, 90s))
      << "no RUNNING; sent " << submitter.sent.size();
  ASSERT_TRUE(run_until(
      [&] {
        const task::Task* live = engine.find_task(arn);
        return live && live->container("side")->sent_status == ContainerStatus::stopped;
      },
      60s));
  std::optional<int> side_exit;
  for (const auto& change : submitter.sent) {
    for (const auto& c : change.containers) {
      if (c.container_name == "side" && c.status == ContainerStatus::stopped) side_exit = c.exit_code;
      EXPECT_EQ(c.runtime_id.size(), 64u);
    }
  }
  EXPECT_EQ(side_exit, 3);

  ASSERT_TRUE(engine.stop_task(arn));
  ASSERT_TRUE(run_until([&] { return submitter.find(TaskStatus::stopped) != nullptr; }, 60s));
  const auto* stopped = submitter.find(TaskStatus::stopped);
  bool web_reported = false;
  for (const auto& c : stopped->containers) {
    if (c.container_name != "web") continue;
    web_reported = true;
    ASSERT_TRUE(c.exit_code.has_value());
    EXPECT_TRUE(*c.exit_code == 137 || *c.exit_code == 143) << *c.exit_code;
  }
  EXPECT_TRUE(web_reported);
  ASSERT_TRUE(run_until([&] { return engine.find_task(arn) == nullptr; }, 60s)) << "not cleaned up";
  test::ProcessOptions env;
  env.env = {{"DOCKER_HOST", dockerd->docker_host}};
  auto ps =
      test::run_process({"docker", "ps", "-aq", "--filter", "label=com.amazonaws.ecs.task-arn=" + arn}, env);
  ASSERT_EQ(ps.exit_code, 0) << ps.err;
  EXPECT_EQ(ps.out, "") << "containers left behind";
  stop.stop();
  handler.stop();
  io.run_for(100ms);
}

// §8.4 / issue 14 point 5: a container carrying the agent's task label that is not in the engine's
// state (here made with the CLI, as a lost state would leave one) is reported and keeps running.
TEST(EngineOnDockerd, ALabelledContainerItDoesNotKnowIsReportedAndLeftRunning) {
  ECS_REQUIRE_DOCKERD(dockerd);
  auto client = dockerapi::EngineClient::from_docker_host(dockerd->docker_host);
  ASSERT_TRUE(client);
  test::ProcessOptions env;
  env.env = {{"DOCKER_HOST", dockerd->docker_host}};
  const std::string name = "ecs-lost-1-web-" + std::to_string(::getpid());
  const std::string arn = "arn:aws:ecs:us-west-2:123456789012:task/lost/" + std::to_string(::getpid());
  auto made = test::run_process({"docker", "run", "-d", "--network", "none", "--name", name, "--label",
                                 "com.amazonaws.ecs.task-arn=" + arn, dockerd->busybox_image, "sleep", "600"},
                                env);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string id = made.out.substr(0, made.out.find('\n'));

  asio::io_context io;
  test::MemoryRepository repository;
  credentials::InMemoryCredentialsStore credentials;
  SteadyClock clock;
  FixedJitter jitter(0.0);
  DockerTaskEngineOptions options;
  options.cluster = "engine-test";
  DockerTaskEngine engine(io.get_executor(), **client, repository, credentials, clock, jitter, options, {});
  StopSource stop;
  asio::co_spawn(io, engine.run(stop), asio::detached);
  auto reported = [&] {
    for (const auto& c : engine.unknown_containers()) {
      if (c.id == id) return true;
    }
    return false;
  };
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!reported() && std::chrono::steady_clock::now() < deadline) io.run_for(20ms);
  EXPECT_TRUE(reported()) << "not reported: " << id;
  for (const auto& c : engine.unknown_containers()) {
    if (c.id != id) continue;
    EXPECT_EQ(c.name, name);
    EXPECT_EQ(c.state, "running");
    EXPECT_EQ(c.labels.at("com.amazonaws.ecs.task-arn"), arn);
  }
  io.run_for(500ms);  // time enough to do something wrong to it
  stop.stop();
  io.run_for(100ms);
  auto running = test::run_process({"docker", "inspect", "-f", "{{.State.Running}}", id}, env);
  EXPECT_EQ(running.out, "true\n") << running.err;
  auto removed = test::run_process({"docker", "rm", "-f", id}, env);
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
}

}  // namespace
}  // namespace ecs::engine
