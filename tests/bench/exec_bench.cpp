// ECS Exec on a real dockerd (the tests' private engine), side by side in one run:
//
//  * StartAgent: from the request to a running agent (exec create, start, inspect confirming it
//    runs), against the baseline `docker exec -d` of the same binary in the same container
//    (goal: ratio <= 1.0);
//  * a monitor sweep over 50 exec-enabled containers with running agents (wall and CPU time; the
//    CPU column is this process's io thread, which does all the work), against the baseline of
//    the 50 exec inspects such a sweep cannot avoid, issued directly and concurrently.
//
// Every started agent is killed outside the timed region. Needs root and the packages of
// scripts/deps.sh; without an engine it says why and measures nothing.
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "core/log.h"
#include "dockerapi/client.h"
#include "execcmd/manager.h"
#include "execcmd/monitor.h"
#include "ratio_reporter.h"
#include "support/dockerd.h"
#include "support/exec_host_tree.h"
#include "support/process.h"
#include "support/run.h"
#include "support/temp_dir.h"

#ifndef ECS_FAKE_SSM_AGENT
#error "ECS_FAKE_SSM_AGENT must name the built tests/fixtures/fake_ssm_agent"
#endif

namespace ecs::bench {
namespace {

using namespace std::chrono_literals;
using execcmd::Container;
using execcmd::ManagedAgentState;

constexpr const char* kTaskArn = "arn:aws:ecs:us-west-2:123456789012:task/cluster/bench";
constexpr int kSweepContainers = 50;

// Kills every process on the host whose command line is exactly `cmd` (the agents started).
void kill_agents(const std::string& cmd) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline;
    std::getline(in, cmdline, '\0');
    if (cmdline == cmd) ::kill(std::stoi(name), SIGKILL);
  }
}

class NoReports : public execcmd::ManagedAgentReporter {
 public:
  void report(const execcmd::ManagedAgentEvent&) override { ++events; }
  int events = 0;
};

class OneTask : public execcmd::TaskSource {
 public:
  std::vector<execcmd::TaskInfo> tasks() override { return {task}; }
  execcmd::TaskInfo task;
};

struct World {
  const test::Dockerd* engine = nullptr;
  std::string why;
  std::unique_ptr<test::TempDir> root;
  std::unique_ptr<test::ExecHostTree> tree;
  std::unique_ptr<dockerapi::EngineClient> client;
  execcmd::RealFileSystem files;
  SteadyClock clock;
  FixedJitter no_jitter{0.0};  // the sweep's per-container wait becomes 1 ns
  std::unique_ptr<execcmd::Manager> manager;
  asio::io_context io;
  execcmd::TaskInfo task{kTaskArn, execcmd::TaskStatus::running, "none", {}, {}};
  std::vector<std::string> container_ids;

  bool init() {
    engine = test::private_dockerd(&why);
    if (engine == nullptr) return false;
    root = std::make_unique<test::TempDir>();
    tree = std::make_unique<test::ExecHostTree>(root->path(), ECS_FAKE_SSM_AGENT);
    auto c = dockerapi::EngineClient::from_docker_host(engine->docker_host);
    if (!c) {
      why = c.error().message;
      return false;
    }
    client = std::move(*c);
    execcmd::ManagerOptions options;
    options.paths = tree->paths;
    manager = std::make_unique<execcmd::Manager>(options, files, clock, no_jitter);
    return true;
  }

  // An exec-enabled container, initialised, created with its binds and started.
  std::shared_ptr<Container> new_container(const std::string& name) {
    auto c = std::make_shared<Container>();
    c->name = name;
    c->known_status = execcmd::ContainerStatus::running;
    execcmd::ManagedAgent agent;
    agent.name = std::string(execcmd::kExecuteCommandAgentName);
    c->managed_agents.push_back(agent);
    std::vector<std::string> binds;
    if (!manager->initialize_container(task, *c, binds)) return nullptr;
    dockerapi::ContainerCreateConfig config;
    config.name = "ecs-exec-bench-" + name;
    config.image = engine->busybox_image;
    config.cmd = {"sleep", "3600"};
    config.binds = binds;
    config.network_mode = "none";
    (void)test::run(io, client->remove_container(config.name, true));  // a leftover of an aborted run
    auto id = test::run(io, client->create_container(config));
    if (!id) return nullptr;
    container_ids.push_back(*id);
    if (!test::run(io, client->start_container(*id))) return nullptr;
    c->runtime_id = *id;
    return c;
  }

  ~World() {
    for (const auto& id : container_ids) (void)test::run(io, client->remove_container(id, true));
  }
};

World& world() {
  static World w;
  return w;
}

