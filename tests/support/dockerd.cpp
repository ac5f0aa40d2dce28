#include "support/dockerd.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>

#include "support/process.h"

#ifndef ECS_DOCKERD_SCRIPT
#error "ECS_DOCKERD_SCRIPT must name tests/docker/dockerd.sh"
#endif

namespace ecs::test {
namespace {

std::map<std::string, std::string> read_state(const std::string& path) {
  std::map<std::string, std::string> kv;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}

struct OwnedEngine {
  std::string state;
  ~OwnedEngine() { run_process({ECS_DOCKERD_SCRIPT, "stop", state}); }
};

struct Lookup {
  std::unique_ptr<Dockerd> engine;
  std::string why;
  std::unique_ptr<OwnedEngine> owned;  // only when this process started it
};

constexpr const char* kHowToEnable =
    " To enable the tests that need it: run them as root on Debian 12 after "
    "'scripts/deps.sh install' (e.g. 'make test').";

Lookup find_engine() {
  Lookup l;
  std::string state;
  if (const char* s = std::getenv("ECS_TEST_DOCKERD_STATE"); s != nullptr && *s != '\0') {
    state = s;
  } else {
    // Not under ctest: start one for this process.
    char tmpl[] = "/tmp/ecs-agent-dockerd-state.XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd < 0) {
      l.why = "cannot create a state file";
      return l;
    }
    close(fd);
    state = tmpl;
    auto start = run_process({ECS_DOCKERD_SCRIPT, "start", state}, {{{"CI", "false"}}});
    l.owned = std::make_unique<OwnedEngine>(OwnedEngine{state});
    if (start.exit_code != 0) {
      l.why = "starting a private dockerd failed: " + start.err;
      return l;
    }
  }
  auto kv = read_state(state);
  if (kv["DOCKER_HOST"].empty()) {
    l.why = "no private dockerd is running (state file '" + state +
            "' has none; see the dockerd_start test's output)." + kHowToEnable;
    return l;
  }
  l.engine = std::make_unique<Dockerd>();
  l.engine->docker_host = kv["DOCKER_HOST"];
  l.engine->socket_path = l.engine->docker_host.substr(std::string("unix://").size());
  l.engine->root = kv["ECS_TEST_DOCKERD_ROOT"];
  l.engine->busybox_image = kv["ECS_TEST_BUSYBOX_IMAGE"];
  return l;
}

}  // namespace

const Dockerd* private_dockerd(std::string* why) {
  static Lookup lookup = find_engine();
  if (!lookup.engine && why != nullptr) *why = lookup.why;
  return lookup.engine.get();
}

}  // namespace ecs::test
