// The whole ACS session end to end: real ECS API client (DiscoverPollEndpoint over TLS), real
// TLS websocket client, the session, every responder with in-memory collaborators, against the
// fake ECS API and the fake ACS.
#include <gtest/gtest.h>

#include "acs/ecs_discovery.h"
#include "acs/responders/responder_set.h"
#include "acs/session.h"
#include "acs/websocket_connection.h"
#include "aws/sigv4.h"
#include "core/log.h"
#include "support/acs_doubles.h"
#include "support/fake_acs.h"
#include "support/fake_ecs_api.h"
#include "support/in_memory_agent.h"
#include "support/run.h"
#include "support/temp_dir.h"
#include "wsclient/connection.h"
#include "wsclient/dial.h"

namespace ecs::acs {
namespace {

using namespace std::chrono_literals;
using test::frame_is;

constexpr const char* kCluster = "arn:aws:ecs:us-west-2:123456789012:cluster/default";
constexpr const char* kInstance = "arn:aws:ecs:us-west-2:123456789012:container-instance/default/abc";

// Counts live clients, to show connections do not leak.
class CountingFactory : public ConnectionFactory {
 public:
  explicit CountingFactory(ConnectionFactory& inner) : inner_(inner) {}
  std::shared_ptr<Connection> make(const Url& url) override {
    auto c = inner_.make(url);
    made.push_back(c);
    return c;
  }
  int alive() const {
    int n = 0;
    for (const auto& w : made) n += !w.expired();
    return n;
  }
  std::vector<std::weak_ptr<Connection>> made;

 private:
  ConnectionFactory& inner_;
};

class AcsSessionE2E : public ::testing::Test {
 protected:
  AcsSessionE2E() {
    ecs_api_.set_default("DiscoverPollEndpoint", {200, "{\"endpoint\":\"" + acs_.endpoint() + "\"}"});
    tls::TrustStoreOptions t;
    t.use_embedded = false;
    t.extra_bundle_path = ca_.write_pem_file(dir_.path());
    auto trust = *tls::TrustStore::load(t);
    aws::HttpClientOptions h;
    h.trust = trust;
    http_ = std::make_unique<aws::HttpClient>(h);
    aws::EcsClientOptions e;
    e.region = "us-west-2";
    e.endpoint = ecs_api_.endpoint();
    credentials_ = std::make_shared<aws::StaticCredentialsProvider>(test::FakeEcsApi::credentials());
    ecs_ = std::make_unique<aws::EcsClient>(*http_, pool_, credentials_, e, clock_, jitter_);
    discovery_ = std::make_unique<EcsEndpointDiscovery>(*ecs_);
    dial_.tls = *tls::Context::client(trust);
    dial_.sign = [this](const Url& url) -> asio::awaitable<Result<aws::Headers>> {
      auto creds = co_await credentials_->retrieve();
      if (!creds) co_return creds.error();
      co_return aws::sign_upgrade_request(url, *creds, "us-west-2", "ecs", std::chrono::system_clock::now())
          .headers;
    };
    options_.cluster = kCluster;
    options_.container_instance_arn = kInstance;
    options_.agent_version = "0.1.0";
    options_.agent_hash = "deadbeef";
    options_.docker_version = "20.10.24";
    options_.backoff_min = 250ms;
  }

