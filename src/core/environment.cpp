#include "core/environment.h"

#include <memory>

namespace ecs {

std::optional<std::string> env_value(const EnvLookup& env, std::string_view name) {
  if (!env) return std::nullopt;
  auto v = env(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

EnvLookup layered_environment(EnvLookup first, EnvLookup second) {
  return [first = std::move(first), second = std::move(second)](std::string_view name) {
    if (auto v = first(name)) return v;
    return second(name);
  };
}

EnvLookup map_environment(std::map<std::string, std::string, std::less<>> values) {
  auto shared = std::make_shared<const std::map<std::string, std::string, std::less<>>>(std::move(values));
  return [shared](std::string_view name) -> std::optional<std::string> {
    auto it = shared->find(name);
    if (it == shared->end()) return std::nullopt;
    return it->second;
  };
}

EnvLookup empty_environment() {
  return [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
}

}  // namespace ecs
