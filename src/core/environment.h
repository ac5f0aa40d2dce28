// How configuration values are looked up: one function from a name to its value (nullopt when
// unset). The agent builds one lookup — the process environment, then the config file — and
// hands it to everything that reads a setting, so nothing reads the process environment on its
// own (the process environment itself comes from platform/environment.h).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ecs {

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The value when it is set and not empty (an empty value means unset, as in the reference).
std::optional<std::string> env_value(const EnvLookup& env, std::string_view name);
// `first`, else `second`.
EnvLookup layered_environment(EnvLookup first, EnvLookup second);
// A fixed set of values (tests, and the config file's values).
EnvLookup map_environment(std::map<std::string, std::string, std::less<>> values);
// Nothing is set.
EnvLookup empty_environment();

}  // namespace ecs
