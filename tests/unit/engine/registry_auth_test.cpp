// Static registry credentials (ECS_ENGINE_AUTH_TYPE/DATA): parsing, the lookup rule, the header.
#include "engine/registry_auth.h"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "core/digest.h"

namespace ecs::engine {
namespace {

std::string b64(std::string_view text) {
  return base64({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

// base64url (with or without padding) back to bytes.
std::optional<std::string> from_base64url(std::string text) {
  for (char& ch : text) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  while (text.size() % 4 != 0) text += '=';
  return base64_decode(text);
}

std::string user_for(const StaticRegistryAuth& auth, std::string_view image) {
  auto c = auth.lookup(image);
  return c ? c->username + "@" + c->server_address : "anonymous";
}

TEST(RegistryAuth, TheRegistryOfAnImage) {
  EXPECT_EQ(registry_key_of("busybox"), "index.docker.io/v1/");
  EXPECT_EQ(registry_key_of("library/busybox:1.36"), "index.docker.io/v1/");
  EXPECT_EQ(registry_key_of("docker.io/library/busybox"), "index.docker.io/v1/");
  EXPECT_EQ(registry_key_of("registry-1.docker.io/x/y"), "index.docker.io/v1/");
  EXPECT_EQ(registry_key_of("localhost/app"), "localhost");
  EXPECT_EQ(registry_key_of("127.0.0.1:5000/app:1"), "127.0.0.1:5000");
  EXPECT_EQ(registry_key_of("reg.example.com/team/app"), "reg.example.com");
}

TEST(RegistryAuth, DockerTypeMatchesTheExactHostKeySchemesStripped) {
  auto auth = StaticRegistryAuth::parse(
      "docker", R"({"https://reg.example.com":{"username":"u1","password":"p1","email":"e@x"},
                   "https://index.docker.io/v1/":{"username":"hub","password":"hp"}})");
  ASSERT_TRUE(auth) << auth.error().message;
  auto c = auth->lookup("reg.example.com/team/app:2");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "u1");
  EXPECT_EQ(c->password, "p1");
  EXPECT_EQ(c->email, "e@x");
  EXPECT_EQ(c->server_address, "reg.example.com");
  EXPECT_EQ(user_for(*auth, "busybox"), "hub@index.docker.io/v1/");
  EXPECT_EQ(user_for(*auth, "docker.io/library/busybox"), "hub@index.docker.io/v1/");
  EXPECT_EQ(user_for(*auth, "other.example.com/app"), "anonymous");
}

TEST(RegistryAuth, TheLongestKeyThatPrefixesTheImageWins) {
  auto auth = StaticRegistryAuth::parse("docker", R"({
      "reg.tld":{"username":"host"},
      "reg.tld/alice":{"username":"alice"},
      "reg.tld/alice/private":{"username":"alice-private"},
      "other.tld/alice":{"username":"elsewhere"}})");
  ASSERT_TRUE(auth) << auth.error().message;
  EXPECT_EQ(user_for(*auth, "reg.tld/alice/app"), "alice@reg.tld/alice");
  EXPECT_EQ(user_for(*auth, "reg.tld/alice/private/app"), "alice-private@reg.tld/alice/private");
  EXPECT_EQ(user_for(*auth, "reg.tld/bob/app"), "host@reg.tld");
  // The host must match: another registry's path key never applies.
  EXPECT_EQ(user_for(*auth, "reg.tld/app"), "host@reg.tld");
}

TEST(RegistryAuth, AKeyThatIsNotAPrefixOfTheImageNeverApplies) {
  // The reference takes whichever key on the host comes first in Go's map order when there is no
  // exact host key; here "reg.tld/alice" is not bob's.
  auto auth = StaticRegistryAuth::parse("docker", R"({"reg.tld/alice":{"username":"alice"}})");
  ASSERT_TRUE(auth);
  EXPECT_EQ(user_for(*auth, "reg.tld/bob/app"), "anonymous");
  EXPECT_EQ(user_for(*auth, "reg.tld/alice/app"), "alice@reg.tld/alice");
}

TEST(RegistryAuth, DockercfgTypeDecodesUserAndPassword) {
  const std::string token = b64("user:pa:ss");
  auto auth =
      StaticRegistryAuth::parse("dockercfg", R"({"reg.tld":{"auth":")" + token + R"(","email":"e"}})");
  ASSERT_TRUE(auth) << auth.error().message;
  auto c = auth->lookup("reg.tld/app");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "user");
  EXPECT_EQ(c->password, "pa:ss");
  EXPECT_EQ(c->email, "e");
}

TEST(RegistryAuth, BadDataIsAnErrorThatNamesTheKeyButNotTheSecret) {
  EXPECT_TRUE(StaticRegistryAuth::parse("", "")->empty());
  EXPECT_TRUE(StaticRegistryAuth::parse("docker", "")->empty());
  for (const auto& [type, data, expected] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"docker", "{\"reg.tld\":{\"password\":\"hunter2\"", "ECS_ENGINE_AUTH_DATA: not JSON"},
           {"docker", "[\"hunter2\"]", "not a JSON object"},
           {"docker", "{\"reg.tld\":\"hunter2\"}", "\"reg.tld\" is not an object"},
           {"dockercfg", "{\"reg.tld\":{\"auth\":\"hunter2!\"}}", "the auth of \"reg.tld\""},
           {"dockercfg", "{\"reg.tld\":{\"auth\":\"aHVudGVyMg==\"}}", "the auth of \"reg.tld\""},
           {"", "{\"reg.tld\":{\"password\":\"hunter2\"}}", "ECS_ENGINE_AUTH_TYPE"},
           {"ecr", "{\"reg.tld\":{\"password\":\"hunter2\"}}", "ECS_ENGINE_AUTH_TYPE: \"ecr\""},
       }) {
    auto auth = StaticRegistryAuth::parse(type, data);
    ASSERT_FALSE(auth) << data;
    EXPECT_NE(auth.error().message.find(expected), std::string::npos) << auth.error().message;
    EXPECT_EQ(auth.error().message.find("hunter2"), std::string::npos) << auth.error().message;
  }
}

TEST(RegistryAuth, TheHeaderIsBase64UrlOfDockersAuthConfig) {
  RegistryCredentials c{"u", "p", "e", "reg.tld"};
  auto decoded = from_base64url(x_registry_auth(c));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, R"({"username":"u","password":"p","email":"e","serveraddress":"reg.tld"})");
}

}  // namespace
}  // namespace ecs::engine
