// Small builders of engine tasks shared by the engine's fake and real-dockerd tests.
#pragma once

#include <string>
#include <utility>

#include "task/task.h"

namespace ecs::test {

// A `docker` volume of `scope` (task/shared) with the local driver.
inline task::Volume docker_volume(std::string name, std::string scope, bool autoprovision = false) {
  task::Volume v;
  v.name = std::move(name);
  v.type = "docker";
  v.scope = std::move(scope);
  v.autoprovision = autoprovision;
  v.driver = "local";
  return v;
}

}  // namespace ecs::test
