// The task engine's figures (issue 14), each beside a baseline measured in the same run:
//
//  1. PayloadMessage → every container RUNNING, 1 task × 3 busybox containers: from the frame
//     sent by the fake ACS to the task's RUNNING SubmitTaskStateChange read by the fake ECS API,
//     the built ecs-agent on the tests' private dockerd; baseline `docker create` + `docker start`
//     of the same three containers with the Docker CLI, rounds interleaved. Goal: ratio <= 1.1.
//  2. a Docker event that changes a task's status → SubmitTaskStateChange sent: the `die` event
//     of a 1-container task's essential container (its time as dockerd stamps it) to the STOPPED
//     request read by the fake ECS API; baseline the same event's arrival at a bare /events
//     subscriber of this program. Goal: median <= 5 ms.
//  3. 100 running tasks × 2 containers: the agent's RSS and its CPU time over an idle window;
//     baseline the same agent connected with no task. Goals: <= 20 MiB, <= 1 % of one core.
//  4. persisting one container change (LMDB, synced to disk) with 1,000 tasks known; baseline the
//     same change with 1 task known, blocks interleaved. Goal: ratio <= 2.
//  5. the shipped static binary's size, stripped. Goal: <= 8 MiB.
//
// Needs root and the packages of scripts/deps.sh (it starts the tests' private dockerd); without
// an engine it says why and measures only 4 and 5. Everything it starts is removed at the end.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "dockerapi/client.h"
#include "localcp/state_changes.h"
#include "state/lmdb_repository.h"
#include "support/agent_harness.h"
#include "support/dockerd.h"
#include "support/process.h"
#include "support/temp_dir.h"

#ifndef ECS_AGENT_BINARY
#error "ECS_AGENT_BINARY must name the built ecs-agent"
#endif

namespace ecs::bench {
namespace {

using namespace std::chrono_literals;
using Wall = std::chrono::system_clock;

constexpr const char* kArnPrefix = "arn:aws:ecs:us-west-2:123456789012:task/default/bench-";
constexpr int kPayloadRounds = 7;
constexpr int kEventRounds = 21;
constexpr int kIdleTasks = 100;
constexpr auto kIdleWindow = 60s;

double ms(Wall::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5)];
}

long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// utime + stime of the process, in seconds.
double cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close = all.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(all.substr(close + 2));
  std::string f;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoll(f);
    if (i == 15) stime = std::stoll(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string container_json(const std::string& name, const std::string& image, const std::string& command) {
  return R"({"name":")" + name + R"(","image":")" + image + R"(","essential":true,"stopTimeout":2,)" +
         R"("command":["sh","-c",")" + command + R"("]})";
}

std::string task_json(const std::string& arn, const std::string& desired,
                      const std::vector<std::string>& containers) {
  std::string out = R"({"arn":")" + arn + R"(","family":"bench","version":"1","desiredStatus":")" + desired +
                    R"(","containers":[)";
  for (std::size_t i = 0; i < containers.size(); ++i) out += (i ? "," : "") + containers[i];
  return out + "]}";
}

std::string payload(int seq, const std::vector<std::string>& tasks) {
  std::string out =
      R"({"type":"PayloadMessage","message":{"messageId":"bench-)" + std::to_string(seq) +
      R"(","clusterArn":"default","containerInstanceArn":"arn:aws:ecs:us-west-2:123456789012:container-instance/default/fake","seqNum":)" +
      std::to_string(seq) + R"(,"tasks":[)";
  for (std::size_t i = 0; i < tasks.size(); ++i) out += (i ? "," : "") + tasks[i];
  return out + "]}}";
}

// Every Docker event as a bare subscriber of this program sees it: (id, action) → (dockerd's own
// time, the time it arrived here).
class EventWatcher {
 public:
  explicit EventWatcher(const std::string& docker_host) {
    auto client = dockerapi::EngineClient::from_docker_host(docker_host);
    if (!client) return;
    client_ = std::move(*client);
    thread_ = std::thread([this] {
      auto on_event = [this](dockerapi::DockerEvent e) {
        const auto now = Wall::now();
        std::lock_guard lock(mutex_);
        seen_[{e.id, e.action}] = {Wall::time_point(std::chrono::nanoseconds(e.time_nano)), now};
      };
      asio::co_spawn(io_, client_->watch_events(on_event, stop_), asio::detached);
      io_.run();
    });
  }
  ~EventWatcher() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] { stop_.stop(); });
    std::this_thread::sleep_for(200ms);
    io_.stop();
    thread_.join();
  }
  std::optional<std::pair<Wall::time_point, Wall::time_point>> find(const std::string& id,
                                                                    const std::string& action) {
    std::lock_guard lock(mutex_);
    auto it = seen_.find({id, action});
    if (it == seen_.end()) return std::nullopt;
    return it->second;
  }

 private:
  asio::io_context io_;
  std::unique_ptr<dockerapi::EngineClient> client_;
  StopSource stop_;
  std::thread thread_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::pair<Wall::time_point, Wall::time_point>> seen_;
};

