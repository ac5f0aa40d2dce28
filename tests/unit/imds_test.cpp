#include "aws/imds_client.h"
#include "platform/environment.h"

#include <gtest/gtest.h>

#include "aws/credentials_provider.h"
#include "support/env.h"
#include "support/fake_imds.h"
#include "support/run.h"

namespace ecs::aws {
namespace {

class ImdsTest : public ::testing::Test {
 protected:
  ImdsOptions options() {
    ImdsOptions o;
    o.endpoint = imds_.endpoint();
    o.attempts = 2;
    return o;
  }
  Result<Credentials> credentials(ImdsOptions o) {
    ImdsClient imds(http_, pool_, o, clock_, jitter_);
    ImdsCredentialsProvider provider(imds);
    return test::run(provider.retrieve());
  }
  test::ServerThread servers_;
  test::FakeImds imds_{servers_};
  HttpClient http_{HttpClientOptions{}};
  WorkerPool pool_{1};
  ManualClock clock_;
  FixedJitter jitter_{0.5};
};

TEST_F(ImdsTest, V2TokenThenRoleThenCredentials) {
  auto c = credentials(options());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAIMDSEXAMPLE");
  EXPECT_EQ(c->secret_access_key, "imds-secret-value-never-logged");
  EXPECT_EQ(c->session_token, "imds-session-token-never-logged");
  ASSERT_TRUE(c->expiration);
  EXPECT_EQ(*c->expiration, *parse_rfc3339("2099-01-01T00:00:00Z"));
  const auto seen = imds_.seen();
  EXPECT_EQ(seen.token_puts, 1);           // the token is reused for both GETs
  EXPECT_EQ(seen.last_ttl_header, "300");  // the SDK default TTL: 5 min
  EXPECT_EQ(seen.gets, 2);
  EXPECT_EQ(seen.gets_with_token, 2);
  EXPECT_EQ(seen.paths.back(), "/latest/meta-data/iam/security-credentials/ecs-instance-role");
}

TEST_F(ImdsTest, FallsBackToV1When403Or404Or405) {
  for (unsigned status : {403u, 404u, 405u}) {
    test::FakeImds::Behaviour b;
    b.token_status = status;
    imds_.set(b);
    const int before = imds_.seen().gets_with_token;
    auto c = credentials(options());
    ASSERT_TRUE(c) << status << ": " << c.error().message;
    EXPECT_EQ(imds_.seen().gets_with_token, before) << "IMDSv1 GETs carry no token";
  }
}

TEST_F(ImdsTest, TokenAnswered400IsTerminal) {
  test::FakeImds::Behaviour b;
  b.token_status = 400;
  imds_.set(b);
  auto c = credentials(options());
  ASSERT_FALSE(c);
  EXPECT_EQ(imds_.seen().gets, 0);
}

TEST_F(ImdsTest, Unauthorized401FetchesANewTokenOnce) {
  test::FakeImds::Behaviour b;
  b.reject_next_token = true;
  imds_.set(b);
  auto c = credentials(options());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(imds_.seen().token_puts, 2);
}

TEST_F(ImdsTest, DisabledMakesNoRequest) {
  ImdsOptions o = options();
  o.disabled = true;
  ImdsClient imds(http_, pool_, o, clock_, jitter_);
  auto r = test::run(imds.get("/latest/meta-data/instance-id"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ImdsErrc::disabled);
  ImdsCredentialsProvider provider(imds);
  auto c = test::run(provider.retrieve());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, CredentialsErrc::not_found);
  EXPECT_EQ(imds_.seen().token_puts + imds_.seen().gets, 0);
}

TEST_F(ImdsTest, EnvironmentSelectsEndpointAndDisables) {
  {
    test::ScopedEnv e("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds_.endpoint() + "/");
    test::ScopedEnv d("AWS_EC2_METADATA_DISABLED", std::nullopt);
    auto o = ImdsOptions::from_environment(platform::process_environment());
    ASSERT_TRUE(o);
    EXPECT_EQ(o->endpoint, imds_.endpoint());
    EXPECT_FALSE(o->disabled);
  }
  {
    test::ScopedEnv d("AWS_EC2_METADATA_DISABLED", "true");
    EXPECT_TRUE(ImdsOptions::from_environment(platform::process_environment())->disabled);
  }
  {
    test::ScopedEnv e("AWS_EC2_METADATA_SERVICE_ENDPOINT", "not a url");
    auto o = ImdsOptions::from_environment(platform::process_environment());
    ASSERT_FALSE(o);
    EXPECT_NE(o.error().message.find("AWS_EC2_METADATA_SERVICE_ENDPOINT"), std::string::npos);
  }
}

TEST_F(ImdsTest, UnreachableServiceIsUnavailableAfterBoundedAttempts) {
  ImdsOptions o = options();
  o.endpoint = "http://127.0.0.1:1";
  o.attempts = 3;
  ImdsClient imds(http_, pool_, o, clock_, jitter_);
  auto r = test::run(imds.get("/latest/meta-data/instance-id"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ImdsErrc::unavailable) << r.error().message;
  // 3 attempts for the token (then IMDSv1), 3 for the GET: 2 backoff sleeps each.
  EXPECT_EQ(clock_.sleeps().size(), 4u);
}

TEST(ImdsCredentialsDocument, MalformedDocumentsAreTypedErrors) {
  EXPECT_EQ(parse_imds_credentials("not json").error().code, CredentialsErrc::malformed);
  EXPECT_EQ(parse_imds_credentials("[]").error().code, CredentialsErrc::malformed);
  EXPECT_EQ(parse_imds_credentials(R"({"Code":"Success","AccessKeyId":"A"})").error().code,
            CredentialsErrc::malformed);
  EXPECT_EQ(parse_imds_credentials(R"({"Code":"AssumeRoleUnauthorizedAccess"})").error().code,
            CredentialsErrc::unavailable);
  EXPECT_EQ(
      parse_imds_credentials(R"({"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"soon"})").error().code,
      CredentialsErrc::malformed);
  EXPECT_TRUE(parse_imds_credentials(
      R"({"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"2030-01-01T00:00:00.5Z"})"));
  // Found by the fuzzer: a year past 2262 overflowed the clock (undefined behaviour).
  EXPECT_EQ(parse_imds_credentials(
                R"({"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"4058-01-01T00:00:00Z"})")
                .error()
                .code,
            CredentialsErrc::malformed);
  EXPECT_FALSE(parse_rfc3339("1969-12-31T23:59:59Z"));
  EXPECT_FALSE(parse_rfc3339("9999-12-31T23:59:59Z"));
}

}  // namespace
}  // namespace ecs::aws
