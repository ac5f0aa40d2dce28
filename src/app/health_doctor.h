// What heartbeats report as the agent's health (the reference's doctor, acs-protocol.md §5.4):
// ACS connected now or within the last 5 minutes, Docker answering, the state's last commit on
// disk. Each check is a function set once its subject exists; an unset one passes.
#pragma once

#include <functional>

#include "acs/interfaces.h"

namespace ecs::app {

class HealthDoctor : public acs::Doctor {
 public:
  bool run_health_checks() override;

  std::function<bool()> acs_connected_recently;
  std::function<bool()> state_writable;
  bool docker_ok = true;
};

}  // namespace ecs::app
