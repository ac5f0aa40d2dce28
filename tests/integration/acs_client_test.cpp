// One ACS connection through the real TLS websocket client against the fake ACS
// (acs-protocol.md §3, §6.7–§6.9; reference tests §7.3 wsclient and §7.4 acs/client).
#include <gtest/gtest.h>

#include <algorithm>

#include "acs/websocket_connection.h"
#include "aws/sigv4.h"
#include "support/fake_acs.h"
#include "support/fake_ecs_api.h"
#include "support/run.h"
#include "support/temp_dir.h"
#include "wsclient/connection.h"
#include "wsclient/dial.h"

namespace ecs::acs {
namespace {

using namespace std::chrono_literals;

class AcsClientTest : public ::testing::Test {
 protected:
  AcsClientTest() {
    tls::TrustStoreOptions t;
    t.use_embedded = false;
    t.extra_bundle_path = ca_.write_pem_file(dir_.path());
    dial_.tls = *tls::Context::client(*tls::TrustStore::load(t));
    dial_.sign = [](const Url& url) -> asio::awaitable<Result<aws::Headers>> {
      co_return aws::sign_upgrade_request(url, test::FakeEcsApi::credentials(), "us-west-2", "ecs",
                                          std::chrono::system_clock::now())
          .headers;
    };
  }
  std::shared_ptr<Connection> client(wsclient::ConnectionOptions options = {}) {
    return make_websocket_connection(io_.get_executor(), *parse_url(acs_.endpoint() + "/ws?seqNum=1"), dial_,
                                     options, jitter_, metrics_);
  }
  // Serves until the connection ends, running `during` (on the agent's io) once connected.
  Error serve(const std::shared_ptr<Connection>& c, std::function<asio::awaitable<void>()> during = {},
              StopToken stop = {}) {
    return test::run(io_, [&]() -> asio::awaitable<Error> {
      auto r = co_await c->connect();
      if (!r) co_return r.error();
      if (during) asio::co_spawn(io_, during(), asio::detached);
      co_return co_await c->serve(stop);
    }());
  }
  asio::awaitable<void> after(std::chrono::milliseconds d) {
    asio::steady_timer t(io_, d);
    co_await t.async_wait(asio::use_awaitable);
  }

  test::TestCa ca_;
  test::TempDir dir_;
  test::ServerThread servers_;
  test::FakeAcs acs_{servers_, ca_.issue(), test::FakeEcsApi::credentials()};
  asio::io_context io_;
  wsclient::DialOptions dial_;
  FixedJitter jitter_{0};
  NoMetrics metrics_;
};

TEST_F(AcsClientTest,
       PayloadDecodesAndAckGoesOutInItsEnvelope) {  // TestConnect, TestAddRequestPayloadHandler
  acs_.on_connect_send(
      {R"({"type":"PayloadMessage","message":{"messageId":"mid","clusterArn":"c","containerInstanceArn":"ci","tasks":[{"arn":"arn1","containers":[{"name":"c1","image":"busybox"}]}]}})"});
  auto c = client();
  std::vector<PayloadMessage> got;
  c->on<PayloadMessage>([&](const PayloadMessage& p) -> asio::awaitable<void> {
    got.push_back(p);
    AckRequest ack;
    ack.messageId = p.messageId;
    ack.cluster = p.clusterArn;
    ack.containerInstance = p.containerInstanceArn;
    const Message reply(std::move(ack));
    EXPECT_TRUE(co_await c->send(reply));  // TestWriteAckRequest
    acs_.close(1000);
  });
  const Error e = serve(c);
  EXPECT_EQ(e.code, acs::AcsErrc::reconnect_now) << e.message;
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].messageId, "mid");
  EXPECT_EQ(got[0].tasks->front().arn, "arn1");
  ASSERT_TRUE(acs_.wait_for([&] { return acs_.received_all().size() == 1; }, 5s));
  EXPECT_EQ(acs_.received_all()[0],
            R"({"type":"AckRequest","message":{"cluster":"c","containerInstance":"ci","messageId":"mid"}})");
  EXPECT_TRUE(acs_.connections()[0].signature_ok) << acs_.connections()[0].signature_error;
}

