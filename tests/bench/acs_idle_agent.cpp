// The agent side of the idle-memory measurement, linked statically like the product: loads the
// trust store, prints "ready", waits for a line on stdin, then runs the ACS session with every
// responder against ECS_BENCH_ENDPOINT until killed.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "acs/responders/responder_set.h"
#include "acs/session.h"
#include "acs/websocket_connection.h"
#include "app/health_doctor.h"
#include "aws/sigv4.h"
#include "platform/environment.h"
#include "support/in_memory_agent.h"
#include "wsclient/connection.h"
#include "wsclient/dial.h"

namespace {

using namespace ecs;

class StaticDiscovery : public acs::EndpointDiscovery {
 public:
  explicit StaticDiscovery(std::string e) : endpoint_(std::move(e)) {}
  asio::awaitable<Result<std::string>> discover_poll_endpoint(const std::string&,
                                                              const std::string&) override {
    co_return endpoint_;
  }

 private:
  std::string endpoint_;
};

}  // namespace

int main() {
  const char* endpoint = std::getenv("ECS_BENCH_ENDPOINT");
  if (endpoint == nullptr) return 2;
  auto trust = tls::TrustStore::load(
      tls::TrustStoreOptions::from_environment(platform::process_environment()));  // embedded + AWS_CA_BUNDLE
  if (!trust) return 3;
  wsclient::DialOptions dial;
  dial.tls = *tls::Context::client(*trust);
  dial.sign = [](const Url& url) -> asio::awaitable<Result<aws::Headers>> {
    const aws::Credentials creds{"AKIDBENCH", "bench-secret", "", std::nullopt, "bench"};
    co_return aws::sign_upgrade_request(url, creds, "us-west-2", "ecs", std::chrono::system_clock::now())
        .headers;
  };
  std::printf("ready\n");
  std::fflush(stdout);
  std::string line;
  std::getline(std::cin, line);

  asio::io_context io;
  SteadyClock clock;
  RandomJitter jitter;
  acs::NoMetrics metrics;
  app::HealthDoctor doctor;
  test::InMemoryAgent agent(clock);
  const acs::Collaborators c = agent.handlers.collaborators(doctor, metrics, /*confirm_resources=*/false);
  acs::ResponderSet responders(c, "20.10.24", {}, nullptr, nullptr);
  StaticDiscovery discovery(endpoint);
  acs::WebsocketConnectionFactory factory(io.get_executor(), dial, {}, jitter, metrics);
  acs::SessionOptions o;
  o.cluster = "default";
  o.container_instance_arn = "arn:aws:ecs:us-west-2:123456789012:container-instance/default/idle";
  o.agent_version = "bench";
  acs::Session session(
      o, discovery, factory, [&](const std::shared_ptr<acs::Connection>& cl) { responders.register_all(cl); },
      clock, jitter, [] {}, metrics);
  StopSource stop;
  asio::co_spawn(io, session.start(stop), asio::detached);
  io.run();
  return 0;
}
