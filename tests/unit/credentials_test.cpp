#include "aws/credentials_provider.h"
#include "platform/environment.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/log.h"
#include "support/env.h"
#include "support/fake_imds.h"
#include "support/run.h"
#include "support/temp_dir.h"

namespace ecs::aws {
namespace {

using namespace std::chrono_literals;

struct CleanEnv {
  test::ScopedEnv a{"AWS_ACCESS_KEY_ID", std::nullopt};
  test::ScopedEnv b{"AWS_SECRET_ACCESS_KEY", std::nullopt};
  test::ScopedEnv c{"AWS_SESSION_TOKEN", std::nullopt};
};

TEST(EnvironmentCredentials, ReadsTheThreeVariables) {
  CleanEnv clean;
  EnvironmentCredentialsProvider p(platform::process_environment());
  auto none = test::run(p.retrieve());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, CredentialsErrc::not_found);
  test::ScopedEnv a("AWS_ACCESS_KEY_ID", "AKIAENV");
  auto half = test::run(p.retrieve());
  ASSERT_FALSE(half);
  EXPECT_EQ(half.error().code, CredentialsErrc::malformed);
  EXPECT_NE(half.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  test::ScopedEnv b("AWS_SECRET_ACCESS_KEY", "env-secret");
  test::ScopedEnv c("AWS_SESSION_TOKEN", "env-token");
  auto ok = test::run(p.retrieve());
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->access_key_id, "AKIAENV");
  EXPECT_EQ(ok->secret_access_key, "env-secret");
  EXPECT_EQ(ok->session_token, "env-token");
  EXPECT_FALSE(ok->expiration);
}

TEST(RotatingFileCredentials, ReadsTheProfileAndExpiresAfterAMinute) {
  test::TempDir dir;
  std::ofstream(dir.file("credentials"))
      << "# written by the SSM agent\n[default]\naws_access_key_id = AKIAFILE\n"
         "aws_secret_access_key = file-secret\naws_session_token=file-token\n\n"
         "[other]\naws_access_key_id=AKIAOTHER\naws_secret_access_key=other-secret\n";
  ManualClock clock;
  SharedFileCredentialsProvider def(dir.file("credentials"), "default", clock);
  auto c = test::run(def.retrieve());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "AKIAFILE");
  EXPECT_EQ(c->session_token, "file-token");
  EXPECT_EQ(*c->expiration, clock.wall_now() + 1min);
  SharedFileCredentialsProvider other(dir.file("credentials"), "other", clock);
  EXPECT_EQ(test::run(other.retrieve())->access_key_id, "AKIAOTHER");
  SharedFileCredentialsProvider missing_profile(dir.file("credentials"), "nope", clock);
  EXPECT_EQ(test::run(missing_profile.retrieve()).error().code, CredentialsErrc::not_found);
  SharedFileCredentialsProvider missing_file(dir.file("absent"), "default", clock);
  EXPECT_EQ(test::run(missing_file.retrieve()).error().code, CredentialsErrc::not_found);
  std::ofstream(dir.file("bad")) << "[default]\naws_access_key_id=AKIAONLY\n";
  SharedFileCredentialsProvider bad(dir.file("bad"), "default", clock);
  EXPECT_EQ(test::run(bad.retrieve()).error().code, CredentialsErrc::malformed);
}

// A provider whose answers the test controls, counting calls; retrieve() can be held open.
class ScriptedProvider : public CredentialsProvider {
 public:
  explicit ScriptedProvider(Clock& clock) : clock_(clock) {}
  asio::awaitable<Result<Credentials>> retrieve() override {
    ++calls;
    if (hold) co_await clock_.sleep(1s);  // lets a second caller arrive meanwhile
    if (fail) co_return make_error(CredentialsErrc::unavailable, "scripted failure");
    Credentials c{"AKIA" + std::to_string(calls), "secret-" + std::to_string(calls), "", std::nullopt,
                  "scripted"};
    if (lifetime) c.expiration = clock_.wall_now() + *lifetime;
    co_return c;
  }
  std::string name() const override { return "scripted"; }
  int calls = 0;
  bool hold = false;
  bool fail = false;
  std::optional<std::chrono::seconds> lifetime = std::chrono::hours(1);

 private:
  Clock& clock_;
};

TEST(CachingCredentials, RefreshesAheadOfExpiryNotBefore) {
  ManualClock clock;
  auto inner = std::make_shared<ScriptedProvider>(clock);
  CachingCredentialsProvider cache(inner, clock);
  EXPECT_EQ(test::run(cache.retrieve())->access_key_id, "AKIA1");
  clock.advance(54min);
  EXPECT_EQ(test::run(cache.retrieve())->access_key_id, "AKIA1");
  EXPECT_EQ(inner->calls, 1);
  clock.advance(2min);  // inside the 5 minutes before expiry
  EXPECT_EQ(test::run(cache.retrieve())->access_key_id, "AKIA2");
  EXPECT_EQ(inner->calls, 2);
}

