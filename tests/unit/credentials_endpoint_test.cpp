// The task credentials endpoint (operations.md §10): routes, bodies, error codes, rate limit, and
// an audit line per request without any secret.
#include "server/credentials_endpoint.h"

#include <gtest/gtest.h>

#include "core/log.h"
#include "support/acs_doubles.h"

namespace ecs::server {
namespace {

using namespace std::chrono_literals;

credentials::TaskCredentials sample() {
  credentials::TaskCredentials c;
  c.task_arn = "arn:aws:ecs:us-west-2:123456789012:task/default/t1";
  c.role_type = "TaskApplication";
  c.credentials_id = "cred-1";
  c.role_arn = "arn:aws:iam::123456789012:role/app";
  c.access_key_id = "ASIAEXAMPLEKEYID";
  c.secret_access_key = "very-secret-access-key";
  c.session_token = "very-secret-session-token";
  c.expiration = "2026-11-23T12:00:00Z";
  return c;
}

class CredentialsEndpointTest : public ::testing::Test {
 protected:
  CredentialsEndpointTest() { (void)store.set_task_credentials(sample()); }
  Response get(const std::string& target) {
    Request r{http::verb::get, target, 11};
    return endpoint.answer(r, Peer{"127.0.0.1:40000"});
  }

  credentials::InMemoryCredentialsStore store;
  ManualClock clock;
  CredentialsEndpoint endpoint{store, [](const std::string& id) { return id == "saved-id"; }, clock};
};

TEST_F(CredentialsEndpointTest, BothRoutesAnswerWithTheReferenceBody) {
  const std::string expected =
      R"({"RoleArn":"arn:aws:iam::123456789012:role/app","AccessKeyId":"ASIAEXAMPLEKEYID",)"
      R"("SecretAccessKey":"very-secret-access-key","Token":"very-secret-session-token",)"
      R"("Expiration":"2026-11-23T12:00:00Z"})";
  for (const char* target :
       {"/v1/credentials?id=cred-1", "/v2/credentials/cred-1", "/v1/credentials?x=1&id=cred-1"}) {
    const Response r = get(target);
    EXPECT_EQ(r.result(), http::status::ok) << target;
    EXPECT_EQ(r[http::field::content_type], "application/json");
    EXPECT_EQ(r.body(), expected) << target;
  }
}

TEST_F(CredentialsEndpointTest, ErrorsHaveTheReferenceCodesAndTexts) {
  struct Case {
    const char* target;
    http::status status;
    const char* body;
  };
  const Case cases[] = {
      {"/v1/credentials", http::status::bad_request,
       R"({"code":"NoIdInRequest","message":"CredentialsV1Request: No Credential ID in the request","HTTPErrorCode":400})"},
      {"/v2/credentials/", http::status::bad_request,
       R"({"code":"NoIdInRequest","message":"CredentialsV2Request: No Credential ID in the request","HTTPErrorCode":400})"},
      {"/v1/credentials?id=unknown", http::status::bad_request,
       R"({"code":"InvalidIdInRequest","message":"CredentialsV1Request: Credentials not found","HTTPErrorCode":400})"},
      {"/v2/credentials/unknown", http::status::bad_request,
       R"({"code":"InvalidIdInRequest","message":"CredentialsV2Request: Credentials not found","HTTPErrorCode":400})"},
      {"/v2/credentials/saved-id", http::status::service_unavailable,
       R"({"code":"CredentialsUninitialized","message":"CredentialsV2Request: Credentials uninitialized for ID","HTTPErrorCode":503})"},
  };
  for (const auto& c : cases) {
    const Response r = get(c.target);
    EXPECT_EQ(r.result(), c.status) << c.target;
    EXPECT_EQ(r.body(), c.body) << c.target;
  }
  EXPECT_EQ(get("/v3/credentials/cred-1").result(), http::status::not_found);
}

TEST_F(CredentialsEndpointTest, RateLimitedAtFortyPerSecondWithBurstsOfSixty) {
  int ok = 0;
  for (int i = 0; i < 100; ++i) ok += get("/v2/credentials/cred-1").result() == http::status::ok ? 1 : 0;
  EXPECT_EQ(ok, 60);
  const Response limited = get("/v2/credentials/cred-1");
  EXPECT_EQ(limited.result(), http::status::too_many_requests);
  clock.advance(500ms);  // 20 more tokens
  ok = 0;
  for (int i = 0; i < 30; ++i) ok += get("/v2/credentials/cred-1").result() == http::status::ok ? 1 : 0;
  EXPECT_EQ(ok, 20);
}

TEST_F(CredentialsEndpointTest, EveryRequestIsAuditedWithoutSecrets) {
  log::ScopedCapture capture(log::Level::info);
  (void)get("/v2/credentials/cred-1");
  (void)get("/v2/credentials/unknown");
  const std::string logs = capture.sink().text();
  EXPECT_NE(logs.find("status=200"), std::string::npos) << logs;
  EXPECT_NE(logs.find("status=400"), std::string::npos) << logs;
  EXPECT_NE(logs.find("GetCredentials TaskApplication"), std::string::npos) << logs;
  EXPECT_NE(logs.find("task=arn:aws:ecs:us-west-2:123456789012:task/default/t1"), std::string::npos) << logs;
  EXPECT_NE(logs.find("127.0.0.1:40000"), std::string::npos) << logs;
  for (const char* secret : {"very-secret-access-key", "very-secret-session-token", "ASIAEXAMPLEKEYID"}) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << secret;
  }
}

}  // namespace
}  // namespace ecs::server
