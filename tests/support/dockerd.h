// The private Docker engine of a test run (tests/docker/dockerd.sh).
//
// Under ctest the engine is started once by the `dockerd_start` fixture test and stopped by
// `dockerd_stop`, also when tests fail; ECS_TEST_DOCKERD_STATE names its state file. A test
// binary run on its own starts a private engine itself and stops it at exit.
#pragma once

#include <string>

#include "support/ci.h"

namespace ecs::test {

struct Dockerd {
  std::string docker_host;    // unix:///tmp/ecs-agent-dockerd.XXXXXX/docker.sock
  std::string socket_path;    // the path part of docker_host
  std::string root;           // the temporary directory holding everything
  std::string busybox_image;  // imported from Debian's busybox-static
};

// The engine, or nullptr with *why saying why it is unavailable and how to enable it.
const Dockerd* private_dockerd(std::string* why);

}  // namespace ecs::test

// Declares `const ecs::test::Dockerd* name`; skips the test (fails it when CI=true) without one.
#define ECS_REQUIRE_DOCKERD(name)                                               \
  std::string name##_why;                                                       \
  const ::ecs::test::Dockerd* name = ::ecs::test::private_dockerd(&name##_why); \
  if (name == nullptr) ECS_SKIP_OR_FAIL_IN_CI(name##_why)
