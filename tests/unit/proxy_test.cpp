#include "aws/proxy.h"

#include <gtest/gtest.h>

namespace ecs::aws {
namespace {

Url url(const std::string& s) { return *parse_url(s); }

TEST(ProxyConfig, SchemeSelectsTheVariable) {
  auto c = ProxyConfig::from_values("http://secure-proxy:3128", "plain-proxy:8080", "");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->proxy_for(url("https://ecs.us-west-2.amazonaws.com"))->to_string(),
            "http://secure-proxy:3128/");
  EXPECT_EQ(c->proxy_for(url("wss://ecs-a-1.us-west-2.amazonaws.com/ws"))->authority(), "secure-proxy:3128");
  EXPECT_EQ(c->proxy_for(url("http://example.com"))->authority(), "plain-proxy:8080");
  EXPECT_EQ(c->proxy_for(url("ws://example.com"))->authority(), "plain-proxy:8080");
}

TEST(ProxyConfig, MetadataCredentialsEndpointAndLoopbackAreAlwaysDirect) {
  auto c = ProxyConfig::from_values("http://p:1", "http://p:1", "");
  ASSERT_TRUE(c);
  for (const char* u : {"http://169.254.169.254/latest/api/token", "http://169.254.170.2/v2/credentials/x",
                        "https://localhost:8443", "https://127.0.0.1:9", "http://[::1]:80"}) {
    EXPECT_FALSE(c->proxy_for(url(u))) << u;
  }
}

TEST(ProxyConfig, NoProxyHostsDomainsCidrsPortsAndStar) {
  auto c = ProxyConfig::from_values("http://p:1", "", " internal.example , .corp.example,10.0.0.0/8,db:5432");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->proxy_for(url("https://internal.example")));
  EXPECT_FALSE(c->proxy_for(url("https://api.internal.example")));
  EXPECT_FALSE(c->proxy_for(url("https://x.corp.example")));
  EXPECT_TRUE(c->proxy_for(url("https://corp.example")));  // ".corp.example" is subdomains only
  EXPECT_FALSE(c->proxy_for(url("https://10.1.2.3")));
  EXPECT_TRUE(c->proxy_for(url("https://11.1.2.3")));
  EXPECT_FALSE(c->proxy_for(url("https://db:5432")));
  EXPECT_TRUE(c->proxy_for(url("https://db:5433")));
  EXPECT_TRUE(c->proxy_for(url("https://ecs.us-east-1.amazonaws.com")));
  auto all = ProxyConfig::from_values("http://p:1", "", "*");
  EXPECT_FALSE(all->proxy_for(url("https://anything.example")));
}

TEST(ProxyConfig, InvalidProxyValuesAreErrorsNamingTheVariable) {
  auto bad = ProxyConfig::from_values("socks5://p:1080", "", "");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("HTTPS_PROXY"), std::string::npos) << bad.error().message;
  auto port = ProxyConfig::from_values("", "http://p:notaport", "");
  ASSERT_FALSE(port);
  EXPECT_NE(port.error().message.find("HTTP_PROXY"), std::string::npos) << port.error().message;
}

}  // namespace
}  // namespace ecs::aws