TEST_F(AcsClientTest, PermissibleCloseCodesAndTcpEndAreEof) {  // TestHandleMessagePermissibleCloseCode
  for (int code : {1000, 1001, 1011}) {
    auto c = client();
    const Error e = serve(c, [&, code]() -> asio::awaitable<void> {
      co_await after(20ms);
      acs_.close(code, "bye");
    });
    EXPECT_EQ(e.code, acs::AcsErrc::reconnect_now) << code << ": " << e.message;
  }
  auto c = client();
  const Error dropped = serve(c, [&]() -> asio::awaitable<void> {
    co_await after(20ms);
    acs_.drop();  // no close frame: 1006
  });
  EXPECT_EQ(dropped.code, acs::AcsErrc::reconnect_now) << dropped.message;
}

TEST_F(AcsClientTest, OtherCloseCodesAreErrorsWithTheReferenceText) {  // TestHandleMessageUnexpectedCloseCode
  auto c = client();
  const Error e = serve(c, [&]() -> asio::awaitable<void> {
    co_await after(20ms);
    acs_.close(1013, "try later");
  });
  EXPECT_EQ(e.code, wsclient::ConnectionErrc::closed_by_peer);
  EXPECT_EQ(e.message, "websocket: close 1013 (try again later): try later");
  // The agent answered with the same code.
  ASSERT_TRUE(acs_.wait_for([&] { return !acs_.connections()[0].open; }, 5s));
  auto c2 = client();
  const Error empty = serve(c2, [&]() -> asio::awaitable<void> {
    co_await after(20ms);
    acs_.close_without_payload();
  });
  EXPECT_EQ(empty.code, wsclient::ConnectionErrc::closed_by_peer);
  EXPECT_EQ(empty.message, "websocket: close 1005 (no status)");
  auto c3 = client();
  const Error inactive = serve(c3, [&]() -> asio::awaitable<void> {
    co_await after(20ms);
    acs_.close(4000, "InactiveInstanceException: deregistered");
  });
  EXPECT_TRUE(is_inactive_instance(inactive)) << inactive.message;
}

// The websocket client hands each frame over followed by kFramePadding zero bytes in its read
// buffer, which is what lets the ACS client parse frames where they are (decode_padded_into).
TEST_F(AcsClientTest, FramesAreHandedOverFollowedByZeroPadding) {
  const std::string small = R"({"type":"HeartbeatMessage","message":{"healthy":true,"messageId":"1"}})";
  const std::string large =
      R"({"type":"HeartbeatMessage","message":{"messageId":")" + std::string(100000, 'x') + "\"}}";
  acs_.on_connect_send({large, small, large, small});
  wsclient::Dialer dialer(dial_);
  std::vector<std::size_t> sizes;
  const Error e = test::run(io_, [&]() -> asio::awaitable<Error> {
    auto dialed = co_await dialer.dial(*parse_url(acs_.endpoint() + "/ws?seqNum=1"));
    if (!dialed) co_return dialed.error();
    wsclient::Connection client(std::move(dialed->socket), {}, jitter_);
    wsclient::Connection::FrameHandler handler = [&](std::string_view frame, bool) -> asio::awaitable<void> {
      const char* end = frame.data() + frame.size();
      EXPECT_TRUE(std::all_of(end, end + wsclient::Connection::kFramePadding, [](char c) { return c == 0; }));
      sizes.push_back(frame.size());
      if (sizes.size() == 4) acs_.close(1000);
      co_return;
    };
    co_return co_await client.serve(handler);
  }());
  EXPECT_EQ(sizes, (std::vector<std::size_t>{large.size(), small.size(), large.size(), small.size()}))
      << e.message;
}

TEST_F(AcsClientTest, ConcurrentWritesAllArriveIntact) {  // TestConcurrentWritesDontPanic
  auto c = client();
  serve(c, [&]() -> asio::awaitable<void> {
    auto writer = [&](int base) -> asio::awaitable<void> {
      for (int i = 0; i < 10; ++i) {
        AckRequest a;
        a.messageId = std::to_string(base + i);
        const Message m(std::move(a));
        co_await c->send(m);
      }
    };
    asio::co_spawn(io_, writer(0), asio::detached);
    asio::co_spawn(io_, writer(100), asio::detached);
    co_await after(10ms);
    acs_.wait_for([&] { return acs_.received_all().size() == 20; }, 5s);
    acs_.close(1000);
  });
  const auto frames = acs_.received_all();
  ASSERT_EQ(frames.size(), 20u);
  Decoder d;
  for (const auto& f : frames) EXPECT_TRUE(d.decode(f)) << f;
}

