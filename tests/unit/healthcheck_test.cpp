#include "app/healthcheck.h"
#include "platform/environment.h"

#include <gtest/gtest.h>

#include "support/env.h"
#include "support/tcp_responder.h"

namespace ecs::app {
namespace {

using namespace std::chrono_literals;

HealthcheckTarget target_for(std::uint16_t port, std::chrono::milliseconds timeout = 5s) {
  HealthcheckTarget t;
  t.address = {"127.0.0.1", port};
  t.timeout = timeout;
  return t;
}

TEST(Healthcheck, AnyHttpResponseIsHealthyAsInTheReference) {
  for (const char* reply :
       {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n",
        "HTTP/1.1 500 Internal Server Error\r\n\r\n"}) {
    test::TcpResponder server(reply);
    auto r = probe_introspection(target_for(server.port()));
    EXPECT_TRUE(r) << reply << ": " << r.error().message;
    EXPECT_EQ(server.connections(), 1);
  }
}

TEST(Healthcheck, NothingListeningIsUnhealthy) {
  std::uint16_t port;
  {
    test::TcpResponder server("x");  // take a free port, then close it
    port = server.port();
  }
  auto r = probe_introspection(target_for(port));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << r.error().message;
}

TEST(Healthcheck, ServerThatNeverAnswersIsUnhealthyAfterTheTimeout) {
  test::TcpResponder server("");
  const auto start = std::chrono::steady_clock::now();
  auto r = probe_introspection(target_for(server.port(), 200ms));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no answer within 200 ms"), std::string::npos) << r.error().message;
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
}

TEST(Healthcheck, GarbageInsteadOfHttpIsUnhealthy) {
  test::TcpResponder server("SSH-2.0-OpenSSH\r\n\r\n");
  EXPECT_FALSE(probe_introspection(target_for(server.port())));
}

TEST(Healthcheck, TargetFromEnvironment) {
  {
    test::ScopedEnv a("ECS_INTROSPECTION_ADDR", std::nullopt);
    test::ScopedEnv b("ECS_AGENT_HEALTHCHECK_HOST", std::nullopt);
    auto t = healthcheck_target_from_environment(platform::process_environment());
    ASSERT_TRUE(t);
    EXPECT_EQ(t->address.to_string(), "127.0.0.1:51678");
    EXPECT_EQ(t->timeout, 25s);
  }
  {
    test::ScopedEnv a("ECS_INTROSPECTION_ADDR", "0.0.0.0:6000");
    test::ScopedEnv b("ECS_AGENT_HEALTHCHECK_HOST", "localhost");
    auto t = healthcheck_target_from_environment(platform::process_environment());
    ASSERT_TRUE(t);
    EXPECT_EQ(t->address.to_string(), "localhost:6000");
  }
  {
    test::ScopedEnv a("ECS_INTROSPECTION_ADDR", "no-port");
    auto t = healthcheck_target_from_environment(platform::process_environment());
    ASSERT_FALSE(t);
    EXPECT_NE(t.error().message.find("ECS_INTROSPECTION_ADDR='no-port'"), std::string::npos);
  }
}

}  // namespace
}  // namespace ecs::app
