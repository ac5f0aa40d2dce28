// The task engine on a real dockerd (the private one of the run, or a test's own where the test
// restarts it). The busybox image is local only and the registry is unreachable: under the
// default pull behaviour the cached image runs.
//  - a 2-container task (an essential long runner and a non-essential container that exits 3)
//    runs to RUNNING, each container's exit code reaches the submitter in the public model's
//    shape, a desired STOPPED stops it with nothing left running, the cleanup removes it all;
//  - a container's stopTimeout; host and task volumes with volumesFrom and dependsOn COMPLETE;
//    a dockerd restart under a running task; labelled containers the engine does not know.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/docker_task_engine.h"
#include "support/dockerd.h"
#include "support/memory_repository.h"
#include "support/process.h"

namespace ecs::engine {
namespace {

using namespace std::chrono_literals;
using task::ContainerStatus;
using task::TaskStatus;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

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

// The engine and its event handler on one dockerd, run on io_ by run_until.
class EngineOnDockerd : public ::testing::Test {
 protected:
  void start(const test::Dockerd& d, DockerTaskEngineOptions options = defaults()) {
    dockerd_ = &d;
    auto client = dockerapi::EngineClient::from_docker_host(d.docker_host);
    ASSERT_TRUE(client) << client.error().message;
    client_ = std::move(*client);
    engine_ =
        std::make_unique<DockerTaskEngine>(io_.get_executor(), *client_, repository_, credentials_, clock_,
                                           jitter_, std::move(options), std::vector<task::Task>{});
    events::TaskHandlerOptions ho;
    ho.drain_min = 100ms;
    ho.drain_max = 200ms;
    handler_ =
        std::make_unique<events::TaskHandler>(io_.get_executor(), submitter_, *engine_, clock_, jitter_, ho);
    engine_->set_sink(*handler_);
    asio::co_spawn(io_, engine_->run(stop_), asio::detached);
    asio::co_spawn(io_, handler_->run_drain_ticker(stop_), asio::detached);
  }
  void TearDown() override {
    if (!engine_) return;
    stop_.stop();
    handler_->stop();
    io_.run_for(100ms);
  }
  static DockerTaskEngineOptions defaults() {
    DockerTaskEngineOptions options;
    options.cluster = "engine-test";
    options.region = "us-west-2";
    options.stop_timeout = 2s;
    options.cleanup_wait = 1s;
    options.sent_poll = 100ms;
    options.pull.begin = 20s;
    return options;
  }
  bool run_until(const std::function<bool()>& done, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) io_.run_for(20ms);
    return done();
  }
  // A task of this test process (its ARN names the test, so runs never share one).
  task::Task new_task(const std::string& test) const {
    task::Task t;
    t.arn = "arn:aws:ecs:us-west-2:123456789012:task/engine-test/" + test + "-" + std::to_string(::getpid());
    t.family = "enginetest";
    t.version = "1";
    t.desired_status = TaskStatus::running;
    return t;
  }
  task::Container container(const std::string& name, std::vector<std::string> command) const {
    task::Container c;
    c.name = name;
    c.image = dockerd_->busybox_image;
    c.essential = true;
    c.command = std::move(command);
    return c;
  }
  // What `docker CMD...` prints on this test's dockerd.
  test::ProcessResult docker(std::vector<std::string> command) const {
    test::ProcessOptions env;
    env.env = {{"DOCKER_HOST", dockerd_->docker_host}};
    command.insert(command.begin(), "docker");
    return test::run_process(command, env);
  }
  std::optional<int> reported_exit(const std::string& container) const {
    std::optional<int> exit;
    for (const auto& change : submitter_.sent) {
      for (const auto& c : change.containers) {
        if (c.container_name == container && c.status == ContainerStatus::stopped) exit = c.exit_code;
      }
    }
    return exit;
  }

