#include "core/address.h"

#include <gtest/gtest.h>

namespace ecs {
namespace {

TEST(ParseHostPort, AcceptsNameIpv4AndBracketedIpv6) {
  auto a = parse_host_port("127.0.0.1:51678", "X");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 51678);
  auto b = parse_host_port("localhost:1", "X");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "localhost");
  auto c = parse_host_port("[::1]:65535", "X");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 65535);
  EXPECT_EQ(c->to_string(), "[::1]:65535");
}

TEST(ParseHostPort, RejectsBadValuesNamingTheSetting) {
  for (const char* bad :
       {"", "127.0.0.1", ":80", "host:", "host:0", "host:65536", "host:8o", "::1:80", "[::1]80", "[::1"}) {
    auto r = parse_host_port(bad, "ECS_INTROSPECTION_ADDR");
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("ECS_INTROSPECTION_ADDR='" + std::string(bad) + "'"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(r.error().code, errc::invalid_argument);
  }
}

}  // namespace
}  // namespace ecs
