#include "app/health_doctor.h"

#include "core/log.h"

namespace ecs::app {

bool HealthDoctor::run_health_checks() {
  const bool acs_ok = !acs_connected_recently || acs_connected_recently();
  const bool state_ok = !state_writable || state_writable();
  const bool healthy = acs_ok && docker_ok && state_ok;
  if (!healthy) {
    log::warn("health check failed", {{"acsConnectedRecently", acs_ok ? "true" : "false"},
                                      {"dockerReachable", docker_ok ? "true" : "false"},
                                      {"stateWritable", state_ok ? "true" : "false"}});
  }
  return healthy;
}

}  // namespace ecs::app
