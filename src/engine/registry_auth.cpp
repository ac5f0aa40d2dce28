#include "engine/registry_auth.h"

#include <cstdint>

#include "core/digest.h"
#include "core/json_value.h"
#include "core/json_writer.h"

namespace ecs::engine {
namespace {

constexpr std::string_view kDockerHubKey = "index.docker.io/v1/";

std::string strip_scheme(std::string_view key) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (key.starts_with(scheme)) key.remove_prefix(scheme.size());
  }
  return std::string(key);
}

std::string_view host_of(std::string_view key) { return key.substr(0, key.find('/')); }

Error bad_data(const std::string& detail) {
  return make_error(errc::make_error_code(errc::invalid_argument), "ECS_ENGINE_AUTH_DATA: " + detail);
}

std::string member_string(const JsonValue& entry, std::string_view name) {
  const JsonValue* v = entry.find(name);
  return v != nullptr && v->kind() == JsonValue::Kind::string ? v->text() : std::string();
}

}  // namespace

std::string registry_key_of(std::string_view image) {
  const auto slash = image.find('/');
  if (slash == std::string_view::npos) return std::string(kDockerHubKey);
  const std::string_view first = image.substr(0, slash);
  const bool looks_like_host = first.find('.') != std::string_view::npos ||
                               first.find(':') != std::string_view::npos || first == "localhost";
  if (!looks_like_host) return std::string(kDockerHubKey);
  if (first == "docker.io" || first == "index.docker.io" || first == "registry-1.docker.io") {
    return std::string(kDockerHubKey);
  }
  return std::string(first);
}

Result<StaticRegistryAuth> StaticRegistryAuth::parse(std::string_view type, std::string_view data) {
  StaticRegistryAuth auth;
  if (data.empty()) return auth;
  if (type != "docker" && type != "dockercfg") {
    return make_error(errc::make_error_code(errc::invalid_argument),
                      "ECS_ENGINE_AUTH_TYPE: \"" + std::string(type) +
                          "\" is not docker or dockercfg (ECS_ENGINE_AUTH_DATA is set)");
  }
  auto root = JsonValue::parse(data, errc::make_error_code(errc::invalid_argument), "ECS_ENGINE_AUTH_DATA");
  if (!root) return root.error();
  if (!root->is_object()) return bad_data("not a JSON object of registries");
  for (const auto& [raw_key, entry] : root->members()) {
    const std::string key = strip_scheme(raw_key);
    if (!entry.is_object()) return bad_data("the entry for \"" + key + "\" is not an object");
    RegistryCredentials c;
    c.email = member_string(entry, "email");
    c.server_address = key;
    if (type == "docker") {
      c.username = member_string(entry, "username");
      c.password = member_string(entry, "password");
    } else {
      auto decoded = base64_decode(member_string(entry, "auth"));
      const auto colon = decoded ? decoded->find(':') : std::string::npos;
      if (colon == std::string::npos) {
        return bad_data("the auth of \"" + key + "\" is not base64 of user:password");
      }
      c.username = decoded->substr(0, colon);
      c.password = decoded->substr(colon + 1);
    }
    auth.by_key_[key] = std::move(c);
  }
  return auth;
}

std::optional<RegistryCredentials> StaticRegistryAuth::lookup(std::string_view image) const {
  const std::string registry = registry_key_of(image);
  if (registry == kDockerHubKey) {
    const auto it = by_key_.find(kDockerHubKey);
    if (it == by_key_.end()) return std::nullopt;
    return it->second;
  }
  const RegistryCredentials* best = nullptr;
  std::size_t best_length = 0;
  if (const auto it = by_key_.find(registry); it != by_key_.end()) {
    best = &it->second;
    best_length = it->first.size();
  }
  for (const auto& [key, credentials] : by_key_) {
    if (host_of(key) != registry || key.size() <= best_length) continue;
    if (!image.starts_with(key)) continue;
    best = &credentials;
    best_length = key.size();
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

std::string x_registry_auth(const RegistryCredentials& credentials) {
  std::string json;
  JsonWriter w(json);
  w.begin_object()
      .key("username")
      .string(credentials.username)
      .key("password")
      .string(credentials.password)
      .key("email")
      .string(credentials.email)
      .key("serveraddress")
      .string(credentials.server_address)
      .end_object();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(json.data());
  return base64url({bytes, json.size()});
}

}  // namespace ecs::engine
