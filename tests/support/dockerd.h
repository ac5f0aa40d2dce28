// The private Docker engine of a test run (tests/dockerd/dockerd.sh).
//
// Under ctest the engine is started once by the `dockerd_start` fixture test and stopped by
// `dockerd_stop`, also when tests fail; ECS_TEST_DOCKERD_STATE names its state file. A test
// binary run on its own starts a private engine itself and stops it at exit.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/ci.h"

namespace ecs::test {

struct Dockerd {
  std::string docker_host;    // unix:///tmp/ecs-agent-dockerd.XXXXXX/docker.sock
  std::string socket_path;    // the path part of docker_host
  std::string root;           // the temporary directory holding everything
  std::string busybox_image;  // imported from Debian's busybox-static
  std::string netns;          // dockerd's own network namespace (a file); empty: the host's
  std::string mntns;          // containerd's and dockerd's mount namespace (a file); empty: the host's
};

// A directory bind-mounted at a fixed path in the engine's own mount namespace (OwnDockerd).
struct DockerdBind {
  std::string source;  // an existing directory
  std::string target;  // an absolute path, made if missing (and removed again at stop)
};

// What an OwnDockerd gets besides its own engine.
enum class DockerdNetwork {
  none,    // --bridge=none --iptables=false: containers run with --network none (the default)
  bridge,  // in a network namespace of its own with its bridge and iptables: ports can be published
};

// The engine, or nullptr with *why saying why it is unavailable and how to enable it.
const Dockerd* private_dockerd(std::string* why);

// An engine of one test's own, for tests that restart, stop or kill dockerd (the shared one must
// stay up for the others). Started with `extra_args` (e.g. "--live-restore"), stopped and cleaned
// up by the destructor. With `binds`, containerd and dockerd run in a mount namespace of their own
// where each source is seen at its target (e.g. test files at /var/lib/ecs/deps) and the host's
// own targets are untouched; a process run as `nsenter --mount=<mntns> ...` sees the same.
class OwnDockerd {
 public:
  explicit OwnDockerd(const std::string& extra_args = "", DockerdNetwork network = DockerdNetwork::none,
                      const std::vector<DockerdBind>& binds = {});
  ~OwnDockerd();
  OwnDockerd(const OwnDockerd&) = delete;
  OwnDockerd& operator=(const OwnDockerd&) = delete;

  const Dockerd* engine() const { return engine_.get(); }
  const std::string& why() const { return why_; }
  int dockerd_pid() const;           // 0 when unknown
  bool restart(std::string* error);  // SIGTERM, then start again with the same arguments
  const std::string& state_file() const { return state_; }

 private:
  std::string state_;
  std::unique_ptr<Dockerd> engine_;
  std::string why_;
};

}  // namespace ecs::test

// Declares `const ecs::test::Dockerd* name`; skips the test (fails it when CI=true) without one.
#define ECS_REQUIRE_DOCKERD(name)                                               \
  std::string name##_why;                                                       \
  const ::ecs::test::Dockerd* name = ::ecs::test::private_dockerd(&name##_why); \
  if (name == nullptr) ECS_SKIP_OR_FAIL_IN_CI(name##_why)

// Declares `::ecs::test::OwnDockerd name(args...)`; skips (fails when CI=true) when it cannot start.
#define ECS_REQUIRE_OWN_DOCKERD(name, ...)   \
  ::ecs::test::OwnDockerd name(__VA_ARGS__); \
  if (name.engine() == nullptr) ECS_SKIP_OR_FAIL_IN_CI(name.why())