std::string agent_command(const Container& c) {
  return world().manager->exec_command(c.managed_agent(execcmd::kExecuteCommandAgentName)->state);
}

void BM_StartAgent(benchmark::State& state) {
  World& w = world();
  auto c = w.new_container("start");
  if (!c) return state.SkipWithError("could not create the container");
  const ManagedAgentState initialised = c->managed_agent(execcmd::kExecuteCommandAgentName)->state;
  for (auto _ : state) {
    auto started = test::run(w.io, w.manager->start_agent(*w.client, w.task, c, c->runtime_id));
    state.PauseTiming();
    if (!started) {
      state.SkipWithError(started.error().message.c_str());
      break;
    }
    kill_agents(agent_command(*c));
    c->update_managed_agent(execcmd::kExecuteCommandAgentName, initialised);  // so the next one starts anew
    state.ResumeTiming();
  }
}

void BM_DockerExecDetached(benchmark::State& state) {
  World& w = world();
  auto c = w.new_container("docker-exec");
  if (!c) return state.SkipWithError("could not create the container");
  const std::string cmd = agent_command(*c);
  test::ProcessOptions env;
  env.env = {{"DOCKER_HOST", w.engine->docker_host}};
  for (auto _ : state) {
    auto r = test::run_process({"docker", "exec", "-d", "-u", "0", c->runtime_id, cmd}, env);
    state.PauseTiming();
    if (r.exit_code != 0) {
      state.SkipWithError(r.err.c_str());
      break;
    }
    kill_agents(cmd);
    state.ResumeTiming();
  }
}

struct SweepSet {
  OneTask source;
  NoReports reporter;
  std::vector<std::string> exec_ids;
  bool ok = false;
};

SweepSet& sweep_set() {
  static SweepSet s = [] {
    SweepSet set;
    World& w = world();
    set.source.task = w.task;
    for (int i = 0; i < kSweepContainers; ++i) {
      auto c = w.new_container("sweep-" + std::to_string(i));
      if (!c) return set;
      if (!test::run(w.io, w.manager->start_agent(*w.client, w.task, c, c->runtime_id))) return set;
      set.exec_ids.push_back(execcmd::AgentMetadata::from_map(
                                 c->managed_agent(execcmd::kExecuteCommandAgentName)->state.metadata)
                                 .docker_exec_id);
      set.source.task.containers.push_back(c);
    }
    set.ok = true;
    return set;
  }();
  return s;
}

void BM_MonitorSweep50(benchmark::State& state) {
  World& w = world();
  SweepSet& set = sweep_set();
  if (!set.ok) return state.SkipWithError("could not start the 50 agents");
  execcmd::Monitor monitor(*w.manager, *w.client, set.source, set.reporter, w.clock, w.no_jitter);
  for (auto _ : state) test::run(w.io, monitor.sweep({}));
  if (set.reporter.events != 0) state.SkipWithError("an agent was reported as not running");
}

asio::awaitable<void> inspect_one(dockerapi::EngineClient& client, std::string exec_id, int& failures) {
  auto r = co_await client.inspect_exec(exec_id, dockerapi::kDefaultCallTimeout, {});
  if (!r || !r->running) ++failures;
}

void BM_ExecInspect50Direct(benchmark::State& state) {
  World& w = world();
  SweepSet& set = sweep_set();
  if (!set.ok) return state.SkipWithError("could not start the 50 agents");
  int failures = 0;
  for (auto _ : state) {
    for (const auto& id : set.exec_ids)
      asio::co_spawn(w.io, inspect_one(*w.client, id, failures), asio::detached);
    w.io.restart();
    w.io.run();
  }
  if (failures != 0) state.SkipWithError("an exec inspect failed");
}

BENCHMARK(BM_StartAgent)->Unit(benchmark::kMillisecond)->Iterations(20);
BENCHMARK(BM_DockerExecDetached)->Unit(benchmark::kMillisecond)->Iterations(20);
BENCHMARK(BM_MonitorSweep50)->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(BM_ExecInspect50Direct)->Unit(benchmark::kMillisecond)->Iterations(10);

}  // namespace
}  // namespace ecs::bench

int main(int argc, char** argv) {
  ecs::log::Config quiet;  // the agents' start messages would bury the table
  quiet.level = ecs::log::Level::warn;
  ecs::log::configure(quiet);
  if (!ecs::bench::world().init()) {
    std::printf("exec_bench: no Docker engine, nothing measured: %s\n", ecs::bench::world().why.c_str());
    return 0;
  }
  ecs::bench::compare("BM_StartAgent", "BM_DockerExecDetached");
  ecs::bench::compare("BM_MonitorSweep50", "BM_ExecInspect50Direct");
  return ecs::bench::run_main(argc, argv);
}