class Bench : public test::AgentHarness {
 public:
  explicit Bench(const test::Dockerd& dockerd) : AgentHarness(ECS_AGENT_BINARY), dockerd_(dockerd) {
    docker_host_ = dockerd.docker_host;
    docker_env_.env = {{"DOCKER_HOST", dockerd.docker_host}};
  }

  std::string docker(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"docker"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = test::run_process(argv, docker_env_);
    if (r.exit_code != 0) std::fprintf(stderr, "docker %s: %s\n", args.front().c_str(), r.err.c_str());
    return r.out;
  }
  std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
      if (!l.empty()) out.push_back(l);
    }
    return out;
  }
  void remove_containers(const std::string& filter) {
    auto ids = lines(docker({"ps", "-aq", "--filter", filter}));
    for (std::size_t i = 0; i < ids.size(); i += 50) {
      std::vector<std::string> args{"rm", "-f"};
      args.insert(args.end(), ids.begin() + static_cast<long>(i),
                  ids.begin() + static_cast<long>(std::min(ids.size(), i + 50)));
      docker(args);
    }
  }

  // The first SubmitTaskStateChange of `arn` with task status `status`, parsed, with its time.
  std::optional<std::pair<localcp::ReportedTaskChange, Wall::time_point>> change(const std::string& arn,
                                                                                 const std::string& status) {
    for (const auto& c : ecs_api_.calls()) {
      if (c.operation != "SubmitTaskStateChange") continue;
      if (c.body.find(arn) == std::string::npos) continue;
      auto parsed = localcp::parse_task_state_change(c.body);
      if (parsed && parsed->task == arn && parsed->status == status) return std::pair{*parsed, c.received_at};
    }
    return std::nullopt;
  }
  int tasks_with(const std::string& status) {
    std::set<std::string> arns;
    for (const auto& c : ecs_api_.calls()) {
      if (c.operation != "SubmitTaskStateChange") continue;
      auto parsed = localcp::parse_task_state_change(c.body);
      if (parsed && parsed->status == status) arns.insert(parsed->task);
    }
    return static_cast<int>(arns.size());
  }

  const test::Dockerd& dockerd_;
  test::ProcessOptions docker_env_;
  int seq_ = 0;
};

struct Figures {
  std::vector<double> payload_ms, cli_ms, event_ms, delivery_ms;
  long idle_rss_kib = -1, loaded_rss_kib = -1;
  double idle_cpu = -1, loaded_cpu = -1;
  int running_tasks = 0;
  bool docker = false;
};

