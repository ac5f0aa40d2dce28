// Every environment variable the agent reads, with what it means: the single list that
// `ecs-agent --help` prints, `ecs-agent check-config` walks and the README's table is checked
// against (a unit test fails when the configuration reads a variable that is not listed, or when
// the README's table differs from environment_variables_markdown()).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace ecs::app {

struct EnvironmentVariable {
  std::string_view name;
  std::string_view default_value;  // empty when unset means "not used"
  std::string_view meaning;
  bool secret = false;  // never printed, only whether it is set
};

std::span<const EnvironmentVariable> environment_variables();
const EnvironmentVariable* find_environment_variable(std::string_view name);
// The README's table: | variable | default | meaning |, one row per variable, in list order.
std::string environment_variables_markdown();

}  // namespace ecs::app