  // Runs the session until `done` holds or `timeout`, then stops it. Returns whether `done` held.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    WebsocketConnectionFactory real(io_.get_executor(), dial_, client_options_, jitter_, metrics_);
    CountingFactory factory(real);
    // The agent's own collaborators (src/handlers) over the engine's stand-in, in memory.
    const Collaborators c = agent_.handlers.collaborators(doctor_, metrics_, resource_);
    ResponderSet responders(c, options_.docker_version, {}, nullptr, nullptr);
    Session session(
        options_, *discovery_, factory,
        [&](const std::shared_ptr<Connection>& client) { responders.register_all(client); }, clock_, jitter_,
        [this] { ++inactive_callbacks_; }, metrics_);
    StopSource stop;
    bool held = false;
    asio::co_spawn(io_, session.start(stop), asio::detached);
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          const auto deadline = std::chrono::steady_clock::now() + timeout;
          while (std::chrono::steady_clock::now() < deadline && !(held = done())) {
            asio::steady_timer t(io_, 5ms);
            co_await t.async_wait(asio::use_awaitable);
          }
          stop.stop();
        },
        asio::detached);
    io_.restart();
    io_.run();
    leaked_clients_ = factory.alive();
    return held;
  }

  std::vector<std::string> received(const std::string& type) {
    std::vector<std::string> out;
    for (const auto& f : acs_.received_all()) {
      if (frame_is(f, type)) out.push_back(f);
    }
    return out;
  }

  static std::string heartbeat(const std::string& id) {
    return R"({"type":"HeartbeatMessage","message":{"healthy":true,"messageId":")" + id + "\"}}";
  }
  static std::string payload(const std::string& id, int seq, const std::string& task,
                             const std::string& creds_id) {
    return R"({"type":"PayloadMessage","message":{"messageId":")" + id + R"(","clusterArn":")" + kCluster +
           R"(","containerInstanceArn":")" + kInstance + R"(","seqNum":)" + std::to_string(seq) +
           R"(,"tasks":[{"arn":")" + task +
           R"(","family":"web","version":"3","desiredStatus":"RUNNING","roleCredentials":{"credentialsId":")" +
           creds_id +
           R"(","roleArn":"arn:aws:iam::123456789012:role/r","accessKeyId":"ASIATASK","secretAccessKey":"task-secret-never-logged","sessionToken":"task-token-never-logged","expiration":"2030-01-01T00:00:00Z"}}]}})";
  }

  test::TestCa ca_;
  test::TempDir dir_;
  test::ServerThread servers_;
  test::FakeEcsApi ecs_api_{servers_, ca_.issue()};
  test::FakeAcs acs_{servers_, ca_.issue(), test::FakeEcsApi::credentials()};

  asio::io_context io_;
  WorkerPool pool_{1};
  SteadyClock clock_;
  FixedJitter jitter_{0};
  NoMetrics metrics_;
  std::unique_ptr<aws::HttpClient> http_;
  std::shared_ptr<aws::CredentialsProvider> credentials_;
  std::unique_ptr<aws::EcsClient> ecs_;
  std::unique_ptr<EcsEndpointDiscovery> discovery_;
  wsclient::DialOptions dial_;
  wsclient::ConnectionOptions client_options_;
  SessionOptions options_;

  test::InMemoryAgent agent_{clock_};
  bool resource_ = false;
  test::StaticDoctor doctor_;
  int inactive_callbacks_ = 0;
  int leaked_clients_ = 0;
};

TEST_F(AcsSessionE2E, HeartbeatsAreAcknowledged) {
  acs_.on_connect_send({heartbeat("hb-1"), heartbeat("hb-2")});
  ASSERT_TRUE(run_until([&] { return received("HeartbeatAckRequest").size() == 2; }, 10s));
  EXPECT_EQ(received("HeartbeatAckRequest"),
            (std::vector<std::string>{R"({"type":"HeartbeatAckRequest","message":{"messageId":"hb-1"}})",
                                      R"({"type":"HeartbeatAckRequest","message":{"messageId":"hb-2"}})"}));
  const auto conns = acs_.connections();
  ASSERT_EQ(conns.size(), 1u);
  EXPECT_TRUE(conns[0].signature_ok) << conns[0].signature_error;
  EXPECT_EQ(conns[0].query.at("sendCredentials"), "true");
  EXPECT_EQ(conns[0].query.at("clusterArn"), kCluster);
  EXPECT_EQ(conns[0].query.at("containerInstanceArn"), kInstance);
  EXPECT_EQ(conns[0].query.at("dockerVersion"), "DockerVersion: 20.10.24");
  EXPECT_EQ(conns[0].query.at("protocolVersion"), "2");
  EXPECT_EQ(conns[0].query.at("seqNum"), "1");
  EXPECT_EQ(ecs_api_.count("DiscoverPollEndpoint"), 1);
  EXPECT_EQ(leaked_clients_, 0);
}

