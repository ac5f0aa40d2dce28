#include "support/background_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace ecs::test {

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::vector<std::pair<std::string, std::string>>& env,
                                     const std::string& output_file)
    : output_file_(output_file) {
  const int out = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) throw std::runtime_error("cannot create " + output_file);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    // Nothing else of the test process leaks into the program: Asio's sockets are not
    // close-on-exec, and an inherited listening socket would keep the test's servers' ports.
    const long max_fd = sysconf(_SC_OPEN_MAX);
    for (int fd = 3; fd < (max_fd > 0 ? max_fd : 1024); ++fd) ::close(fd);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  ::close(out);
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

void BackgroundProcess::signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::optional<int> BackgroundProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exit_code_) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_code_;
}

bool BackgroundProcess::running() { return !wait_for_exit(std::chrono::milliseconds(0)).has_value(); }

std::string BackgroundProcess::output() const {
  std::ifstream in(output_file_);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

// The kernel's range for ephemeral ports (outgoing connections, bind to port 0).
std::pair<unsigned, unsigned> ephemeral_range() {
  unsigned low = 32768, high = 60999;  // Linux's default
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low >> high;
  return {low, high};
}

bool can_bind(unsigned short port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// A free port below the ephemeral range: a test that stops and restarts a server on it (the
// agent killed and started again) must not find it taken meanwhile by some process's outgoing
// connection, which the kernel gives ports from that range.
unsigned short pick_free_port() {
  static std::mt19937 random(std::random_device{}());
  const unsigned low = 10000;
  const unsigned high = std::max(low + 1000, ephemeral_range().first) - 1;
  std::uniform_int_distribution<unsigned> candidate(low, high);
  for (;;) {
    const auto port = static_cast<unsigned short>(candidate(random));
    if (can_bind(port)) return port;
  }
}

}  // namespace

unsigned short free_local_port() {
  // Never the same port twice in one process: the kernel may hand a just-released port out again.
  static std::mutex mutex;
  static std::set<unsigned short> given;
  std::lock_guard lock(mutex);
  for (;;) {
    const unsigned short port = pick_free_port();
    if (given.insert(port).second) return port;
  }
}

}  // namespace ecs::test
