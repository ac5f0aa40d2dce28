// The task engine on a real dockerd (the private one of the run, or a test's own where the test
// restarts it). The busybox image is local only and the registry is unreachable: under the
// default pull behaviour the cached image runs.
//  - a 2-container task (an essential long runner and a non-essential container that exits 3)
//    runs to RUNNING, each container's exit code reaches the submitter in the public model's
//    shape, a desired STOPPED stops it with nothing left running, the cleanup removes it all;
//  - a container's stopTimeout; host and task volumes with volumesFrom and dependsOn COMPLETE;
//    task-scoped Docker volumes with driver options, shared ones autoprovisioned, found, kept and
//    missing, a read-only volumesFrom; a dockerd restart under a running task; port mappings
//    (fixed, agent-chosen, UDP and a containerPortRange) on a bridge network; pulls from a
//    registry that wants credentials (Debian's docker-registry on loopback), with and without
//    them; labelled containers the engine does not know.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "core/uuid.h"
#include "engine/docker_task_engine.h"
#include "execcmd/filesystem.h"
#include "support/dockerd.h"
#include "support/memory_repository.h"
#include "support/process.h"
#include "support/task_builders.h"
#include "task/managed_agent.h"

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

// A Docker registry (Debian's docker-registry) on a loopback port with one htpasswd user; Docker
// talks plain HTTP to a registry on 127.0.0.0/8. Stopped and deleted by the destructor.
class LocalRegistry {
 public:
  static constexpr const char* kUser = "ecs-test";
  static constexpr const char* kPassword = "registry-password-1";