TEST_F(AcsClientTest, ReadDeadlineEndsASilentConnection) {  // TestSetReadDeadlineError
  wsclient::ConnectionOptions o;
  o.rw_timeout = 100ms;
  auto c = client(o);
  const auto start = std::chrono::steady_clock::now();
  const Error e = serve(c);
  EXPECT_EQ(e.code, wsclient::ConnectionErrc::read_timeout) << e.message;
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
  // Decodable activity extends it: the any-message hook does that in the session.
}

TEST_F(AcsClientTest, PingsAreAnsweredButAreNotActivity) {
  wsclient::ConnectionOptions o;
  o.rw_timeout = 150ms;
  auto c = client(o);
  int any = 0;
  c->set_any_message_hook([&] { ++any; });
  const Error e = serve(c, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 5; ++i) {
      co_await after(40ms);
      acs_.ping();
    }
  });
  EXPECT_EQ(e.code, wsclient::ConnectionErrc::read_timeout)
      << "pings must not extend the deadline: " << e.message;
  EXPECT_EQ(any, 0);
}

TEST_F(AcsClientTest,
       LocalCloseAndStopEndTheReadLoop) {  // TestSetReadDeadlineClosedConnection, TestCtxCancel
  auto c = client();
  const Error local = serve(c, [&]() -> asio::awaitable<void> {
    co_await after(20ms);
    c->close();
  });
  EXPECT_EQ(local.code, wsclient::ConnectionErrc::closed_locally);
  EXPECT_EQ(local.message, "use of closed network connection");
  StopSource stop;
  auto c2 = client();
  const Error cancelled = serve(
      c2,
      [&]() -> asio::awaitable<void> {
        co_await after(20ms);
        stop.stop();
      },
      stop);
  EXPECT_EQ(cancelled.code, AcsErrc::cancelled);
}

TEST_F(AcsClientTest, AfterTheEndWritesFail) {  // TestClosingConnection
  auto c = client();
  const Error e = serve(c, [&]() -> asio::awaitable<void> {
    co_await after(20ms);
    acs_.drop();
  });
  EXPECT_EQ(e.code, acs::AcsErrc::reconnect_now);
  HeartbeatAckRequest ack;
  const Message m(std::move(ack));
  auto r = test::run(io_, c->send(m));
  EXPECT_FALSE(r);
}

TEST_F(AcsClientTest,
       PeriodicDisconnectSendsConnectionExpired) {  // TestPeriodicDisconnect, TestWriteCloseMessage
  wsclient::ConnectionOptions o;
  o.disconnect_timeout = 300ms;
  o.disconnect_jitter = 100ms;
  auto c = client(o);
  const auto start = std::chrono::steady_clock::now();
  const Error e = serve(c);
  EXPECT_EQ(e.code, acs::AcsErrc::reconnect_now) << e.message;  // the server answered close 1000
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  ASSERT_TRUE(acs_.wait_for([&] { return !acs_.connections().at(0).open; }, 5s));
  EXPECT_EQ(acs_.connections()[0].close_code_received, 1000);
  EXPECT_EQ(acs_.connections()[0].close_reason_received, "ConnectionExpired: Reconnect to continue");
}

TEST_F(AcsClientTest, RejectedUpgradeIsATypedAcsError) {  // TestConnectClientError
  acs_.reject_upgrades(400, R"({"InvalidClusterException":"Invalid cluster"})", 1);
  auto c = client();
  auto r = test::run(io_, c->connect());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "InvalidClusterException: Invalid cluster");
  EXPECT_EQ(r.error().code, AcsErrc::invalid_cluster);
}

TEST_F(AcsClientTest, UndecodableAndUnknownFramesAreDroppedNotActivity) {
  acs_.on_connect_send({"garbage", R"({"type":"PollRequest","message":{}})",
                        R"({"type":"HeartbeatMessage","message":{"messageId":"ok"}})"});
  auto c = client();
  int any = 0;
  std::vector<std::string> heartbeats;
  c->set_any_message_hook([&] { ++any; });
  c->on<HeartbeatMessage>([&](const HeartbeatMessage& h) -> asio::awaitable<void> {
    heartbeats.push_back(h.messageId.value_or(""));
    acs_.close(1000);
    co_return;
  });
  serve(c);
  EXPECT_EQ(any, 1);
  EXPECT_EQ(heartbeats, std::vector<std::string>{"ok"});
}

}  // namespace
}  // namespace ecs::acs
