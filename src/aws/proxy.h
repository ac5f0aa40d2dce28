// Which proxy, if any, a connection goes through: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either
// case) as Go's httpproxy reads them, for the ECS API (libcurl) and the ACS websocket (HTTP
// CONNECT) alike. Loopback, the instance metadata service (169.254.169.254) and the task
// credentials endpoint (169.254.170.2) never go through a proxy.
#pragma once

#include <optional>
#include <string>

#include "core/environment.h"
#include "core/error.h"
#include "core/url.h"

namespace ecs::aws {

struct ProxyConfig {
  std::optional<Url> https_proxy;
  std::optional<Url> http_proxy;
  std::string no_proxy;

  // Reads the variables; a value that is not an http:// proxy URL (a value without a scheme
  // means http://) is an error naming the variable.
  static Result<ProxyConfig> from_environment(const EnvLookup& env);
  static Result<ProxyConfig> from_values(const std::string& https_proxy, const std::string& http_proxy,
                                         const std::string& no_proxy);

  // The proxy for `target` (http/ws use HTTP_PROXY, https/wss HTTPS_PROXY), or nullopt for a
  // direct connection.
  std::optional<Url> proxy_for(const Url& target) const;
};

}  // namespace ecs::aws
