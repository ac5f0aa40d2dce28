// Runs the built ecs-agent binary itself, as a user or Docker would.
#include <gtest/gtest.h>

#include "support/process.h"
#include "support/tcp_responder.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"

#ifndef ECS_AGENT_BINARY
#error "ECS_AGENT_BINARY must name the built ecs-agent"
#endif

namespace ecs::test {
namespace {

TEST(AgentBinary, VersionExitsZeroAndDescribesTheBuild) {
  auto r = run_process({ECS_AGENT_BINARY, "--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Version: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Commit: "), std::string::npos);
  EXPECT_NE(r.out.find("Build: "), std::string::npos);
  EXPECT_NE(r.out.find("libcurl 7.88.1 (mbedTLS/2.28"), std::string::npos) << r.out;
}

TEST(AgentBinary, UnknownFlagExitsTwoWithAClearMessage) {
  auto r = run_process({ECS_AGENT_BINARY, "--no-such-flag"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown flag '--no-such-flag'"), std::string::npos) << r.err;
}

TEST(AgentBinary, CaBundleReportsEmbeddedAndAwsCaBundleCertificates) {
  TempDir dir;
  TestCa ca;
  auto plain = run_process({ECS_AGENT_BINARY, "ca-bundle"}, {{{"AWS_CA_BUNDLE", std::nullopt}}});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.out.find("embedded bundle: "), std::string::npos);
  EXPECT_NE(plain.out.find("AWS_CA_BUNDLE: not set"), std::string::npos);
  const std::string pem = ca.write_pem_file(dir.path());
  auto extra = run_process({ECS_AGENT_BINARY, "ca-bundle"}, {{{"AWS_CA_BUNDLE", pem}}});
  EXPECT_EQ(extra.exit_code, 0) << extra.err;
  EXPECT_NE(extra.out.find("AWS_CA_BUNDLE " + pem + ": 1 certificates"), std::string::npos) << extra.out;
  auto bad = run_process({ECS_AGENT_BINARY, "ca-bundle"}, {{{"AWS_CA_BUNDLE", dir.file("absent.pem")}}});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find(dir.file("absent.pem")), std::string::npos) << bad.err;
}

TEST(AgentBinary, HealthcheckFollowsTheIntrospectionServer) {
  TcpResponder server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  const std::string addr = "127.0.0.1:" + std::to_string(server.port());
  auto up = run_process({ECS_AGENT_BINARY, "--healthcheck"}, {{{"ECS_INTROSPECTION_ADDR", addr}}});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  auto down = run_process({ECS_AGENT_BINARY, "-healthcheck"}, {{{"ECS_INTROSPECTION_ADDR", "127.0.0.1:1"}}});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("healthcheck"), std::string::npos) << down.err;
}

}  // namespace
}  // namespace ecs::test
