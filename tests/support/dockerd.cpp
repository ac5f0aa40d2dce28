#include "support/dockerd.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>

#include "support/process.h"

#ifndef ECS_DOCKERD_SCRIPT
#error "ECS_DOCKERD_SCRIPT must name tests/dockerd/dockerd.sh"
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

std::unique_ptr<Dockerd> engine_from_state(const std::string& state) {
  auto kv = read_state(state);
  if (kv["DOCKER_HOST"].empty()) return nullptr;
  auto engine = std::make_unique<Dockerd>();
  engine->docker_host = kv["DOCKER_HOST"];
  engine->socket_path = engine->docker_host.substr(std::string("unix://").size());
  engine->root = kv["ECS_TEST_DOCKERD_ROOT"];
  engine->busybox_image = kv["ECS_TEST_BUSYBOX_IMAGE"];
  engine->netns = kv["ECS_TEST_DOCKERD_NETNS"];
  engine->mntns = kv["ECS_TEST_DOCKERD_MNTNS"];
  return engine;
}

std::string new_state_file() {
  char tmpl[] = "/tmp/ecs-agent-dockerd-state.XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) return "";
  close(fd);
  return tmpl;
}

Lookup find_engine() {
  Lookup l;
  std::string state;
  if (const char* s = std::getenv("ECS_TEST_DOCKERD_STATE"); s != nullptr && *s != '\0') {
    state = s;
  } else {
    // Not under ctest: start one for this process.
    state = new_state_file();
    if (state.empty()) {
      l.why = "cannot create a state file";
      return l;
    }
    auto start = run_process({ECS_DOCKERD_SCRIPT, "start", state}, {{{"CI", "false"}}});
    l.owned.reset(new OwnedEngine{state});  // (a temporary OwnedEngine would stop it at once)
    if (start.exit_code != 0) {
      l.why = "starting a private dockerd failed: " + start.err;
      return l;
    }
  }
  l.engine = engine_from_state(state);
  if (!l.engine) {
    l.why = "no private dockerd is running (state file '" + state +
            "' has none; see the dockerd_start test's output)." + kHowToEnable;
  }
  return l;
}

}  // namespace

OwnDockerd::OwnDockerd(const std::string& extra_args, DockerdNetwork network,
                       const std::vector<DockerdBind>& binds)
    : state_(new_state_file()) {
  if (state_.empty()) {
    why_ = "cannot create a state file";
    return;
  }
  std::string bind_list;
  for (const auto& b : binds) {
    if (!bind_list.empty()) bind_list += ' ';
    bind_list += b.source + ":" + b.target;
  }
  ProcessOptions options;
  options.env = {{"CI", "false"},
                 {"ECS_TEST_DOCKERD_ARGS", extra_args},
                 {"ECS_TEST_DOCKERD_NETNS", network == DockerdNetwork::bridge ? "1" : ""},
                 {"ECS_TEST_DOCKERD_BINDS", bind_list}};
  auto start = run_process({ECS_DOCKERD_SCRIPT, "start", state_}, options);
  engine_ = engine_from_state(state_);
  if (!engine_) {
    why_ = "cannot start a private dockerd for this test: " + start.err + kHowToEnable;
  }
}

OwnDockerd::~OwnDockerd() {
  if (!state_.empty()) run_process({ECS_DOCKERD_SCRIPT, "stop", state_});
  unlink(state_.c_str());
}

int OwnDockerd::dockerd_pid() const {
  if (!engine_) return 0;
  std::ifstream in(engine_->root + "/docker.pid");
  int pid = 0;
  in >> pid;
  return pid;
}

bool OwnDockerd::restart(std::string* error) {
  auto r = run_process({ECS_DOCKERD_SCRIPT, "restart", state_});
  if (r.exit_code != 0 && error != nullptr) *error = r.err;
  return r.exit_code == 0;
}

const Dockerd* private_dockerd(std::string* why) {
  static Lookup lookup = find_engine();
  if (!lookup.engine && why != nullptr) *why = lookup.why;
  return lookup.engine.get();
}

}  // namespace ecs::test
