// The built ecs-agent binary on the private real dockerd, driven only through its public
// interfaces (ACS PayloadMessages from the fake control plane, the ECS API it reports to, its
// introspection API, signals): a 2-container payload task runs to RUNNING, its state changes
// carry each container's runtimeId and exit code in the public ECS model's shape, a
// desiredStatus STOPPED stops it with nothing left running; after a SIGKILL of the agent the
// restarted agent re-attaches to the containers (none created twice) and reports the exit code
// of a container that died while it was down; ECS Exec's agent runs in an exec-enabled
// container and is reported with it; and `make run` (scripts/run-local.sh) shows a task running
// and stopping.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "localcp/state_changes.h"
#include "support/agent_harness.h"
#include "support/dockerd.h"
#include "support/exec_host_tree.h"
#include "support/process.h"

#ifndef ECS_AGENT_BINARY
#error "ECS_AGENT_BINARY must name the built ecs-agent"
#endif
#ifndef ECS_RUN_LOCAL_SCRIPT
#error "ECS_RUN_LOCAL_SCRIPT must name scripts/run-local.sh"
#endif
#ifndef ECS_BUILD_DIR
#error "ECS_BUILD_DIR must name the build directory"
#endif
#ifndef ECS_FAKE_SSM_AGENT
#error "ECS_FAKE_SSM_AGENT must name the built tests/fixtures/fake_ssm_agent"
#endif

namespace ecs::test {
namespace {

using namespace std::chrono_literals;
using localcp::ReportedTaskChange;

// "init" exits with init_exit; "web" (essential, after init completes) runs until SIGTERM (exit 0)
// or until /tmp/quit appears in it (exit 7).
std::string task_json(const std::string& arn, const std::string& image, const std::string& desired,
                      int init_exit) {
  return R"({"arn":")" + arn + R"(","family":"agenttest","version":"2","desiredStatus":")" + desired +
         R"(","containers":[{"name":"init","image":")" + image +
         R"(","essential":false,"command":["sh","-c","exit )" + std::to_string(init_exit) +
         R"("]},{"name":"web","image":")" + image +
         R"(","essential":true,"stopTimeout":5,"dependsOn":[{"containerName":"init","condition":"COMPLETE"}],)"
         R"("command":["sh","-c","trap 'exit 0' TERM; while [ ! -f /tmp/quit ]; do sleep 0.2; done; exit 7"]}],)"
         R"("roleCredentials":{"credentialsId":"cred-docker","roleArn":"arn:aws:iam::123456789012:role/r",)"
         R"("accessKeyId":"ASIATASK","secretAccessKey":"docker-task-secret-never-logged",)"
         R"("sessionToken":"docker-task-token-never-logged","expiration":"2030-01-01T00:00:00Z"}})";
}

std::string payload(int seq, const std::string& task) {
  return R"({"type":"PayloadMessage","message":{"messageId":"payload-)" + std::to_string(seq) +
         R"(","clusterArn":"default","containerInstanceArn":"arn:aws:ecs:us-west-2:123456789012:container-instance/default/fake","seqNum":)" +
         std::to_string(seq) + R"(,"tasks":[)" + task + "]}}";
}

class AgentOnDocker : public ::testing::Test, public AgentHarness {
 protected:
  AgentOnDocker() : AgentHarness(ECS_AGENT_BINARY) {}

  void use(const Dockerd* dockerd) {
    docker_host_ = dockerd->docker_host;
    image_ = dockerd->busybox_image;
    docker_env_.env = {{"DOCKER_HOST", dockerd->docker_host}};
  }