TEST_F(AcsSessionE2E, PayloadIsAcknowledgedWithItsCredentials) {
  acs_.on_connect_send({payload("m-1", 7, "arn:aws:ecs:us-west-2:123456789012:task/default/t1", "cred-1")});
  ASSERT_TRUE(run_until(
      [&] {
        return received("AckRequest").size() == 1 && received("IAMRoleCredentialsAckRequest").size() == 1;
      },
      10s));
  EXPECT_EQ(received("AckRequest")[0], std::string(R"({"type":"AckRequest","message":{"cluster":")") +
                                           kCluster + R"(","containerInstance":")" + kInstance +
                                           R"(","messageId":"m-1"}})");
  EXPECT_EQ(
      received("IAMRoleCredentialsAckRequest")[0],
      R"({"type":"IAMRoleCredentialsAckRequest","message":{"credentialsId":"cred-1","expiration":"2030-01-01T00:00:00Z","messageId":"m-1"}})");
  EXPECT_EQ(agent_.credentials.get_task_credentials("cred-1")->secret_access_key, "task-secret-never-logged");
  EXPECT_EQ(agent_.handlers.sequence().latest(), 7);
}

TEST_F(AcsSessionE2E,
       RefreshedCredentialsAreStoredThenAcknowledged) {  // TestStartSessionHandlesRefreshCredentialsMessages
  acs_.on_connect_send(
      {payload("m-1", 1, "t1", "credsId"),
       R"({"type":"IAMRoleCredentialsMessage","message":{"messageId":"c-1","taskArn":"t1","roleType":"TaskApplication","roleCredentials":{"credentialsId":"credsId","roleArn":"r1","accessKeyId":"newakid","secretAccessKey":"newskid","sessionToken":"newstkn","expiration":"later"}}})"});
  ASSERT_TRUE(run_until([&] { return received("IAMRoleCredentialsAckRequest").size() == 2; }, 10s));
  const auto c = agent_.credentials.get_task_credentials("credsId");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->task_arn, "t1");
  EXPECT_EQ(c->role_arn, "r1");
  EXPECT_EQ(c->access_key_id, "newakid");
  EXPECT_EQ(c->secret_access_key, "newskid");
  EXPECT_EQ(c->session_token, "newstkn");
  EXPECT_EQ(c->expiration, "later");
  EXPECT_EQ(c->role_type, "TaskApplication");
  ASSERT_NE(agent_.engine.find_task("t1"), nullptr);
  EXPECT_EQ(agent_.engine.find_task("t1")->credentials_id, "credsId");
  // Acks carry no ordering guarantee (the payload's credentials ack goes out in the background).
  const auto acks = received("IAMRoleCredentialsAckRequest");
  EXPECT_EQ(
      std::count_if(acks.begin(), acks.end(),
                    [](const std::string& a) { return a.find(R"("messageId":"c-1")") != std::string::npos; }),
      1);
}

TEST_F(AcsSessionE2E, InvalidMessagesAreIgnoredOnALiveConnection) {
  acs_.on_connect_send(
      {"not json at all", R"({"type":"PollRequest","message":{}})",
       R"({"type":"PayloadMessage","message":{"clusterArn":"c"}})",
       R"({"type":"IAMRoleCredentialsMessage","message":{"messageId":"x","taskArn":"t","roleType":"Admin","roleCredentials":{"credentialsId":"i"}}})",
       R"({"type":"AttachTaskNetworkInterfacesMessage","message":{"messageId":"e"}})",
       R"({"type":"HeartbeatMessage","message":{"healthy":"not a bool"}})", heartbeat("after")});
  ASSERT_TRUE(run_until([&] { return received("HeartbeatAckRequest").size() == 1; }, 10s));
  EXPECT_EQ(acs_.received_all().size(), 1u) << "only the valid heartbeat is answered";
  EXPECT_EQ(acs_.connection_count(), 1) << "invalid messages never close the connection";
}