TEST(CachingCredentials, ConcurrentCallersShareOneRefresh) {
  ManualClock clock;
  auto inner = std::make_shared<ScriptedProvider>(clock);
  inner->hold = true;
  CachingCredentialsProvider cache(inner, clock);
  asio::io_context io;
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          auto c = co_await cache.retrieve();
          got.push_back(c ? c->access_key_id : c.error().message);
        },
        asio::detached);
  }
  io.run();
  EXPECT_EQ(inner->calls, 1);
  EXPECT_EQ(got, (std::vector<std::string>{"AKIA1", "AKIA1", "AKIA1"}));
}

TEST(CachingCredentials, FailedRefreshKeepsUnexpiredCredentials) {
  ManualClock clock;
  auto inner = std::make_shared<ScriptedProvider>(clock);
  CachingCredentialsProvider cache(inner, clock);
  ASSERT_TRUE(test::run(cache.retrieve()));
  clock.advance(57min);
  inner->fail = true;
  auto c = test::run(cache.retrieve());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIA1");
  clock.advance(4min);  // now expired: the failure surfaces
  EXPECT_FALSE(test::run(cache.retrieve()));
}

TEST(CredentialsChain, OrderIsEnvironmentThenRotatingFileThenImds) {
  CleanEnv clean;
  test::TempDir dir;
  test::ServerThread servers;
  test::FakeImds fake(servers);
  ManualClock clock;
  FixedJitter jitter(0);
  WorkerPool pool(1);
  HttpClient http{HttpClientOptions{}};
  ImdsOptions io;
  io.endpoint = fake.endpoint();
  ImdsClient imds(http, pool, io, clock, jitter);
  ChainCredentialsProvider chain(
      {std::make_shared<EnvironmentCredentialsProvider>(platform::process_environment()),
       std::make_shared<SharedFileCredentialsProvider>(dir.file("creds"), "default", clock),
       std::make_shared<ImdsCredentialsProvider>(imds)});
  EXPECT_EQ(test::run(chain.retrieve())->source, "EC2 instance metadata");
  std::ofstream(dir.file("creds")) << "[default]\naws_access_key_id=AKIAFILE\naws_secret_access_key=s\n";
  EXPECT_EQ(test::run(chain.retrieve())->access_key_id, "AKIAFILE");
  test::ScopedEnv a("AWS_ACCESS_KEY_ID", "AKIAENV");
  test::ScopedEnv b("AWS_SECRET_ACCESS_KEY", "s");
  EXPECT_EQ(test::run(chain.retrieve())->access_key_id, "AKIAENV");
}

TEST(CredentialsChain, NothingAnywhereIsOneErrorNamingEverySource) {
  CleanEnv clean;
  ManualClock clock;
  ChainCredentialsProvider chain(
      {std::make_shared<EnvironmentCredentialsProvider>(platform::process_environment()),
       std::make_shared<SharedFileCredentialsProvider>("/nonexistent/creds", "default", clock)});
  auto r = test::run(chain.retrieve());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, CredentialsErrc::no_provider);
  EXPECT_NE(r.error().message.find("environment"), std::string::npos);
  EXPECT_NE(r.error().message.find("/nonexistent/creds"), std::string::npos);
}

TEST(CredentialsSecrets, NeverReachALogLine) {
  CleanEnv clean;
  log::ScopedCapture capture(log::Level::debug);
  test::ServerThread servers;
  test::FakeImds fake(servers);
  ManualClock clock;
  FixedJitter jitter(0);
  WorkerPool pool(1);
  HttpClient http{HttpClientOptions{}};
  ImdsOptions io;
  io.endpoint = fake.endpoint();
  ImdsClient imds(http, pool, io, clock, jitter);
  auto inner = std::make_shared<ChainCredentialsProvider>(
      std::vector<std::shared_ptr<CredentialsProvider>>{std::make_shared<ImdsCredentialsProvider>(imds)});
  CachingCredentialsProvider cache(inner, clock);
  auto c = test::run(cache.retrieve());
  ASSERT_TRUE(c);
  const std::string logs = capture.sink().text();
  EXPECT_FALSE(logs.empty()) << "the refresh is logged";
  const auto b = fake.behaviour();
  EXPECT_EQ(logs.find(b.secret_access_key), std::string::npos) << logs;
  EXPECT_EQ(logs.find(b.token), std::string::npos) << logs;
  EXPECT_EQ(c->redacted().find(b.secret_access_key), std::string::npos);
}

}  // namespace
}  // namespace ecs::aws
