// Tests that need something from the machine (a Docker engine, ../shared test data) must fail
// rather than skip when CI=true, so that CI can never pass by silently skipping them.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

namespace ecs::test {

inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::strcmp(ci, "true") == 0;
}

}  // namespace ecs::test

// Skips the current test with `why` and how to enable it, or fails it when CI=true.
#define ECS_SKIP_OR_FAIL_IN_CI(why)                    \
  do {                                                 \
    if (::ecs::test::running_in_ci()) {                \
      FAIL() << "required in CI (CI=true): " << (why); \
    } else {                                           \
      GTEST_SKIP() << (why);                           \
    }                                                  \
  } while (0)