  std::vector<ReportedTaskChange> changes() const {
    std::vector<ReportedTaskChange> out;
    for (const auto& c : ecs_api_.calls()) {
      if (c.operation != "SubmitTaskStateChange") continue;
      auto parsed = localcp::parse_task_state_change(c.body);
      EXPECT_TRUE(parsed) << parsed.error().message;
      if (parsed && parsed->task == arn_) out.push_back(*parsed);
    }
    return out;
  }
  std::optional<ReportedTaskChange> change_with(const std::string& status) const {
    for (const auto& c : changes()) {
      if (c.status == status) return c;
    }
    return std::nullopt;
  }
  // The last status each container was reported in, with its exit code.
  std::optional<localcp::ReportedContainer> last_reported(const std::string& container) const {
    std::optional<localcp::ReportedContainer> out;
    for (const auto& change : changes()) {
      if (const auto* c = change.container(container)) out = *c;
    }
    return out;
  }
  std::string docker(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"docker"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = run_process(argv, docker_env_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  std::vector<std::string> task_containers(bool running_only) {
    std::vector<std::string> args{"ps", "-q", "--no-trunc", "--filter",
                                  "label=com.amazonaws.ecs.task-arn=" + arn_};
    if (!running_only) args.insert(args.begin() + 1, "-a");
    std::vector<std::string> ids;
    std::istringstream lines(docker(args));
    for (std::string id; std::getline(lines, id);) {
      if (!id.empty()) ids.push_back(id);
    }
    return ids;
  }
  void expect_no_secret_in(const std::string& log) {
    for (const char* secret :
         {FakeEcsApi::kSecret, "docker-task-secret-never-logged", "docker-task-token-never-logged"}) {
      EXPECT_EQ(log.find(secret), std::string::npos) << secret << " is in the log";
    }
  }

  std::string image_;
  ProcessOptions docker_env_;
  std::string arn_ =
      "arn:aws:ecs:us-west-2:123456789012:task/default/agent-docker-" + std::to_string(::getpid());
};

TEST_F(AgentOnDocker, RunsATwoContainerPayloadTaskReportsItAndStopsItOnDesiredStopped) {
  ECS_REQUIRE_DOCKERD(dockerd);
  use(dockerd);
  auto agent = start_with("agent.log", {{"ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION", "2s"}});
  ASSERT_TRUE(wait_for([&] { return acs_.connection_count() >= 1; })) << agent->output();
  acs_.send(payload(1, task_json(arn_, image_, "RUNNING", 3)));

  ASSERT_TRUE(wait_for([&] { return change_with("RUNNING").has_value(); }, 90s)) << agent->output();
  const auto running = *change_with("RUNNING");
  EXPECT_EQ(running.cluster, "default");
  const auto* web = running.container("web");
  ASSERT_NE(web, nullptr) << describe(running);
  EXPECT_EQ(web->status, "RUNNING");
  EXPECT_EQ(web->runtime_id.size(), 64u) << web->runtime_id;
  EXPECT_FALSE(web->exit_code.has_value());
  EXPECT_TRUE(running.pull_started_at && running.pull_stopped_at) << describe(running);
  // init completed before web started, with its exit code.
  ASSERT_TRUE(wait_for(
      [&] {
        const auto init = last_reported("init");
        return init && init->status == "STOPPED";
      },
      30s))
      << agent->output();
  EXPECT_EQ(last_reported("init")->exit_code, 3);
  const auto live = task_containers(true);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live.front(), web->runtime_id);

  // The introspection API shows the real statuses and Docker ids.
  const auto tasks = http_get(introspection_port_, "/v1/tasks");
  EXPECT_NE(tasks.body.find(arn_), std::string::npos) << tasks.body;
  EXPECT_NE(tasks.body.find(R"("KnownStatus":"RUNNING")"), std::string::npos) << tasks.body;
  EXPECT_NE(tasks.body.find(web->runtime_id), std::string::npos) << tasks.body;

  // desiredStatus STOPPED: web gets SIGTERM (exits 0), the task is reported STOPPED.
  acs_.send(payload(2, task_json(arn_, image_, "STOPPED", 3)));
  ASSERT_TRUE(wait_for([&] { return change_with("STOPPED").has_value(); }, 60s)) << agent->output();
  const auto stopped = *change_with("STOPPED");
  EXPECT_TRUE(stopped.execution_stopped_at) << describe(stopped);
  const auto web_last = last_reported("web");
  ASSERT_TRUE(web_last);
  EXPECT_EQ(web_last->status, "STOPPED");
  EXPECT_EQ(web_last->exit_code, 0) << describe(stopped);
  EXPECT_TRUE(task_containers(true).empty()) << "a container still runs";
  // Statuses never regress: RUNNING is reported before STOPPED, each once.
  int running_count = 0;
  int stopped_count = 0;
  for (const auto& c : changes()) {
    running_count += c.status == "RUNNING" ? 1 : 0;
    stopped_count += c.status == "STOPPED" ? 1 : 0;
    if (c.status == "RUNNING") {
      EXPECT_EQ(stopped_count, 0) << "RUNNING after STOPPED";
    }
  }
  EXPECT_EQ(running_count, 1);
  EXPECT_EQ(stopped_count, 1);

  // Cleanup: the containers are removed and the task leaves the introspection API.
  ASSERT_TRUE(wait_for([&] { return task_containers(false).empty(); }, 60s)) << agent->output();
  ASSERT_TRUE(wait_for(
      [&] { return http_get(introspection_port_, "/v1/tasks").body.find(arn_) == std::string::npos; }, 30s));
  agent->signal(SIGTERM);
  const auto code = agent->wait_for_exit(10s);
  ASSERT_TRUE(code) << agent->output();
  EXPECT_EQ(*code, 0);
  expect_no_secret_in(agent->output());
}

TEST_F(AgentOnDocker, AfterASigkillTheRestartedAgentReattachesAndReportsWhatDiedMeanwhile) {
  ECS_REQUIRE_DOCKERD(dockerd);
  use(dockerd);
  auto agent = start("agent-1.log");
  ASSERT_TRUE(wait_for([&] { return acs_.connection_count() >= 1; })) << agent->output();
  acs_.send(payload(1, task_json(arn_, image_, "RUNNING", 0)));
  ASSERT_TRUE(wait_for([&] { return change_with("RUNNING").has_value(); }, 90s)) << agent->output();
  const auto created = task_containers(false);
  ASSERT_EQ(created.size(), 2u);
  const std::string web_id = change_with("RUNNING")->container("web")->runtime_id;

  agent->signal(SIGKILL);
  ASSERT_TRUE(agent->wait_for_exit(5s));
  // While the agent is down, web exits 7: nobody is watching its events.
  docker({"exec", web_id, "touch", "/tmp/quit"});
  ASSERT_TRUE(wait_for([&] { return task_containers(true).empty(); }, 30s));

  auto again = start("agent-2.log");
  ASSERT_TRUE(wait_for([&] { return change_with("STOPPED").has_value(); }, 60s)) << again->output();
  const auto web = last_reported("web");
  ASSERT_TRUE(web);
  EXPECT_EQ(web->status, "STOPPED");
  EXPECT_EQ(web->exit_code, 7) << describe(*change_with("STOPPED"));
  EXPECT_EQ(web->runtime_id, web_id);
  EXPECT_EQ(task_containers(false), created) << "a container was created again";
  again->signal(SIGTERM);
  ASSERT_TRUE(again->wait_for_exit(10s)) << again->output();
  expect_no_secret_in(agent->output() + again->output());
}

// A pull that fails (ECS_IMAGE_PULL_BEHAVIOR=always, and no registry is reachable from the
// private engine): the task is reported STOPPED, the container's reason names the pull error
// as Docker gave it, and nothing is created.
TEST_F(AgentOnDocker, AFailedPullStopsTheTaskWithTheReasonAndCreatesNothing) {
  ECS_REQUIRE_DOCKERD(dockerd);
  use(dockerd);
  auto agent = start_with("agent.log", {{"ECS_IMAGE_PULL_BEHAVIOR", "always"}});
  ASSERT_TRUE(wait_for([&] { return acs_.connection_count() >= 1; })) << agent->output();
  acs_.send(payload(1, task_json(arn_, "ecs-test/not-in-any-registry:1", "RUNNING", 0)));
  ASSERT_TRUE(wait_for([&] { return change_with("STOPPED").has_value(); }, 90s)) << agent->output();
  // init is pulled first (web depends on it); web is never pulled.
  const auto init = last_reported("init");
  ASSERT_TRUE(init) << describe(*change_with("STOPPED"));
  EXPECT_EQ(init->status, "STOPPED");
  EXPECT_TRUE(init->reason.starts_with("CannotPullContainerError: ")) << init->reason;
  EXPECT_TRUE(init->runtime_id.empty());
  EXPECT_FALSE(change_with("RUNNING").has_value());
  EXPECT_TRUE(task_containers(false).empty()) << "a container was created";
  agent->signal(SIGTERM);
  ASSERT_TRUE(agent->wait_for_exit(10s)) << agent->output();
}

// ECS Exec with the built agent (task-engine.md §10, exec-manager.md §5). The agent reads the
// SSM agent's files at the reference's fixed host paths, so the test lays them out (the
// project's fake SSM agent as every binary) in a directory of its own and runs an engine of its
// own and the agent in one mount namespace where that directory is /var/lib/ecs/deps (and another
// is /var/log/ecs): the host's own paths are never touched. The agent advertises
// execute-command, mounts the SSM agent into the exec-enabled container only, starts it there
// once, reports it RUNNING with the container; a SIGKILLed and restarted agent keeps it and still
// knows it: desiredStatus STOPPED reports it STOPPED, and cleanup removes the task's exec logs.
TEST_F(AgentOnDocker, RunsTheExecAgentInAnExecEnabledContainerAndReportsItWithTheContainer) {
  namespace fs = std::filesystem;
  TempDir host;  // what the engine and the agent see at /var/lib/ecs/deps and /var/log/ecs
  const ExecHostTree tree(host.path(), ECS_FAKE_SSM_AGENT);
  ECS_REQUIRE_OWN_DOCKERD(dockerd, "", DockerdNetwork::none,
                          {{host.file("deps"), "/var/lib/ecs/deps"}, {host.file("log"), "/var/log/ecs"}});
  use(dockerd.engine());
  ASSERT_FALSE(dockerd.engine()->mntns.empty());
  launcher_ = {"/usr/bin/nsenter", "--mount=" + dockerd.engine()->mntns};
  const std::string task_id = arn_.substr(arn_.rfind('/') + 1);
  const std::string task =
      R"({"arn":")" + arn_ +
      R"(","family":"exectest","version":"1","desiredStatus":"RUNNING",)"
      R"("containers":[{"name":"web","image":")" +
      image_ +
      R"(","essential":true,"stopTimeout":5,"command":["sh","-c","trap 'exit 0' TERM; while true; do sleep 0.2; done"],)"
      R"("managedAgents":[{"name":"ExecuteCommandAgent","properties":{"sessionLimit":"2"}}]},)"
      R"({"name":"plain","image":")" +
      image_ +
      R"(","essential":false,"stopTimeout":5,"command":["sh","-c","trap 'exit 0' TERM; while true; do sleep 0.2; done"]}]})";
  auto stop_payload = task;
  stop_payload.replace(stop_payload.find(R"("desiredStatus":"RUNNING")"), 25, R"("desiredStatus":"STOPPED")");

  auto agent = start_with("agent-1.log", {{"ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION", "2s"}});
  ASSERT_TRUE(wait_for([&] { return acs_.connection_count() >= 1; })) << agent->output();
  EXPECT_NE(agent->output().find("ECS Exec enabled"), std::string::npos) << agent->output();
  bool advertised = false;
  for (const auto& c : ecs_api_.calls()) {
    advertised = advertised || (c.operation == "RegisterContainerInstance" &&
                                c.body.find("ecs.capability.execute-command") != std::string::npos);
  }
  EXPECT_TRUE(advertised) << "RegisterContainerInstance lacks ecs.capability.execute-command";

  acs_.send(payload(1, task));
  ASSERT_TRUE(wait_for([&] { return change_with("RUNNING").has_value(); }, 90s)) << agent->output();
  const auto running = *change_with("RUNNING");
  ASSERT_EQ(running.managed_agents.size(), 1u) << describe(running) << "\n" << agent->output();
  EXPECT_EQ(running.managed_agents[0].container, "web");
  EXPECT_EQ(running.managed_agents[0].name, "ExecuteCommandAgent");
  EXPECT_EQ(running.managed_agents[0].status, "RUNNING");
  EXPECT_EQ(running.managed_agents[0].reason, "ExecuteCommandAgent started");
  const std::string web_id = running.container("web")->runtime_id;
  const std::string plain_id = running.container("plain")->runtime_id;

  // The SSM agent's files are bound into web only, and its one copy runs there.
  const std::string web_mounts = docker({"inspect", "--format", "{{json .HostConfig.Binds}}", web_id});
  EXPECT_NE(
      web_mounts.find("/var/lib/ecs/deps/execute-command/bin/" + std::string(ExecHostTree::kAgentVersion) +
                      "/amazon-ssm-agent:/ecs-execute-command-"),
      std::string::npos)
      << web_mounts;
  EXPECT_EQ(docker({"inspect", "--format", "{{json .HostConfig.Binds}}", plain_id}).find("execute-command"),
            std::string::npos);
  const std::string starts_file = tree.log_dir(task_id, "web") + "/fake-ssm-agent.starts";
  auto starts = [&] {
    std::ifstream in(starts_file);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return std::count(text.begin(), text.end(), '\n');
  };
  ASSERT_TRUE(wait_for([&] { return starts() >= 1; }, 10s)) << starts_file;
  EXPECT_NE(docker({"top", web_id}).find("amazon-ssm-agent"), std::string::npos);

  // SIGKILL and restart: the restarted agent re-attaches; nothing is started a second time.
  agent->signal(SIGKILL);
  ASSERT_TRUE(agent->wait_for_exit(5s));
  auto again = start_with("agent-2.log", {{"ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION", "2s"}});
  ASSERT_TRUE(wait_for([&] { return acs_.connection_count() >= 2; })) << again->output();
  ASSERT_TRUE(wait_for(
      [&] {
        const auto body = http_get(introspection_port_, "/v1/tasks").body;
        return body.find(web_id) != std::string::npos &&
               body.find(R"("KnownStatus":"RUNNING")") != std::string::npos;
      },
      30s))
      << again->output();
  EXPECT_EQ(starts(), 1);

  // desiredStatus STOPPED: the exec agent is reported STOPPED with its container.
  acs_.send(payload(2, stop_payload));
  ASSERT_TRUE(wait_for([&] { return change_with("STOPPED").has_value(); }, 60s)) << again->output();
  std::optional<localcp::ReportedManagedAgent> last_agent;
  for (const auto& c : changes()) {
    for (const auto& m : c.managed_agents) last_agent = m;
  }
  ASSERT_TRUE(last_agent);
  EXPECT_EQ(last_agent->status, "STOPPED");
  EXPECT_EQ(last_agent->reason, "Received Container Stopped event");
  EXPECT_TRUE(task_containers(true).empty()) << "a container still runs";
  // Cleanup removes the containers and the task's exec logs.
  ASSERT_TRUE(wait_for([&] { return task_containers(false).empty(); }, 60s)) << again->output();
  ASSERT_TRUE(wait_for([&] { return !fs::exists(host.file("log/exec/" + task_id)); }, 30s))
      << "the task's exec logs were not removed";
  again->signal(SIGTERM);
  ASSERT_TRUE(again->wait_for_exit(10s)) << again->output();
  expect_no_secret_in(agent->output() + again->output());
}

