// Resident memory of the agent side while connected to ACS and idle: a statically linked
// helper (acs_idle_agent: trust store, TLS, the session and every responder) is started; its
// RSS is read from /proc when it is ready but not connected (the baseline, same run), then
// after 5 s connected with a heartbeat every second. Goal: idle RSS <= 10 MiB.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "support/fake_acs.h"
#include "support/fake_ecs_api.h"
#include "support/temp_dir.h"

#ifndef ECS_IDLE_AGENT
#error "ECS_IDLE_AGENT must name the helper binary"
#endif

namespace {

long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace

int main() {
  using namespace ecs;
  using namespace std::chrono_literals;
  test::TestCa ca;
  test::TempDir dir;
  test::ServerThread servers;
  test::FakeAcs acs(servers, ca.issue(), {"AKIDBENCH", "bench-secret", "", std::nullopt, "bench"});
  const std::string bundle = ca.write_pem_file(dir.path());

  int to_child[2], from_child[2];
  if (pipe(to_child) != 0 || pipe(from_child) != 0) return 1;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    setenv("ECS_BENCH_ENDPOINT", acs.endpoint().c_str(), 1);
    setenv("AWS_CA_BUNDLE", bundle.c_str(), 1);
    execl(ECS_IDLE_AGENT, ECS_IDLE_AGENT, nullptr);
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  char buf[16] = {};
  if (read(from_child[0], buf, sizeof buf - 1) <= 0) return 1;  // "ready"
  std::this_thread::sleep_for(200ms);
  const long before = rss_kib(pid);
  if (write(to_child[1], "go\n", 3) != 3) return 1;
  if (!acs.wait_for([&] { return acs.connection_count() == 1; }, 10s)) {
    std::printf("the helper did not connect\n");
    kill(pid, SIGKILL);
    return 1;
  }
  for (int i = 0; i < 5; ++i) {
    acs.send(R"({"type":"HeartbeatMessage","message":{"healthy":true,"messageId":"hb-)" + std::to_string(i) +
             "\"}}");
    std::this_thread::sleep_for(1s);
  }
  const long connected = rss_kib(pid);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  std::printf("Agent side RSS (static helper, Linux /proc VmRSS)\n");
  std::printf("  ready, not connected (baseline): %7.2f MiB\n", before / 1024.0);
  std::printf("  connected, idle 5 s:             %7.2f MiB\n", connected / 1024.0);
  std::printf("Ratio connected / baseline: %.2fx;  goal <= 10 MiB: %s\n",
              static_cast<double>(connected) / before, connected <= 10 * 1024 ? "met" : "NOT met");
  return 0;
}
