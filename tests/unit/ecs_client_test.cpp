// The ECS API client against a fake ECS API over TLS that verifies SigV4.
#include "aws/ecs_client.h"
#include "platform/environment.h"

#include <gtest/gtest.h>

#include "core/log.h"
#include "support/env.h"
#include "support/fake_ecs_api.h"
#include "support/run.h"
#include "support/temp_dir.h"

namespace ecs::aws {
namespace {

using namespace std::chrono_literals;
using Reply = test::FakeEcsApi::Reply;

constexpr const char* kArn = "arn:aws:ecs:us-west-2:123456789012:container-instance/default/abc";

RegisterRequest register_request(const std::string& cluster) {
  RegisterRequest r;
  r.cluster = cluster;
  return r;
}

TaskStateChange task_change(const std::string& cluster, const std::string& task, const std::string& status) {
  TaskStateChange c;
  c.cluster = cluster;
  c.task_arn = task;
  c.status = status;
  return c;
}

class EcsClientTest : public ::testing::Test {
 protected:
  EcsClientTest() {
    tls::TrustStoreOptions trust;
    trust.use_embedded = false;
    trust.extra_bundle_path = ca_.write_pem_file(dir_.path());
    HttpClientOptions o;
    o.trust = *tls::TrustStore::load(trust);
    http_ = std::make_unique<HttpClient>(o);
    options_.region = "us-west-2";
    options_.endpoint = api_.endpoint();
    options_.attempt_timeout = 5s;
  }
  EcsClient client() {
    return EcsClient(*http_, pool_,
                     std::make_shared<StaticCredentialsProvider>(test::FakeEcsApi::credentials()), options_,
                     clock_, jitter_);
  }

  test::TestCa ca_;
  test::TempDir dir_;
  test::ServerThread servers_;
  test::FakeEcsApi api_{servers_, ca_.issue()};
  std::unique_ptr<HttpClient> http_;
  WorkerPool pool_{2};
  ManualClock clock_;
  FixedJitter jitter_{0};
  EcsClientOptions options_;
};

TEST_F(EcsClientTest, DiscoverPollEndpointRequestIsSignedAwsJson) {
  auto c = client();
  auto r = test::run(c.discover_poll_endpoint("default", kArn));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "https://acs.fake.test/");
  const auto calls = api_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].operation, "DiscoverPollEndpoint");
  EXPECT_TRUE(calls[0].signature_ok) << calls[0].signature_error;
  EXPECT_EQ(calls[0].body,
            std::string(R"({"cluster":"default","containerInstance":")") + kArn + R"(","zoneId":""})");
  EXPECT_NE(calls[0].authorization.find("/us-west-2/ecs/aws4_request"), std::string::npos);
  EXPECT_NE(calls[0].authorization.find("x-amz-security-token"), std::string::npos);
}

TEST_F(EcsClientTest, DiscoverPollEndpointCacheHitAndMissAfter12Hours) {
  auto c = client();
  ASSERT_TRUE(test::run(c.discover_poll_endpoint("default", kArn)));
  clock_.advance(11h + 59min);
  ASSERT_TRUE(test::run(c.discover_poll_endpoint("default", kArn)));
  EXPECT_EQ(api_.count("DiscoverPollEndpoint"), 1);  // hit
  ASSERT_TRUE(test::run(c.discover_poll_endpoint("default", "arn:other")));
  EXPECT_EQ(api_.count("DiscoverPollEndpoint"), 2);  // keyed by instance ARN
  clock_.advance(2min);
  api_.script("DiscoverPollEndpoint", {200, R"({"endpoint":"https://acs-2.fake.test"})"});
  EXPECT_EQ(*test::run(c.discover_poll_endpoint("default", kArn)), "https://acs-2.fake.test");  // miss
  EXPECT_EQ(api_.count("DiscoverPollEndpoint"), 3);
}

TEST_F(EcsClientTest, ExpiredEntryIsUsedWhenTheCallFails) {
  auto c = client();
  ASSERT_TRUE(test::run(c.discover_poll_endpoint("default", kArn)));
  clock_.advance(13h);
  api_.set_default("DiscoverPollEndpoint", {500, R"({"__type":"ServerException","message":"down"})"});
  auto r = test::run(c.discover_poll_endpoint("default", kArn));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "https://acs.fake.test/");
  EXPECT_EQ(api_.count("DiscoverPollEndpoint"), 1 + 3);  // the failing call was retried 3 times
}

TEST_F(EcsClientTest, ConcurrentCallersMakeOneCall) {
  auto c = client();
  api_.script("DiscoverPollEndpoint", {200,
                                       R"({"endpoint":"https://acs.fake.test/"})",
                                       {{"Content-Type", "application/x-amz-json-1.1"}},
                                       300ms});
  asio::io_context io;
  std::vector<std::string> got;
  for (int i = 0; i < 2; ++i) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          auto r = co_await c.discover_poll_endpoint("default", kArn);
          got.push_back(r ? *r : r.error().message);
        },
        asio::detached);
  }
  io.run();
  EXPECT_EQ(got, (std::vector<std::string>{"https://acs.fake.test/", "https://acs.fake.test/"}));
  EXPECT_EQ(api_.count("DiscoverPollEndpoint"), 1);
}

