// Every environment variable the agent reads, with what it means: the single list that
// `ecs-agent --help` prints and that the README's table mirrors.
#pragma once

#include <span>
#include <string_view>

namespace ecs::app {

struct EnvironmentVariable {
  std::string_view name;
  std::string_view default_value;  // empty when unset means "not used"
  std::string_view meaning;
};

std::span<const EnvironmentVariable> environment_variables();

}  // namespace ecs::app
