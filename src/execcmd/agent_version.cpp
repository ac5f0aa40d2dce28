#include "execcmd/agent_version.h"

#include <charconv>
#include <limits>

namespace ecs::execcmd {

std::optional<AgentVersion> parse_agent_version(std::string_view name) {
  AgentVersion v;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = name.find('.', start);
    const std::string_view part = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty()) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<std::uint64_t>(c - '0');
      if (value > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    }
    v.push_back(static_cast<std::uint32_t>(value));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return v;
}

int compare(const AgentVersion& a, const AgentVersion& b) {
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t x = i < a.size() ? a[i] : 0;
    const std::uint32_t y = i < b.size() ? b[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

std::string to_string(const AgentVersion& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out.push_back('.');
    out += std::to_string(v[i]);
  }
  return out;
}

Result<std::vector<AgentVersion>> retrieve_agent_versions(FileSystem& fs, const std::string& dir) {
  auto entries = fs.list_dir(dir);
  if (!entries) return entries.error();
  std::vector<AgentVersion> out;
  for (const auto& e : *entries) {
    if (!e.is_dir) continue;
    if (auto v = parse_agent_version(e.name)) out.push_back(std::move(*v));
  }
  return out;
}

}  // namespace ecs::execcmd