TEST_F(EcsClientTest, EmptyOrMissingEndpointIsAnError) {
  auto c = client();
  for (const char* body : {R"({"endpoint":""})", R"({"endpoint":null})", R"({"telemetryEndpoint":"x"})"}) {
    api_.script("DiscoverPollEndpoint", {200, body});
    auto r = test::run(c.discover_poll_endpoint("default", std::string("arn:") + body));
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, EcsErrc::empty_endpoint) << r.error().message;
  }
}

TEST_F(EcsClientTest, ApiErrorsAreTypedFromHeaderOrBody) {
  auto c = client();
  api_.script("RegisterContainerInstance",
              {400,
               R"({"message":"Cluster not found."})",
               {{"X-Amzn-ErrorType", "ClientException:http://internal.amazon.com/coral/"},
                {"Content-Type", "application/x-amz-json-1.1"}}});
  auto r1 = test::run(c.register_container_instance(register_request("missing")));
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().code, EcsErrc::client_exception);
  EXPECT_EQ(r1.error().message, "RegisterContainerInstance: ClientException: Cluster not found.");
  EXPECT_EQ(api_.count("RegisterContainerInstance"), 1);  // not retried

  api_.script("RegisterContainerInstance",
              {400, R"({"__type":"com.amazonaws.ecs.v20141113#InvalidParameterException","Message":"bad"})"});
  auto r2 = test::run(c.register_container_instance(register_request("x")));
  EXPECT_EQ(r2.error().code, EcsErrc::invalid_parameter);
  EXPECT_EQ(r2.error().message, "RegisterContainerInstance: InvalidParameterException: bad");
}

TEST_F(EcsClientTest, ThrottlingAndServerErrorsAreRetriedWithBackoff) {
  auto c = client();
  api_.script("SubmitTaskStateChange", {400, R"({"__type":"ThrottlingException","message":"slow down"})"});
  api_.script("SubmitTaskStateChange", {503, "<html>busy</html>", {{"Content-Type", "text/html"}}});
  auto r = test::run(c.submit_task_state_change(task_change("default", "t", "RUNNING")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(api_.count("SubmitTaskStateChange"), 3);
  EXPECT_EQ(clock_.sleeps(), (std::vector<Clock::duration>{500ms, 1000ms}));
}

TEST_F(EcsClientTest, MalformedTruncatedAndWrongTypeResponsesAreTypedErrors) {
  auto c = client();
  api_.script("RegisterContainerInstance", {200, R"({"containerInstance":{"containerInstanceArn":)"});
  EXPECT_EQ(test::run(c.register_container_instance(register_request("x"))).error().code,
            EcsErrc::malformed_response);
  api_.script("RegisterContainerInstance", {200, R"({"containerInstance":{}})"});
  EXPECT_EQ(test::run(c.register_container_instance(register_request("x"))).error().code,
            EcsErrc::malformed_response);
  api_.script("RegisterContainerInstance",
              {200, "<html>captive portal</html>", {{"Content-Type", "text/html"}}});
  auto wrong = test::run(c.register_container_instance(register_request("x")));
  EXPECT_EQ(wrong.error().code, EcsErrc::malformed_response);
  EXPECT_NE(wrong.error().message.find("text/html"), std::string::npos);
}

TEST_F(EcsClientTest, StalledServerIsBoundedByTheAttemptTimeout) {
  options_.attempt_timeout = 200ms;
  options_.max_attempts = 2;
  auto c = client();
  api_.set_default("DiscoverPollEndpoint", {200, R"({"endpoint":"https://x"})", {}, 2s});
  const auto start = std::chrono::steady_clock::now();
  auto r = test::run(c.discover_poll_endpoint("default", kArn));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::timeout) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(EcsClientTest, RegisterAndSubmitBodies) {
  auto c = client();
  RegisterRequest req;
  req.cluster = "default";
  req.total_resources = {{"CPU", "INTEGER", 2048, {}}, {"PORTS", "STRINGSET", 0, {"22", "51678"}}};
  req.version_info = {"1.105.1", "abcdef12", "DockerVersion: 20.10.24"};
  req.attributes = {{"ecs.capability.execute-command", ""}};
  auto arn = test::run(c.register_container_instance(req));
  ASSERT_TRUE(arn) << arn.error().message;
  EXPECT_EQ(*arn, "arn:aws:ecs:us-west-2:123456789012:container-instance/default/fake");
  EXPECT_EQ(
      api_.calls().back().body,
      R"({"cluster":"default","totalResources":[{"name":"CPU","type":"INTEGER","integerValue":2048},)"
      R"({"name":"PORTS","type":"STRINGSET","stringSetValue":["22","51678"]}],"versionInfo":{"agentVersion":)"
      R"("1.105.1","agentHash":"abcdef12","dockerVersion":"DockerVersion: 20.10.24"},"attributes":)"
      R"([{"name":"ecs.capability.execute-command"}]})");

  TaskStateChange change = task_change("default", "arn:task", "RUNNING");
  change.managed_agents = {{"c1", "ExecuteCommandAgent", "STOPPED", std::string(2000, 'r')}};
  ASSERT_TRUE(test::run(c.submit_task_state_change(change)));
  const std::string body = api_.calls().back().body;
  EXPECT_NE(body.find(R"("managedAgentName":"ExecuteCommandAgent","status":"STOPPED","reason":")" +
                      std::string(1024, 'r') + "\""),
            std::string::npos);
}

TEST_F(EcsClientTest, SecretsNeverReachTheLog) {
  log::ScopedCapture capture(log::Level::debug);
  auto c = client();
  api_.script("DiscoverPollEndpoint", {500, R"({"__type":"ServerException"})"});
  ASSERT_TRUE(test::run(c.discover_poll_endpoint("default", kArn)));
  const std::string logs = capture.sink().text();
  EXPECT_NE(logs.find("retrying"), std::string::npos);
  EXPECT_EQ(logs.find(test::FakeEcsApi::kSecret), std::string::npos) << logs;
  EXPECT_EQ(logs.find("fake-ecs-session-token"), std::string::npos) << logs;
}

TEST(EcsClientTls, AcceptsCaFromAwsCaBundleAndRefusesANameMismatch) {
  test::TestCa ca;
  test::TempDir dir;
  test::ServerThread servers;
  test::CertificateSpec wrong;
  wrong.dns_names = {"not-localhost.example"};
  test::FakeEcsApi good(servers, ca.issue());
  test::FakeEcsApi mismatched(servers, ca.issue(wrong));
  test::ScopedEnv bundle("AWS_CA_BUNDLE", ca.write_pem_file(dir.path()));
  HttpClientOptions http_options;
  http_options.trust =
      *tls::TrustStore::load(tls::TrustStoreOptions::from_environment(platform::process_environment()));
  HttpClient http(http_options);
  WorkerPool pool(1);
  ManualClock clock;
  FixedJitter jitter(0);
  auto creds = std::make_shared<StaticCredentialsProvider>(test::FakeEcsApi::credentials());
  EcsClientOptions options;
  options.region = "us-west-2";
  options.endpoint = good.endpoint();
  EcsClient accepted(http, pool, creds, options, clock, jitter);
  auto ok = test::run(accepted.discover_poll_endpoint("default", kArn));
  EXPECT_TRUE(ok) << ok.error().message;
  options.endpoint = mismatched.endpoint();
  EcsClient refused(http, pool, creds, options, clock, jitter);
  auto bad = test::run(refused.discover_poll_endpoint("default", kArn));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, HttpErrc::tls_verification_failed) << bad.error().message;
  EXPECT_EQ(mismatched.calls().size(), 0u);
  EXPECT_EQ(refused.api_calls("DiscoverPollEndpoint"), 1) << "a verification failure is not retried";
}

TEST(EcsEndpoint, BackendHostOrRegion) {
  EXPECT_EQ(*EcsClientOptions::resolve_endpoint("us-west-2", ""), "https://ecs.us-west-2.amazonaws.com");
  EXPECT_EQ(*EcsClientOptions::resolve_endpoint("cn-north-1", ""), "https://ecs.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(*EcsClientOptions::resolve_endpoint("us-west-2", "ecs.local:8443"), "https://ecs.local:8443");
  EXPECT_EQ(*EcsClientOptions::resolve_endpoint("", "http://127.0.0.1:9"), "http://127.0.0.1:9");
  EXPECT_FALSE(EcsClientOptions::resolve_endpoint("", ""));
  auto bad = EcsClientOptions::resolve_endpoint("r", "ftp://x");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("ECS_BACKEND_HOST"), std::string::npos);
}

}  // namespace
}  // namespace ecs::aws
