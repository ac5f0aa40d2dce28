// The built ecs-agent binary run as users run it, for end-to-end tests: the fake ECS API and the
// fake ACS on a ServerThread (TLS with a generated CA given through AWS_CA_BUNDLE, SigV4
// verified), a data directory and a config file of the test's own, free loopback ports for the
// introspection and credentials endpoints, and DOCKER_HOST (a socket nobody listens on unless a
// test names a real engine).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/background_process.h"
#include "support/fake_acs.h"
#include "support/fake_ecs_api.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"

namespace ecs::test {

struct HttpReply {
  unsigned status = 0;  // 0: no answer
  std::string body;
};

// GET http://127.0.0.1:<port><target>, one request, one connection.
HttpReply http_get(unsigned short port, const std::string& target);

class AgentHarness {
 public:
  explicit AgentHarness(std::string agent_binary);

  std::vector<std::pair<std::string, std::string>> env(const std::string& cluster = "default");
  std::unique_ptr<BackgroundProcess> start(const std::string& log_name,
                                           const std::string& cluster = "default");
  std::unique_ptr<BackgroundProcess> start_with(const std::string& log_name,
                                                std::vector<std::pair<std::string, std::string>> extra);
  bool wait_for(const std::function<bool()>& predicate,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));
  int received(const std::string& type);  // frames of that type the agent sent to ACS

  std::string agent_binary_;
  // Put before the agent's argv (execv: an absolute path), e.g. {"/usr/bin/nsenter",
  // "--mount=..."}: nsenter execs the agent, so the process signalled and waited for is the agent.
  std::vector<std::string> launcher_;
  TestCa ca_;
  TempDir dir_;
  ServerThread servers_;
  FakeEcsApi ecs_api_{servers_, ca_.issue()};
  FakeAcs acs_{servers_, ca_.issue(), FakeEcsApi::credentials()};
  unsigned short introspection_port_ = free_local_port();
  unsigned short credentials_port_ = free_local_port();
  std::string docker_host_ = "unix://" + dir_.file("no-docker.sock");
};

}  // namespace ecs::test
