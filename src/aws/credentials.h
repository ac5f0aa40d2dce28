// AWS credentials: what signs requests. The secret and the token are never logged; use
// redacted() for any text meant for humans.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace ecs::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string source;  // which provider produced them ("environment", "imds", ...)

  bool empty() const { return access_key_id.empty() || secret_access_key.empty(); }
  // "AKID… from <source>": safe for logs.
  std::string redacted() const;
};

}  // namespace ecs::aws
