// SSM agent version directories (agent_version.go): "3.0.236.0" parsed into numbers, compared
// element-wise with missing elements as 0, printed normalised ("03.0" -> "3.0").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "execcmd/filesystem.h"

namespace ecs::execcmd {

using AgentVersion = std::vector<std::uint32_t>;

// Each '.'-separated part must be decimal digits fitting 32 bits; otherwise nullopt
// ("invalid version format").
std::optional<AgentVersion> parse_agent_version(std::string_view name);
int compare(const AgentVersion& a, const AgentVersion& b);  // -1, 0, 1
std::string to_string(const AgentVersion& v);

// The entries of `dir` that are directories with a version name, in listing order. A listing
// error is returned as is.
Result<std::vector<AgentVersion>> retrieve_agent_versions(FileSystem& fs, const std::string& dir);

}  // namespace ecs::execcmd
