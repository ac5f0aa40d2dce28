// Runs a program to completion and captures its exit code, stdout and stderr (for tests that
// exercise the real binaries and tools such as docker).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ecs::test {

struct ProcessResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
  bool timed_out = false;
};

struct ProcessOptions {
  // Environment changes on top of the current environment; nullopt unsets the variable.
  std::vector<std::pair<std::string, std::optional<std::string>>> env;
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};  // then SIGKILL
};

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

}  // namespace ecs::test
