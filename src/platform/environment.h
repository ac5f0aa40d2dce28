// The process environment as an EnvLookup (core/environment.h): the one place that reads it.
#pragma once

#include "core/environment.h"

namespace ecs::platform {

EnvLookup process_environment();

}  // namespace ecs::platform
