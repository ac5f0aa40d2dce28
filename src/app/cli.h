// The command line of `ecs-agent`. Flags follow the reference agent (Go's flag package), so
// `-version` and `--version` are the same flag; subcommands are plain words.
#pragma once

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace ecs::app {

enum class Command { run, check_config, help, version, healthcheck, ca_bundle };

struct UsageError {
  std::string message;  // names the offending argument
};

// args excludes the program name; no arguments means `run` (the image's ENTRYPOINT has none).
std::variant<Command, UsageError> parse_command_line(std::span<const std::string> args);

// The whole `--help` text: subcommands, flags and the environment variables read.
std::string usage_text();

// Runs the command line and returns the process exit code: 0 success, 1 failure, 2 usage error,
// 5 terminal (invalid configuration, another cluster's state: restarting will not help).
int run_command_line(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace ecs::app
