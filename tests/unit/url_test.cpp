#include "core/url.h"

#include <gtest/gtest.h>

#include "core/digest.h"

namespace ecs {
namespace {

TEST(Url, ParsesPartsAndDefaultsPorts) {
  auto u = parse_url("HTTPS://User:Pw@ECS.us-west-2.amazonaws.com/a/b?x=1&y=2#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->userinfo, "User:Pw");
  EXPECT_EQ(u->host, "ecs.us-west-2.amazonaws.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_FALSE(u->explicit_port);
  EXPECT_EQ(u->path, "/a/b");
  EXPECT_EQ(u->query, "x=1&y=2");
  EXPECT_EQ(u->authority(), "ecs.us-west-2.amazonaws.com");
  auto v = parse_url("http://[::1]:8080");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->host, "::1");
  EXPECT_EQ(v->port, 8080);
  EXPECT_EQ(v->path, "/");
  EXPECT_EQ(v->authority(), "[::1]:8080");
  EXPECT_EQ(parse_url("ws://h")->port, 80);
}

TEST(Url, RejectsMalformed) {
  for (const char* bad :
       {"", "no-scheme", "http://", "http://h:0", "http://h:99999", "http://h:x", "http://[::1"}) {
    auto r = parse_url(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_NE(r.error().message.find("invalid URL"), std::string::npos);
    }
  }
}

TEST(Url, PercentEncodingRules) {
  EXPECT_EQ(percent_encode("a b/c~"), "a%20b%2Fc~");
  EXPECT_EQ(percent_encode("a b/c", true), "a%20b/c");
  EXPECT_EQ(percent_encode("DockerVersion: 1.2.3", false, true), "DockerVersion%3A+1.2.3");
  EXPECT_EQ(percent_decode("a%20b+c%zz%4"), "a b+c%zz%4");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
}

TEST(Url, FormEncodeSortsKeysLikeGo) {
  EXPECT_EQ(form_encode({{"seqNum", "1"}, {"agentHash", "ff"}, {"clusterArn", "arn:aws:ecs:x"}}),
            "agentHash=ff&clusterArn=arn%3Aaws%3Aecs%3Ax&seqNum=1");
}

TEST(Digest, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(hmac_sha256("key", "The quick brown fox jumps over the lazy dog")),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  const std::string abc = "\xfb\xff";
  const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(abc.data()), abc.size());
  EXPECT_EQ(base64(bytes), "+/8=");
  EXPECT_EQ(base64url(bytes), "-_8=");
}

}  // namespace
}  // namespace ecs

namespace ecs {
namespace {

// Go's url.ParseQuery / Values.Get: form-decoded, in order, first value wins for Get.
TEST(FormDecode, PairsInOrderAndFirstValue) {
  const std::vector<std::pair<std::string, std::string>> expected{
      {"id", "a b"}, {"x", ""}, {"id", "second"}, {"k/v", "1+1=2"}};
  EXPECT_EQ(form_decode("id=a+b&x&&id=second&k%2Fv=1%2B1%3D2"), expected);
  EXPECT_EQ(query_value("x=1&id=a%20b&id=c", "id"), std::optional<std::string>("a b"));
  EXPECT_EQ(query_value("x=1", "id"), std::nullopt);
  EXPECT_EQ(query_value("id=", "id"), std::optional<std::string>(""));
  EXPECT_TRUE(form_decode("").empty());
}

}  // namespace
}  // namespace ecs
