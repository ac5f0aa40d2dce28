// A program running in the background for a test (the agent binary, say): its stdout and stderr
// go to a file, the test can signal it and wait (bounded) for it to exit. The destructor kills
// and reaps it, so a failing test never leaves it behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ecs::test {

class BackgroundProcess {
 public:
  // `env` is added to (or replaces in) the current environment.
  BackgroundProcess(const std::vector<std::string>& argv,
                    const std::vector<std::pair<std::string, std::string>>& env,
                    const std::string& output_file);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  void signal(int signal) const;
  // The exit code (128+N when killed by signal N), or nullopt if still running after `timeout`.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  bool running();
  std::string output() const;  // everything written so far
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string output_file_;
};

// A TCP port on 127.0.0.1 that was free a moment ago, never the same twice in one process, and
// outside the kernel's ephemeral range (no outgoing connection takes it while a server restarts).
unsigned short free_local_port();

}  // namespace ecs::test
