// What this binary is: version, commit, build type, compiler and linked library versions,
// as printed by `ecs-agent --version`.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ecs::app {

struct BuildInfo {
  std::string version;     // from the VERSION file
  std::string commit;      // git short hash (8), "unknown" outside a checkout
  bool dirty = false;      // built from a tree with uncommitted changes
  std::string build_kind;  // "static" for the shipped binary
  std::string compiler;
  std::vector<std::pair<std::string, std::string>> dependencies;  // name, version
};

const BuildInfo& build_info();

// The multi-line text of `--version`.
std::string version_text();

}  // namespace ecs::app