TEST_F(AcsSessionE2E, ManifestLeadsToStopVerificationAndTheStop) {
  const std::string task = "arn:aws:ecs:us-west-2:123456789012:task/default/t1";
  acs_.on_connect_send(
      {payload("m-1", 1, task, "cred-1"),
       std::string(R"({"type":"TaskManifestMessage","message":{"messageId":"tm-1","clusterArn":")") +
           kCluster + R"(","containerInstanceArn":")" + kInstance + R"(","timeline":2,"tasks":[]}})"});
  bool acked = false;
  ASSERT_TRUE(run_until(
      [&] {
        if (!acked && !received("TaskStopVerificationMessage").empty()) {
          acked = true;
          acs_.send(
              R"({"type":"TaskStopVerificationAck","message":{"messageId":"tm-1","generatedAt":1,"stopTasks":[{"taskArn":")" +
              task + R"(","desiredStatus":"STOPPED"}]}})");
        }
        const task::Task* t = agent_.engine.find_task(task);
        return acked && t != nullptr && t->desired_status == task::TaskStatus::stopped;
      },
      10s));
  EXPECT_EQ(
      received("TaskStopVerificationMessage")[0],
      std::string(
          R"({"type":"TaskStopVerificationMessage","message":{"messageId":"tm-1","stopCandidates":[{"desiredStatus":"STOPPED","taskArn":")") +
          task + R"(","taskClusterArn":")" + kCluster + R"("}]}})");
  EXPECT_EQ(received("AckRequest").size(), 2u);  // the payload's and the manifest's
  EXPECT_EQ(agent_.handlers.manifest_id().get(), "");
}

TEST_F(AcsSessionE2E, Close1000ReconnectsAtOnceWithoutAskingForCredentials) {
  bool closed = false;
  std::chrono::steady_clock::time_point closed_at;
  ASSERT_TRUE(run_until(
      [&] {
        if (!closed && acs_.connection_count() == 1) {
          closed = true;
          closed_at = std::chrono::steady_clock::now();
          acs_.close(1000);
        }
        return acs_.connection_count() == 2;
      },
      10s));
  EXPECT_LT(std::chrono::steady_clock::now() - closed_at, 250ms) << "no backoff after a permissible close";
  const auto conns = acs_.connections();
  EXPECT_EQ(conns[0].query.at("sendCredentials"), "true");
  EXPECT_EQ(conns[1].query.at("sendCredentials"), "false");
  EXPECT_EQ(ecs_api_.count("DiscoverPollEndpoint"), 1) << "the endpoint is cached";
}

TEST_F(AcsSessionE2E, Close1013BacksOff) {
  bool closed = false;
  std::chrono::steady_clock::time_point closed_at, reconnected_at;
  ASSERT_TRUE(run_until(
      [&] {
        if (!closed && acs_.connection_count() == 1) {
          closed = true;
          closed_at = std::chrono::steady_clock::now();
          acs_.close(1013, "try again later");
        }
        if (acs_.connection_count() == 2 && reconnected_at == std::chrono::steady_clock::time_point{}) {
          reconnected_at = std::chrono::steady_clock::now();
        }
        return acs_.connection_count() == 2;
      },
      10s));
  EXPECT_GE(reconnected_at - closed_at, 240ms) << "the backoff minimum applies";
}

TEST_F(AcsSessionE2E, InactiveInstanceCallsBackAndDoesNotReconnect) {
  acs_.reject_upgrades(400, R"({"InactiveInstanceException":"Container instance is inactive"})");
  run_until([&] { return false; }, 1500ms);  // the whole window: nothing may reconnect
  EXPECT_EQ(inactive_callbacks_, 1);
  EXPECT_EQ(acs_.connection_count(), 0);
}

TEST_F(AcsSessionE2E, IdleConnectionIsClosedAndReestablished) {
  options_.heartbeat_timeout = 200ms;
  options_.heartbeat_jitter = 100ms;
  ASSERT_TRUE(run_until([&] { return acs_.connection_count() == 2; }, 10s));
  const auto first = acs_.connections()[0];
  EXPECT_FALSE(first.open);
  EXPECT_EQ(first.close_code_received, 0) << "the idle close drops TCP without a close frame";
}

TEST_F(AcsSessionE2E, PeriodicDisconnectThenImmediateReconnect) {
  client_options_.disconnect_timeout = 300ms;
  client_options_.disconnect_jitter = 0ms;
  ASSERT_TRUE(run_until([&] { return acs_.connection_count() == 2; }, 10s));
  const auto conns = acs_.connections();
  EXPECT_EQ(conns[0].close_code_received, 1000);
  EXPECT_EQ(conns[0].close_reason_received, "ConnectionExpired: Reconnect to continue");
  EXPECT_LT(conns[1].opened_at - conns[0].closed_at, 200ms)
      << "the server's close 1000 means reconnect at once";
}