void run_docker_parts(const test::Dockerd& dockerd, Figures& f) {
  Bench b(dockerd);
  const std::string image = dockerd.busybox_image;
  EventWatcher events(dockerd.docker_host);
  auto agent = b.start_with("agent.log", {{"ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION", "1s"},
                                          {"ECS_IMAGE_PULL_BEHAVIOR", "prefer-cached"},
                                          {"ECS_LOGLEVEL", "warn"}});
  if (!b.wait_for([&] { return b.acs_.connection_count() >= 1; }, 30s)) {
    std::fprintf(stderr, "the agent did not connect:\n%s\n", agent->output().c_str());
    return;
  }
  f.docker = true;
  // Baseline of 3: the agent connected, no task, idle.
  std::this_thread::sleep_for(5s);
  f.idle_rss_kib = rss_kib(agent->pid());
  {
    const double before = cpu_seconds(agent->pid());
    std::this_thread::sleep_for(kIdleWindow);
    f.idle_cpu = (cpu_seconds(agent->pid()) - before) / std::chrono::duration<double>(kIdleWindow).count();
  }

  // 1. payload → 3 containers RUNNING, against the CLI, interleaved.
  for (int round = 0; round < kPayloadRounds; ++round) {
    const std::string arn = kArnPrefix + std::string("payload-") + std::to_string(round);
    std::vector<std::string> containers;
    for (const char* name : {"a", "b", "c"}) containers.push_back(container_json(name, image, "sleep 600"));
    const auto sent = Wall::now();
    b.acs_.send(payload(++b.seq_, {task_json(arn, "RUNNING", containers)}));
    if (!b.wait_for([&] { return b.change(arn, "RUNNING").has_value(); }, 120s)) {
      std::fprintf(stderr, "no RUNNING for %s\n%s\n", arn.c_str(), agent->output().c_str());
      return;
    }
    f.payload_ms.push_back(ms(b.change(arn, "RUNNING")->second - sent));
    b.acs_.send(payload(++b.seq_, {task_json(arn, "STOPPED", containers)}));

    const std::string label = "ecs-bench-cli=" + std::to_string(round);
    const auto cli_start = Wall::now();
    std::vector<std::string> names;
    for (const char* name : {"a", "b", "c"}) {
      names.push_back("ecs-bench-cli-" + std::to_string(round) + "-" + name);
      b.docker({"create", "--name", names.back(), "--label", label, image, "sh", "-c", "sleep 600"});
    }
    for (const auto& name : names) b.docker({"start", name});
    f.cli_ms.push_back(ms(Wall::now() - cli_start));
    b.remove_containers("label=" + label);
    b.wait_for([&] { return b.change(arn, "STOPPED").has_value(); }, 60s);
  }

  // 2. die event → STOPPED sent.
  for (int round = 0; round < kEventRounds; ++round) {
    const std::string arn = kArnPrefix + std::string("event-") + std::to_string(round);
    b.acs_.send(payload(++b.seq_, {task_json(arn, "RUNNING", {container_json("only", image, "sleep 600")})}));
    if (!b.wait_for([&] { return b.change(arn, "RUNNING").has_value(); }, 120s)) {
      std::fprintf(stderr, "no RUNNING for %s\n", arn.c_str());
      return;
    }
    const auto running = b.change(arn, "RUNNING")->first;
    const auto* only = running.container("only");
    if (only == nullptr) return;
    const std::string id = only->runtime_id;
    std::this_thread::sleep_for(200ms);  // the agent idle again
    b.docker({"kill", id});
    if (!b.wait_for([&] { return b.change(arn, "STOPPED").has_value() && events.find(id, "die"); }, 60s)) {
      std::fprintf(stderr, "no STOPPED for %s\n", arn.c_str());
      return;
    }
    const auto [stamped, delivered] = *events.find(id, "die");
    f.event_ms.push_back(ms(b.change(arn, "STOPPED")->second - stamped));
    f.delivery_ms.push_back(ms(delivered - stamped));
  }
  b.wait_for(
      [&] {
        return b.lines(b.docker({"ps", "-aq", "--filter", "label=com.amazonaws.ecs.cluster=default"}))
            .empty();
      },
      60s);

  // 3. 100 tasks × 2 containers running, then idle.
  for (int batch = 0; batch < kIdleTasks / 10; ++batch) {
    std::vector<std::string> tasks;
    for (int i = 0; i < 10; ++i) {
      const std::string arn = kArnPrefix + std::string("idle-") + std::to_string(batch * 10 + i);
      tasks.push_back(task_json(
          arn, "RUNNING",
          {container_json("app", image, "sleep 3600"), container_json("side", image, "sleep 3600")}));
    }
    b.acs_.send(payload(++b.seq_, tasks));
  }
  b.wait_for([&] { return b.tasks_with("RUNNING") >= kPayloadRounds + kEventRounds + kIdleTasks; }, 900s);
  f.running_tasks = b.tasks_with("RUNNING") - kPayloadRounds - kEventRounds;
  std::this_thread::sleep_for(10s);
  f.loaded_rss_kib = rss_kib(agent->pid());
  {
    const double before = cpu_seconds(agent->pid());
    std::this_thread::sleep_for(kIdleWindow);
    f.loaded_cpu = (cpu_seconds(agent->pid()) - before) / std::chrono::duration<double>(kIdleWindow).count();
  }
  f.loaded_rss_kib = std::max(f.loaded_rss_kib, rss_kib(agent->pid()));
  agent->signal(SIGTERM);
  agent->wait_for_exit(30s);
  b.remove_containers("label=com.amazonaws.ecs.cluster=default");
}

