// Static registry credentials from ECS_ENGINE_AUTH_TYPE / ECS_ENGINE_AUTH_DATA (spec §4.2,
// "Registry authentication"): parsed once, looked up per image, sent to Docker as the
// X-Registry-Auth header of a pull. The data is a secret: no error or log line quotes it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ecs::engine {

struct RegistryCredentials {
  std::string username;
  std::string password;
  std::string email;
  std::string server_address;  // the key that matched, without its scheme
};

// The registry an image is pulled from: its first path component when that looks like a host
// (contains '.' or ':', or is "localhost"), else Docker Hub, whose names all map to the key
// "index.docker.io/v1/".
std::string registry_key_of(std::string_view image);

class StaticRegistryAuth {
 public:
  StaticRegistryAuth() = default;  // no credentials: every pull is anonymous
  // `type` "docker": {"<registry>":{"username","password","email"}}; "dockercfg":
  // {"<registry>":{"auth":"<base64 user:password>","email"}}. Empty data: no credentials. An
  // unknown type, data that is not such an object, or an `auth` that is not base64 of
  // user:password is an error naming the variable and the registry key, never the data.
  static Result<StaticRegistryAuth> parse(std::string_view type, std::string_view data);

  // The exact registry key, replaced by a longer key on the same host that is a prefix of the
  // image ("reg.tld/team" for "reg.tld/team/app"); Docker Hub images use "index.docker.io/v1/".
  // Unlike the reference (which, without an exact key, takes whichever key on the host Go's map
  // order yields), a key that is not a prefix of the image never applies. nullopt: anonymous.
  std::optional<RegistryCredentials> lookup(std::string_view image) const;

  bool empty() const { return by_key_.empty(); }

 private:
  std::map<std::string, RegistryCredentials, std::less<>> by_key_;  // keys without scheme
};

// The X-Registry-Auth value Docker expects: base64url of {"username","password","email",
// "serveraddress"}.
std::string x_registry_auth(const RegistryCredentials& credentials);

}  // namespace ecs::engine