  LocalRegistry() {
    char dir_template[] = "/tmp/ecs-test-registry.XXXXXX";
    if (::mkdtemp(dir_template) == nullptr) {
      why_ = "mkdtemp failed";
      return;
    }
    dir_ = dir_template;
    auto hash = test::run_process(
        {"python3", "-W", "ignore", "-c",
         "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))",
         kPassword});
    if (hash.exit_code != 0 || !hash.out.starts_with("$2")) {
      why_ = "cannot make a bcrypt htpasswd entry with python3: " + hash.err;
      return;
    }
    std::ofstream(dir_ + "/htpasswd") << kUser << ":" << hash.out;
    port_ = free_port();
    std::ofstream(dir_ + "/config.yml")
        << "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
        << "    rootdirectory: " << dir_ << "/data\nhttp:\n  addr: 127.0.0.1:" << port_
        << "\nauth:\n  htpasswd:\n    realm: ecs-test\n    path: " << dir_ << "/htpasswd\n";
    auto started = test::run_process(
        {"sh", "-c", "docker-registry serve \"$0/config.yml\" >\"$0/registry.log\" 2>&1 & echo $!", dir_});
    if (started.exit_code != 0) {
      why_ = "cannot start docker-registry: " + started.err;
      return;
    }
    pid_ = std::stoi(started.out);
    for (int i = 0; i < 100 && !answers(); ++i) std::this_thread::sleep_for(100ms);
    if (!answers()) why_ = "docker-registry did not listen on port " + std::to_string(port_) + ": " + log();
  }
  ~LocalRegistry() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, WNOHANG);
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  LocalRegistry(const LocalRegistry&) = delete;
  LocalRegistry& operator=(const LocalRegistry&) = delete;

  bool up() const { return why_.empty(); }
  const std::string& why() const { return why_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return read_text(dir_ + "/registry.log"); }
  // Pushes `image` of `dockerd` as host()/NAME and removes that name locally again, so a task
  // that names it must pull it. Returns the pushed name, or "" with *error set.
  std::string push(const test::Dockerd& dockerd, const std::string& image, const std::string& name,
                   std::string* error) const {
    test::ProcessOptions env;
    env.env = {{"DOCKER_HOST", dockerd.docker_host}, {"DOCKER_CONFIG", dir_ + "/docker-config"}};
    const std::string target = host() + "/" + name;
    for (const std::vector<std::string>& step : {std::vector<std::string>{"docker", "tag", image, target},
                                                 {"docker", "login", "-u", kUser, "-p", kPassword, host()},
                                                 {"docker", "push", target},
                                                 {"docker", "logout", host()},
                                                 {"docker", "rmi", target}}) {
      auto r = test::run_process(step, env);
      if (r.exit_code != 0) {
        *error = step[1] + ": " + r.err + r.out + " registry log: " + log();
        return "";
      }
    }
    return target;
  }

 private:
  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n) == 0) {
      port = ntohs(a.sin_port);
    }
    ::close(fd);
    return port;
  }
  bool answers() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port_));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
  }

  std::string dir_;
  std::string why_;
  int port_ = 0;
  int pid_ = 0;
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
    // The registry is unreachable: a pull's retries (the reference's 13 s of backoff) only wait.
    options.pull_retry_min = 10ms;
    options.pull_retry_max = 20ms;
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
  // `image` of dockerd_ pushed to `registry` as NAME:<pid> and removed locally; "" on failure
  // (the test fails with why).
  std::string pushed(const LocalRegistry& registry, const std::string& name) const {
    std::string error;
    std::string image =
        registry.push(*dockerd_, dockerd_->busybox_image, name + ":" + std::to_string(::getpid()), &error);
    EXPECT_FALSE(image.empty()) << error;
    return image;
  }
  // A task of one essential container running `command` from `image`.
  task::Task one_container_task(const std::string& test, const std::string& image,
                                std::vector<std::string> command) const {
    task::Task t = new_task(test);
    task::Container once = container("once", std::move(command));
    once.image = image;
    t.containers = {once};
    return t;
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

// ECS_ENABLE_CONTAINER_METADATA on a real dockerd: the container finds the file that
// ECS_CONTAINER_METADATA_FILE names through the bind, and it turns READY with its own Docker id
// (the container waits for that and exits 0, or gives up with 3); the cleanup removes the task's
// directory.
TEST_F(EngineOnDockerd, AContainerSeesItsMetadataFileTurnReady) {
  ECS_REQUIRE_DOCKERD(dockerd);
  char dir_template[] = "/tmp/ecs-engine-metadata.XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string data_dir = dir_template;
  execcmd::RealFileSystem fs;
  ContainerMetadataFiles files({true, data_dir, ""}, fs, [] { return random_uuid(); });
  start(*dockerd);
  engine_->set_container_metadata(files);
  task::Task t = new_task("metadata");
  const std::string arn = t.arn;
  t.containers = {container(
      "meta",
      {"sh", "-c",
       "for i in $(seq 100); do f=$ECS_CONTAINER_METADATA_FILE; "
       "grep -q '\"MetadataFileStatus\":\"READY\"' $f && grep -q \"\\\"ContainerID\\\":\\\"$(hostname)\" $f "
       "&& grep -q '\"ContainerName\":\"meta\"' $f && exit 0; sleep 0.1; done; exit 3"})};
  ASSERT_TRUE(engine_->add_task(t));
  ASSERT_TRUE(run_until([&] { return submitter_.find(TaskStatus::stopped) != nullptr; }, 90s));
  EXPECT_EQ(reported_exit("meta"), 0) << "3: the container never saw its READY metadata file";
  ASSERT_TRUE(run_until([&] { return engine_->find_task(arn) == nullptr; }, 60s)) << "not cleaned up";
  EXPECT_FALSE(std::filesystem::exists(data_dir + "/metadata/" + task::task_id(arn)));
  std::filesystem::remove_all(data_dir);
}

// Docker volumes as the task defines them (task-engine.md §4.8, the reference's
// TestSharedAutoprovisionVolume and TestSharedDoNotAutoprovisionVolume): a task-scoped volume is
// made with its driver options (a tmpfs here, seen in the container's mounts) and removed at
// cleanup; a shared volume the first task autoprovisions is made under its own name, outlives the
// task, and a second task that does not autoprovision it finds the data there, through a
// read-only volumesFrom that refuses writes; a third task naming a shared volume that does not
// exist is stopped with the reference's reason and creates nothing.
TEST_F(EngineOnDockerd, TaskAndSharedDockerVolumesAreMadeFoundKeptAndReadOnlyThroughVolumesFrom) {
  ECS_REQUIRE_DOCKERD(dockerd);
  start(*dockerd);
  const std::string shared_name = "ecs-engine-test-shared-" + std::to_string(::getpid());
  using test::docker_volume;

  task::Task first = new_task("volumes-1");
  task::Volume scratch = docker_volume("scratch", "task", false);
  scratch.driver_opts = {{"type", "tmpfs"}, {"device", "tmpfs"}};
  task::Volume shared = docker_volume(shared_name, "shared", true);
  shared.labels = {{"made-by", "engine-test"}};
  first.volumes = {scratch, shared};
  task::Container writer = container(
      "writer", {"sh", "-c", "grep -q ' /scratch tmpfs ' /proc/mounts || exit 9; echo hello > /shared/f"});
  writer.mount_points = {{"scratch", "/scratch", false}, {shared_name, "/shared", false}};
  first.containers = {writer};
  ASSERT_TRUE(engine_->add_task(first));
  std::string scratch_volume;
  ASSERT_TRUE(run_until(
      [&] {
        if (const task::Task* live = engine_->find_task(first.arn); live && scratch_volume.empty()) {
          scratch_volume = live->volume("scratch")->docker_volume_name;
        }
        return submitter_.find(TaskStatus::stopped) != nullptr;
      },
      90s));
  EXPECT_EQ(reported_exit("writer"), 0) << "9: /scratch is not the tmpfs its driver options ask for";
  ASSERT_TRUE(run_until([&] { return engine_->find_task(first.arn) == nullptr; }, 60s)) << "not cleaned up";
  EXPECT_NE(docker({"volume", "inspect", scratch_volume}).exit_code, 0) << "the task volume was left behind";
  const auto kept = docker({"volume", "inspect", "--format", "{{json .Labels}}", shared_name});
  ASSERT_EQ(kept.exit_code, 0) << "the shared volume did not outlive its task: " << kept.err;
  EXPECT_NE(kept.out.find(R"("made-by":"engine-test")"), std::string::npos) << kept.out;

  submitter_.sent.clear();
  task::Task second = new_task("volumes-2");
  second.volumes = {docker_volume(shared_name, "shared", false)};
  task::Container holder = container("holder", {"true"});
  holder.essential = false;
  holder.mount_points = {{shared_name, "/shared", false}};
  task::Container reader = container(
      "reader",
      {"sh", "-c", "grep -q hello /shared/f || exit 4; touch /shared/x 2>/dev/null && exit 5; exit 0"});
  reader.volumes_from = {{"holder", true}};
  second.containers = {holder, reader};
  ASSERT_TRUE(engine_->add_task(second));
  ASSERT_TRUE(run_until([&] { return submitter_.find(TaskStatus::stopped) != nullptr; }, 90s));
  EXPECT_EQ(reported_exit("reader"), 0)
      << "4: the data is not there; 5: a read-only volumesFrom took a write";

  submitter_.sent.clear();
  task::Task third = new_task("volumes-3");
  third.volumes = {docker_volume(shared_name + "-missing", "shared", false)};
  task::Container lost = container("lost", {"true"});
  lost.mount_points = {{shared_name + "-missing", "/data", false}};
  third.containers = {lost};
  ASSERT_TRUE(engine_->add_task(third));
  ASSERT_TRUE(run_until([&] { return submitter_.find(TaskStatus::stopped) != nullptr; }, 60s));
  EXPECT_TRUE(submitter_.find(TaskStatus::stopped)
                  ->reason.starts_with("initialize volume: volume detection failed, volume '" + shared_name +
                                       "-missing' does not exist and autoprovision is set to false"))
      << submitter_.find(TaskStatus::stopped)->reason;
  EXPECT_EQ(docker({"ps", "-aq", "--filter", "label=com.amazonaws.ecs.task-arn=" + third.arn}).out, "");
  EXPECT_NE(docker({"volume", "inspect", shared_name + "-missing"}).exit_code, 0) << "Docker made it anyway";

  ASSERT_TRUE(run_until([&] { return engine_->find_task(second.arn) == nullptr; }, 60s));
  EXPECT_EQ(docker({"volume", "rm", shared_name}).exit_code, 0);
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

// Port mappings on bridge networking, on a dockerd with its bridge (in a network namespace of
// its own): a fixed host port, one the agent picks from ECS_DYNAMIC_HOST_PORT_RANGE, a UDP port
// and a containerPortRange are bound by Docker, reported with the RUNNING change in the public
// model's shape (IPv4 only, as ECS_EXCLUDE_IPV6_PORTBINDING's default has it; the range as one
// binding with containerPortRange and hostPortRange) and the TCP ones answer on the host ports
// reported.
TEST_F(EngineOnDockerd, PortMappingsOnBridgeNetworkingAreBoundReportedAndAnswer) {
  ECS_REQUIRE_OWN_DOCKERD(own, "", test::DockerdNetwork::bridge);
  auto options = defaults();
  options.dynamic_host_ports = PortRange{41000, 41099};
  options.pull_behavior = PullBehavior::prefer_cached;  // this dockerd's namespace has no way out
  start(*own.engine(), options);
  task::Task t = new_task("ports");
  const std::string arn = t.arn;
  task::Container web =
      container("web", {"sh", "-c",
                        "mkdir -p /www && echo hello-from-web > /www/index.html && httpd -p 8081 -h /www && "
                        "httpd -p 9001 -h /www && exec httpd -f -p 8080 -h /www"});
  web.ports = {
      {8080, 0, "tcp", ""}, {8081, 41500, "tcp", ""}, {5353, 0, "udp", ""}, {0, 0, "tcp", "9000-9002"}};
  t.containers = {web};
  ASSERT_TRUE(engine_->add_task(t));
  ASSERT_TRUE(run_until([&] { return submitter_.find(TaskStatus::running) != nullptr; }, 90s))
      << "no RUNNING; sent " << submitter_.sent.size();

  std::map<std::string, aws::NetworkBinding> by_port;  // "8080/tcp", "9000-9002/tcp"
  for (const auto& change : submitter_.sent) {
    for (const auto& c : change.containers) {
      for (const auto& b : c.network_bindings) {
        EXPECT_EQ(b.bind_ip, "0.0.0.0");
        const std::string port =
            b.container_port_range.empty() ? std::to_string(b.container_port) : b.container_port_range;
        EXPECT_FALSE(by_port.contains(port + "/" + b.protocol)) << "reported twice: " << port;
        by_port[port + "/" + b.protocol] = b;
      }
    }
  }
  ASSERT_EQ(by_port.size(), 4u) << "bindings of 8080, 8081, 5353/udp and 9000-9002";
  const int dynamic = by_port.at("8080/tcp").host_port;
  EXPECT_GE(dynamic, 41000);
  EXPECT_LE(dynamic, 41099);
  EXPECT_EQ(by_port.at("8081/tcp").host_port, 41500);
  const int udp = by_port.at("5353/udp").host_port;
  EXPECT_GE(udp, 41000);
  EXPECT_LE(udp, 41099);
  const auto& range = by_port.at("9000-9002/tcp");
  const int range_first = std::stoi(range.host_port_range);
  EXPECT_EQ(range.host_port_range, std::to_string(range_first) + "-" + std::to_string(range_first + 2));
  EXPECT_GE(range_first, 41000);
  EXPECT_LE(range_first + 2, 41099);
  const auto udp_bound = docker({"port", engine_->find_task(arn)->container("web")->docker_id, "5353/udp"});
  EXPECT_NE(udp_bound.out.find("0.0.0.0:" + std::to_string(udp)), std::string::npos) << udp_bound.out;

  test::ProcessOptions bounded;
  bounded.timeout = 10s;  // (busybox wget's own -T crashes it)
  for (const int port : {dynamic, 41500, range_first + 1}) {
    test::ProcessResult got;
    for (int attempt = 0; attempt < 50; ++attempt) {  // httpd may still be starting
      got = test::run_process({"nsenter", "--net=" + own.engine()->netns, "/bin/busybox", "wget", "-qO-",
                               "http://127.0.0.1:" + std::to_string(port) + "/index.html"},
                              bounded);
      if (got.exit_code == 0) break;
      io_.run_for(100ms);
    }
    EXPECT_EQ(got.out, "hello-from-web\n") << "port " << port << ": exit " << got.exit_code << " " << got.err;
  }

  ASSERT_TRUE(engine_->stop_task(arn));
  ASSERT_TRUE(run_until([&] { return submitter_.find(TaskStatus::stopped) != nullptr; }, 60s));
}

// A pull from a registry that wants credentials: with ECS_ENGINE_AUTH_DATA for its host the
// image is pulled (it was not on the host) and runs; without, the task stops with the daemon's
// reason and nothing is created.
TEST_F(EngineOnDockerd, APullFromARegistryCarriesItsConfiguredCredentialsAndTheImageRuns) {
  ECS_REQUIRE_DOCKERD(dockerd);
  dockerd_ = dockerd;
  LocalRegistry registry;
  if (!registry.up()) ECS_SKIP_OR_FAIL_IN_CI(registry.why());
  const std::string image = pushed(registry, "ecs-test/pulled");
  ASSERT_FALSE(image.empty());
  auto options = defaults();
  options.pull_behavior = PullBehavior::always;
  auto auth = StaticRegistryAuth::parse("docker", "{\"" + registry.host() + "\":{\"username\":\"" +
                                                      LocalRegistry::kUser + "\",\"password\":\"" +
                                                      LocalRegistry::kPassword + "\"}}");
  ASSERT_TRUE(auth) << auth.error().message;
  options.registry_auth = *auth;
  start(*dockerd, options);
  ASSERT_TRUE(engine_->add_task(one_container_task("pull", image, {"sh", "-c", "exit 7"})));
  ASSERT_TRUE(run_until([&] { return submitter_.find(TaskStatus::stopped) != nullptr; }, 90s))
      << "sent " << submitter_.sent.size() << "; registry log: " << registry.log();
  EXPECT_EQ(reported_exit("once"), 7) << "the pulled image did not run";
  EXPECT_NE(submitter_.find(TaskStatus::running), nullptr);
  EXPECT_EQ(docker({"image", "inspect", image}).exit_code, 0) << "not pulled";
  docker({"rmi", "-f", image});
}

TEST_F(EngineOnDockerd, APullTheRegistryRefusesStopsTheTaskWithTheDaemonsReason) {
  ECS_REQUIRE_DOCKERD(dockerd);
  dockerd_ = dockerd;
  LocalRegistry registry;
  if (!registry.up()) ECS_SKIP_OR_FAIL_IN_CI(registry.why());
  const std::string image = pushed(registry, "ecs-test/refused");
  ASSERT_FALSE(image.empty());
  auto options = defaults();
  options.pull_behavior = PullBehavior::always;
  options.pull_retry_min = 100ms;  // keep the five attempts short
  options.pull_retry_max = 200ms;
  start(*dockerd, options);  // no credentials for it
  const task::Task t = one_container_task("refused", image, {"sh", "-c", "exit 0"});
  ASSERT_TRUE(engine_->add_task(t));
  ASSERT_TRUE(run_until([&] { return submitter_.find(TaskStatus::stopped) != nullptr; }, 120s))
      << "sent " << submitter_.sent.size();
  std::string reason;
  for (const auto& c : submitter_.find(TaskStatus::stopped)->containers) reason = c.reason;
  EXPECT_TRUE(reason.starts_with("CannotPullContainerError: ")) << reason;
  EXPECT_NE(reason.find("no basic auth credentials"), std::string::npos) << reason;
  EXPECT_EQ(submitter_.find(TaskStatus::running), nullptr);
  auto ps = docker({"ps", "-aq", "--filter", "label=com.amazonaws.ecs.task-arn=" + t.arn});
  EXPECT_EQ(ps.out, "") << "a container was created";
}

// dockerConfig.version reaches the daemon as the API version of the create: 1.25 (above the
// client's own minimum, 1.21 on this Docker) works; 1.99 is refused by the daemon itself.
TEST_F(EngineOnDockerd, AContainersDockerApiVersionIsTheVersionOfItsCreate) {
  ECS_REQUIRE_DOCKERD(dockerd);
  auto options = defaults();
  options.pull_behavior = PullBehavior::prefer_cached;
  start(*dockerd, options);
  task::Task t = new_task("apiversion");
  task::Container fine = container("fine", {"sh", "-c", "exit 0"});
  fine.essential = false;
  fine.docker_config.version = "1.25";
  task::Container future = container("future", {"sh", "-c", "exit 0"});
  future.docker_config.version = "1.99";
  future.depends_on = {{"fine", "SUCCESS"}};
  t.containers = {fine, future};
  ASSERT_TRUE(engine_->add_task(t));
  ASSERT_TRUE(run_until([&] { return submitter_.find(TaskStatus::stopped) != nullptr; }, 60s));
  EXPECT_EQ(reported_exit("fine"), 0);
  std::string reason;
  for (const auto& change : submitter_.sent) {
    for (const auto& c : change.containers) {
      if (c.container_name == "future" && !c.reason.empty()) reason = c.reason;
    }
  }
  EXPECT_TRUE(reason.starts_with("CannotCreateContainerError: ")) << reason;
  EXPECT_NE(reason.find("1.99 is too new"), std::string::npos) << reason;
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