// `make run` with the engine of this test run: the control plane sends a busybox task, the agent
// reports it RUNNING and, after desiredStatus STOPPED, STOPPED, and cleans it up; Ctrl-C stops all.
TEST(MakeRun, ShowsATaskRunningAndStopping) {
  ECS_REQUIRE_DOCKERD(dockerd);
  const char* state = std::getenv("ECS_TEST_DOCKERD_STATE");
  if (state == nullptr) {
    GTEST_SKIP() << "needs the ctest dockerd fixture (ECS_TEST_DOCKERD_STATE)";
  }
  TempDir dir;
  BackgroundProcess run({"/bin/bash", ECS_RUN_LOCAL_SCRIPT, ECS_BUILD_DIR, dir.file("run")},
                        {{"RUN_LOCAL_DOCKERD_STATE", state},
                         {"AGENT_INTROSPECTION_ADDR", "127.0.0.1:" + std::to_string(free_local_port())},
                         {"AGENT_CREDENTIALS_ADDR", "127.0.0.1:" + std::to_string(free_local_port())},
                         {"AWS_CA_BUNDLE", ""},
                         {"HTTPS_PROXY", ""},
                         {"NO_PROXY", ""}},
                        dir.file("run.log"));
  const auto deadline = std::chrono::steady_clock::now() + 100s;
  while (std::chrono::steady_clock::now() < deadline &&
         run.output().find("the agent cleaned up") == std::string::npos && run.running()) {
    std::this_thread::sleep_for(100ms);
  }
  const std::string shown = run.output();
  EXPECT_NE(shown.find("the agent runs tasks on " + dockerd->docker_host), std::string::npos) << shown;
  EXPECT_NE(shown.find("the agent reported the task RUNNING"), std::string::npos) << shown;
  EXPECT_NE(shown.find("web RUNNING"), std::string::npos) << shown;
  EXPECT_NE(shown.find("init STOPPED exit 0"), std::string::npos) << shown;
  EXPECT_NE(shown.find("the agent reported the task STOPPED"), std::string::npos) << shown;
  EXPECT_NE(shown.find("web STOPPED exit 0"), std::string::npos) << shown;
  EXPECT_NE(shown.find("the agent cleaned up"), std::string::npos) << shown;
  run.signal(SIGINT);
  const auto code = run.wait_for_exit(20s);
  ASSERT_TRUE(code) << run.output();
  EXPECT_EQ(*code, 0) << run.output();
}

}  // namespace
}  // namespace ecs::test