// 4. one container change saved with `known` tasks in the store: seconds per save, per block.
task::Task bench_task(int i) {
  task::Task t;
  t.arn = kArnPrefix + std::string("store-") + std::to_string(i);
  t.family = "bench";
  t.version = "1";
  t.desired_status = task::TaskStatus::running;
  t.known_status = task::TaskStatus::running;
  for (const char* name : {"app", "side"}) {
    task::Container c;
    c.name = name;
    c.image = "public.ecr.aws/docker/library/busybox:1.36";
    c.docker_id = std::string(64, 'a');
    c.docker_name = "ecs-bench-1-" + std::string(name) + "-a1b2c3d4e5f6a7b8c9d0";
    c.known_status = task::ContainerStatus::running;
    c.command = std::vector<std::string>{"sh", "-c", "sleep 3600"};
    c.environment["STAGE"] = "bench";
    t.containers.push_back(c);
  }
  return t;
}

void run_store_part(std::vector<double>& one, std::vector<double>& thousand) {
  test::TempDir dir_one, dir_thousand;
  auto small = state::LmdbRepository::open(dir_one.path());
  auto large = state::LmdbRepository::open(dir_thousand.path());
  if (!small || !large) {
    std::fprintf(stderr, "cannot open LMDB\n");
    return;
  }
  task::Task changing = bench_task(0);
  (void)(*small)->save_task(changing);
  for (int i = 0; i < 1000; ++i) (void)(*large)->save_task(bench_task(i));
  int flip = 0;
  auto block = [&](state::Repository& repo, std::vector<double>& out) {
    constexpr int kSaves = 20;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kSaves; ++i) {
      changing.containers[0].known_status =
          ++flip % 2 ? task::ContainerStatus::stopped : task::ContainerStatus::running;
      changing.containers[0].known_exit_code = flip;
      (void)repo.save_task(changing);
    }
    out.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / kSaves);
  };
  for (int round = 0; round < 31; ++round) {
    if (round % 2) {
      block(**small, one);
      block(**large, thousand);
    } else {
      block(**large, thousand);
      block(**small, one);
    }
  }
}

}  // namespace
}  // namespace ecs::bench

int main() {
  using namespace ecs::bench;
  Figures f;
  std::string why;
  const ecs::test::Dockerd* dockerd = ecs::test::private_dockerd(&why);
  if (dockerd == nullptr) {
    std::printf("engine_bench: no Docker engine (%s); measuring the store and the size only\n", why.c_str());
  } else {
    run_docker_parts(*dockerd, f);
  }
  std::vector<double> one, thousand;
  run_store_part(one, thousand);
  const auto size = std::filesystem::file_size(ECS_AGENT_BINARY);

  std::printf("\nengine_bench (medians; every baseline measured in this run)\n");
  if (f.docker) {
    const double p = median(f.payload_ms), c = median(f.cli_ms);
    std::printf(
        "  payload -> 3 containers RUNNING (%zu rounds)   %8.1f ms   docker CLI create+start x3 %8.1f ms   "
        "ratio %.2fx (goal <= 1.1)\n",
        f.payload_ms.size(), p, c, c > 0 ? p / c : 0);
    const double e = median(f.event_ms), d = median(f.delivery_ms);
    std::printf(
        "  die event -> STOPPED sent (%zu rounds)        %8.2f ms   (p90 %.2f ms)   event delivery alone "
        "%.2f ms   ratio %.2fx (goal median <= 5 ms)\n",
        f.event_ms.size(), e, quantile(f.event_ms, 0.9), d, d > 0 ? e / d : 0);
    std::printf(
        "  %d tasks x 2 containers RUNNING: RSS %8.2f MiB   no task: %.2f MiB   ratio %.2fx (goal <= 20 "
        "MiB)\n",
        f.running_tasks, f.loaded_rss_kib / 1024.0, f.idle_rss_kib / 1024.0,
        f.idle_rss_kib > 0 ? static_cast<double>(f.loaded_rss_kib) / static_cast<double>(f.idle_rss_kib) : 0);
    std::printf("  same, CPU over %llds idle: %.3f %% of a core   no task: %.3f %% (goal <= 1 %%)\n",
                static_cast<long long>(kIdleWindow.count()), 100 * f.loaded_cpu, 100 * f.idle_cpu);
  }
  const double s1 = median(one), s1000 = median(thousand);
  std::printf(
      "  save one container change, 1,000 tasks known %8.1f us   1 task known %8.1f us   ratio %.2fx (goal "
      "<= 2)\n",
      s1000, s1, s1 > 0 ? s1000 / s1 : 0);
  std::printf("  ecs-agent static, stripped: %.2f MiB (%ju bytes; goal <= 8 MiB)\n",
              static_cast<double>(size) / (1024.0 * 1024.0), static_cast<std::uintmax_t>(size));
  return f.docker || dockerd == nullptr ? 0 : 1;
}