  asio::io_context io_;
  const test::Dockerd* dockerd_ = nullptr;
  test::MemoryRepository repository_;
  credentials::InMemoryCredentialsStore credentials_;
  SteadyClock clock_;
  FixedJitter jitter_{0.0};
  Recorder submitter_;
  std::unique_ptr<dockerapi::EngineClient> client_;
  std::unique_ptr<DockerTaskEngine> engine_;
  std::unique_ptr<events::TaskHandler> handler_;
  StopSource stop_;
};

TEST_F(EngineOnDockerd, RunsATwoContainerTaskReportsExitCodesAndStopsItLeavingNothing) {
  ECS_REQUIRE_DOCKERD(dockerd);
  start(*dockerd);
  task::Task t = new_task("two");
  const std::string arn = t.arn;
  task::Container side = container("side", {"sh", "-c", "exit 3"});
  side.essential = false;
  t.containers = {container("web", {"sleep", "600"}), side};
  ASSERT_TRUE(engine_->add_task(t));

  ASSERT_TRUE(run_until([&] { return submitter_.find(TaskStatus::running) != nullptr; }, 90s))
      << "no RUNNING; sent " << submitter_.sent.size();
  ASSERT_TRUE(run_until(
      [&] {
        const task::Task* live = engine_->find_task(arn);
        return live && live->container("side")->sent_status == ContainerStatus::stopped;
      },
      60s));
  for (const auto& change : submitter_.sent) {
    for (const auto& c : change.containers) EXPECT_EQ(c.runtime_id.size(), 64u);
  }
  EXPECT_EQ(reported_exit("side"), 3);

  ASSERT_TRUE(engine_->stop_task(arn));
  ASSERT_TRUE(run_until([&] { return submitter_.find(TaskStatus::stopped) != nullptr; }, 60s));
  const auto* stopped = submitter_.find(TaskStatus::stopped);
  bool web_reported = false;
  for (const auto& c : stopped->containers) {
    if (c.container_name != "web") continue;
    web_reported = true;
    ASSERT_TRUE(c.exit_code.has_value());
    EXPECT_TRUE(*c.exit_code == 137 || *c.exit_code == 143) << *c.exit_code;
  }
  EXPECT_TRUE(web_reported);
  ASSERT_TRUE(run_until([&] { return engine_->find_task(arn) == nullptr; }, 60s)) << "not cleaned up";
  auto ps = docker({"ps", "-aq", "--filter", "label=com.amazonaws.ecs.task-arn=" + arn});
  ASSERT_EQ(ps.exit_code, 0) << ps.err;
  EXPECT_EQ(ps.out, "") << "containers left behind";
}

// A container's own stopTimeout wins over ECS_CONTAINER_STOP_TIMEOUT: `sleep` as PID 1 ignores
// SIGTERM, so it lives until Docker's SIGKILL at the container's 5 s, not the engine's 1 s.
TEST_F(EngineOnDockerd, AContainersStopTimeoutIsHonouredBeforeDockerKillsIt) {
  ECS_REQUIRE_DOCKERD(dockerd);
  auto options = defaults();
  options.stop_timeout = 1s;
  start(*dockerd, options);
  task::Task t = new_task("stoptimeout");
  const std::string arn = t.arn;
  task::Container web = container("web", {"sleep", "600"});
  web.stop_timeout = 5;
  t.containers = {web};
  ASSERT_TRUE(engine_->add_task(t));
  ASSERT_TRUE(run_until([&] { return submitter_.find(TaskStatus::running) != nullptr; }, 90s));

  const auto asked = std::chrono::steady_clock::now();
  ASSERT_TRUE(engine_->stop_task(arn));
  ASSERT_TRUE(run_until([&] { return submitter_.find(TaskStatus::stopped) != nullptr; }, 60s));
  EXPECT_GE(std::chrono::steady_clock::now() - asked, 5s) << "killed before its stopTimeout";
  EXPECT_EQ(reported_exit("web"), 137);  // SIGKILL: it never handled the SIGTERM
}

// A host volume (a directory of the test) and a task-scoped empty volume (a Docker volume the
// agent makes): the writer fills both, the reader (volumesFrom the writer, after it COMPLETEs)
// copies one into the other; the cleanup removes the Docker volume and keeps the host directory.
TEST_F(EngineOnDockerd, HostAndTaskVolumesAreMountedSharedThroughVolumesFromAndCleanedUp) {
  ECS_REQUIRE_DOCKERD(dockerd);
  start(*dockerd);
  char dir_template[] = "/tmp/ecs-engine-volume.XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string host_dir = dir_template;
  task::Task t = new_task("volumes");
  const std::string arn = t.arn;
  task::Volume host;
  host.name = "hostdir";
  host.source_path = host_dir;
  task::Volume scratch;
  scratch.name = "scratch";  // host type with no source path: a task-scoped local volume
  t.volumes = {host, scratch};
  task::Container writer =
      container("writer", {"sh", "-c", "echo hello > /host/out && echo shared > /scratch/s"});
  writer.essential = false;
  writer.mount_points = {{"hostdir", "/host", false}, {"scratch", "/scratch", false}};
  task::Container reader = container("reader", {"sh", "-c", "cat /scratch/s > /host/copied"});
  reader.volumes_from = {{"writer", false}};
  reader.depends_on = {{"writer", "COMPLETE"}};
  t.containers = {writer, reader};
  ASSERT_TRUE(engine_->add_task(t));

  std::string volume;
  ASSERT_TRUE(run_until(
      [&] {
        if (const task::Task* live = engine_->find_task(arn); live && volume.empty()) {
          volume = live->volume("scratch")->docker_volume_name;
        }
        return submitter_.find(TaskStatus::stopped) != nullptr;
      },
      90s))
      << "the reader's exit did not stop the task";
  EXPECT_EQ(reported_exit("writer"), 0);
  EXPECT_EQ(reported_exit("reader"), 0);
  EXPECT_EQ(read_text(host_dir + "/out"), "hello\n");
  EXPECT_EQ(read_text(host_dir + "/copied"), "shared\n");
  ASSERT_FALSE(volume.empty());
  EXPECT_EQ(docker({"volume", "inspect", volume}).exit_code, 0) << "the task volume was never made";

  ASSERT_TRUE(run_until([&] { return engine_->find_task(arn) == nullptr; }, 60s)) << "not cleaned up";
  EXPECT_NE(docker({"volume", "inspect", volume}).exit_code, 0) << "the task volume was left behind";
  EXPECT_TRUE(std::filesystem::exists(host_dir + "/out")) << "the host directory was touched";
  std::filesystem::remove_all(host_dir);
}

// The daemon restarts under a running task (no live-restore: its containers get SIGTERM, which
// this one turns into exit 5): the task is reported STOPPED with that exit code once the daemon
// is back. (Here the die is usually seen before the stream closes; a die lost while the stream
// is down is Engine.ADeathWhileTheEventStreamWasDownIsFoundByLookingWhenDockerIsBack.)
TEST_F(EngineOnDockerd, ADockerdRestartIsFoundAndTheTaskReportedStoppedWithTheExitCode) {
  ECS_REQUIRE_OWN_DOCKERD(own, "");
  auto options = defaults();
  options.docker_retry_min = 100ms;
  options.docker_retry_max = 500ms;
  start(*own.engine(), options);
  task::Task t = new_task("restart");
  t.containers = {container("web", {"sh", "-c", "trap 'exit 5' TERM; sleep 600 & wait"})};
  ASSERT_TRUE(engine_->add_task(t));
  ASSERT_TRUE(run_until([&] { return submitter_.find(TaskStatus::running) != nullptr; }, 90s));
  io_.run_for(200ms);  // the shell has set its trap

  std::string error;
  ASSERT_TRUE(own.restart(&error)) << error;
  ASSERT_TRUE(run_until([&] { return submitter_.find(TaskStatus::stopped) != nullptr; }, 60s))
      << "the task was not found stopped after the restart";
  EXPECT_EQ(reported_exit("web"), 5);
}

// §8.4 / issue 14 point 5: a container carrying the agent's task label that is not in the engine's
// state (here made with the CLI, as a lost state would leave one) is reported and keeps running.
TEST_F(EngineOnDockerd, ALabelledContainerItDoesNotKnowIsReportedAndLeftRunning) {
  ECS_REQUIRE_DOCKERD(dockerd);
  dockerd_ = dockerd;
  const std::string name = "ecs-lost-1-web-" + std::to_string(::getpid());
  const std::string arn = "arn:aws:ecs:us-west-2:123456789012:task/lost/" + std::to_string(::getpid());
  auto made = docker({"run", "-d", "--network", "none", "--name", name, "--label",
                      "com.amazonaws.ecs.task-arn=" + arn, dockerd->busybox_image, "sleep", "600"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string id = made.out.substr(0, made.out.find('\n'));

  start(*dockerd);
  auto reported = [&] {
    for (const auto& c : engine_->unknown_containers()) {
      if (c.id == id) return true;
    }
    return false;
  };
  EXPECT_TRUE(run_until(reported, 30s)) << "not reported: " << id;
  for (const auto& c : engine_->unknown_containers()) {
    if (c.id != id) continue;
    EXPECT_EQ(c.name, name);
    EXPECT_EQ(c.state, "running");
    EXPECT_EQ(c.labels.at("com.amazonaws.ecs.task-arn"), arn);
  }
  io_.run_for(500ms);  // time enough to do something wrong to it
  stop_.stop();
  io_.run_for(100ms);
  auto running = docker({"inspect", "-f", "{{.State.Running}}", id});
  EXPECT_EQ(running.out, "true\n") << running.err;
  auto removed = docker({"rm", "-f", id});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
}

}  // namespace
}  // namespace ecs::engine
