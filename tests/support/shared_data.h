// Locates ../shared (the specs and test data that sit beside the project). Tests that need it
// fail when CI=true and it is missing, and skip otherwise.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#ifndef ECS_SHARED_DIR
#error "ECS_SHARED_DIR must name ../shared"
#endif

namespace ecs::test {

// ECS_SHARED_DIR from the environment wins over the build-time default.
inline std::filesystem::path shared_dir() {
  if (const char* d = std::getenv("ECS_SHARED_DIR"); d != nullptr && *d != '\0') return d;
  return ECS_SHARED_DIR;
}

}  // namespace ecs::test
