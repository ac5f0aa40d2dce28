// `ecs-agent --healthcheck`, as the reference agent does it: HEAD /v1/metadata on the
// introspection server. Any HTTP response means healthy (the status is not inspected); only a
// connection failure or no answer within the timeout is unhealthy. The 25 s default stays
// below Docker's 30 s health-check timeout so that the failure is reported by us.
#pragma once

#include <chrono>

#include "core/address.h"
#include "core/environment.h"
#include "core/error.h"

namespace ecs::app {

struct HealthcheckTarget {
  HostPort address{"127.0.0.1", 51678};
  std::chrono::milliseconds timeout{std::chrono::seconds(25)};
};

// ECS_INTROSPECTION_ADDR (default 127.0.0.1:51678), host overridden by
// ECS_AGENT_HEALTHCHECK_HOST.
Result<HealthcheckTarget> healthcheck_target_from_environment(const EnvLookup& env);

// Success iff the server answered the HEAD request with any HTTP response in time.
Result<void> probe_introspection(const HealthcheckTarget& target);

}  // namespace ecs::app