TEST_F(AcsSessionE2E, DroppedTcpReconnectsAtOnce) {
  bool dropped = false;
  ASSERT_TRUE(run_until(
      [&] {
        if (!dropped && acs_.connection_count() == 1) {
          dropped = true;
          acs_.drop();
        }
        return acs_.connection_count() == 2;
      },
      10s));
  const auto conns = acs_.connections();
  EXPECT_LT(conns[1].opened_at - conns[0].closed_at, 200ms)
      << "a TCP end without close frame is 1006: at once";
}

TEST_F(AcsSessionE2E, AttachResourceWithContainerd) {  // TestStartSessionHandlesAttachResourceMessages
  options_.docker_version = "containerd";
  resource_ = true;
  acs_.on_connect_send(
      {std::string(R"({"type":"ConfirmAttachmentMessage","message":{"messageId":"123","clusterArn":")") +
           kCluster + R"(","containerInstanceArn":")" + kInstance +
           R"(","attachment":{"attachmentArn":"arn:aws:ecs:us-west-2:123456789012:attachment/a","attachmentProperties":[{"name":"resourceType","value":"EphemeralStorage"},{"name":"volumeID","value":"v"},{"name":"deviceName","value":"/dev/x"},{"name":"volumeSizeInGiB","value":"1"},{"name":"requestedSizeInGiB","value":"1"},{"name":"resourceID","value":"r"}]}}})",
       R"({"type":"StageUpdateMessage","message":{"messageId":"su-1"}})"});
  ASSERT_TRUE(run_until([&] { return received("AckRequest").size() == 1; }, 10s));
  EXPECT_EQ(agent_.attachments.attachments().size(), 1u);
  EXPECT_TRUE(received("NackRequest").empty()) << "no update handlers with containerd";
  EXPECT_EQ(acs_.connections()[0].query.at("dockerVersion"), "containerd");
}

TEST_F(AcsSessionE2E, UpdatesAreRefusedWhenDisabled) {
  acs_.on_connect_send(
      {R"({"type":"StageUpdateMessage","message":{"messageId":"su-1","clusterArn":"c","containerInstanceArn":"ci","updateInfo":{"location":"https://x","signature":"ab"}}})"});
  ASSERT_TRUE(run_until([&] { return received("NackRequest").size() == 1; }, 10s));
  EXPECT_EQ(
      received("NackRequest")[0],
      R"({"type":"NackRequest","message":{"cluster":"c","containerInstance":"ci","messageId":"su-1","reason":"Updates are disabled"}})");
}

TEST_F(AcsSessionE2E, ManyReconnectsLeaveNothingBehind) {  // TestSessionDoesntLeakGoroutines
  acs_.on_connect_send({heartbeat("hb"), payload("m", 1, "t1", "c1")});
  int cycles = 0;
  ASSERT_TRUE(run_until(
      [&] {
        const auto conns = acs_.connections();
        if (!conns.empty() && conns.back().open && conns.back().received.size() >= 3 &&
            cycles < static_cast<int>(conns.size())) {
          cycles = static_cast<int>(conns.size());
          acs_.close(1000);
        }
        return acs_.connection_count() >= 40;
      },
      60s));
  EXPECT_GE(acs_.connection_count(), 20);
  EXPECT_EQ(leaked_clients_, 0) << "every connection's client was released";
}

TEST_F(AcsSessionE2E, SecretsNeverReachTheLog) {
  log::ScopedCapture capture(log::Level::debug);
  acs_.on_connect_send({payload("m-1", 1, "t1", "cred-1"), heartbeat("hb")});
  ASSERT_TRUE(run_until([&] { return received("HeartbeatAckRequest").size() == 1; }, 10s));
  const std::string logs = capture.sink().text();
  for (const char* secret : {"task-secret-never-logged", "task-token-never-logged", test::FakeEcsApi::kSecret,
                             "fake-ecs-session-token"}) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << secret << " in:\n" << logs;
  }
}

}  // namespace
}  // namespace ecs::acs
