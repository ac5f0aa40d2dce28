// The ACS session's lifecycle (acs-protocol.md §6, §7.1) with a fake client, fake discovery,
// a manual clock for the waits and fixed jitter.
#include "acs/session.h"

#include <gtest/gtest.h>

#include "acs/responders/responder_set.h"
#include "support/acs_doubles.h"
#include "support/fake_acs_connection.h"
#include "support/run.h"

namespace ecs::acs {
namespace {

using credentials::InMemoryCredentialsStore;
using test::InMemoryManifestMessageId;
using test::InMemorySequenceNumber;
using test::RecordingEniHandler;
using test::RecordingResourceHandler;
using test::StaticDoctor;

using namespace std::chrono_literals;
using test::FakeConnection;

constexpr const char* kArn =
    "arn:aws:ecs:us-west-2:123456789012:container-instance/a1b2c3d4-5678-90ab-cdef-11111EXAMPLE";

SessionOptions options() {
  SessionOptions o;
  o.cluster = "default";
  o.container_instance_arn = kArn;
  o.agent_version = "1.23.4";
  o.agent_hash = "ffffffff";
  o.docker_version = "1.2.3";
  o.heartbeat_timeout = 20ms;
  o.heartbeat_jitter = 10ms;
  return o;
}

Error eof() { return make_error(acs::AcsErrc::reconnect_now, "EOF"); }
Error other() {
  return make_error(errc::make_error_code(errc::connection_reset), "connection reset by peer");
}
Error inactive() {
  return make_error(AcsErrc::inactive_instance, "InactiveInstanceException: Container instance is inactive");
}

class SessionTest : public ::testing::Test {
 protected:
  Session make(SessionOptions o = options(), Clock* clock = nullptr) {
    return Session(
        o, discovery, factory, [](const std::shared_ptr<Connection>&) {}, clock ? *clock : manual, jitter,
        [this] { ++inactive_callbacks; }, metrics);
  }
  // Serve() of each client returns `result` at once.
  void serve_returns(Error result) {
    factory.configure = [result](FakeConnection& c, int) {
      c.on_serve = [result](StopToken) -> asio::awaitable<Error> { co_return result; };
    };
  }

  asio::io_context io;
  test::FakeConnectionFactory factory{io.get_executor()};
  test::FakeDiscovery discovery;
  test::RecordingMetrics metrics;
  ManualClock manual;
  FixedJitter jitter{0};
  StopSource stop;
  int inactive_callbacks = 0;
};

TEST_F(SessionTest, AcsUrl) {  // TestACSURL / TestSessionReconnectCorrectlySetsAcsUrl
  const std::string escaped =
      "arn%3Aaws%3Aecs%3Aus-west-2%3A123456789012%3Acontainer-instance%2Fa1b2c3d4-5678-90ab-cdef-"
      "11111EXAMPLE";
  EXPECT_EQ(Session::acs_url("http://endpoint.tld", options(), true),
            "http://endpoint.tld/"
            "ws?agentHash=ffffffff&agentVersion=1.23.4&clusterArn=default&containerInstanceArn=" +
                escaped +
                "&dockerVersion=DockerVersion%3A+1.2.3&protocolVersion=2&sendCredentials=true&seqNum=1");
  EXPECT_EQ(Session::acs_url("https://h/", options(), false).substr(0, 14), "https://h/ws?a");
  EXPECT_TRUE(Session::acs_url("https://h/p", options(), false).starts_with("https://h/p/ws?"));
  auto containerd = options();
  containerd.docker_version = "containerd";
  EXPECT_NE(Session::acs_url("http://e", containerd, true).find("&dockerVersion=containerd&"),
            std::string::npos);
  auto none = options();
  none.docker_version = "";
  EXPECT_EQ(Session::acs_url("http://e", none, true).find("dockerVersion"), std::string::npos);
}

TEST_F(SessionTest, ReconnectsCorrectlySettingSendCredentials) {  // TestSessionReconnectCorrectlySetsAcsUrl
  serve_returns(eof());
  Session s = make();
  for (int i = 0; i < 10; ++i) test::run(io, s.start_session_once(stop));
  ASSERT_EQ(factory.urls.size(), 10u);
  EXPECT_NE(factory.urls[0].find("sendCredentials=true"), std::string::npos);
  for (int i = 1; i < 10; ++i)
    EXPECT_NE(factory.urls[i].find("sendCredentials=false"), std::string::npos) << i;
  EXPECT_EQ(metrics.count("ACSSession.ACSConnectFailure"), 10);  // TestSessionCorrectlySetsSendCredentials
  std::string second = factory.urls[1];
  second.replace(second.find("sendCredentials=false"), 21, "sendCredentials=true");
  EXPECT_EQ(second, factory.urls[0]);
}

TEST_F(SessionTest, ReconnectsOnConnectErrorsUntilStopped) {  // TestSessionReconnectsOnConnectErrors
  factory.configure = [this](FakeConnection& c, int n) {
    if (n < 10) {
      c.on_connect = [] { return Result<void>(eof()); };
    } else {
      c.on_serve = [this](StopToken) -> asio::awaitable<Error> {
        stop.stop();
        co_return make_error(acs::AcsErrc::cancelled, "context canceled");
      };
    }
  };
  Session s = make();
  const Error e = test::run(io, s.start(stop));
  EXPECT_EQ(e.code, acs::AcsErrc::cancelled);
  EXPECT_EQ(factory.clients.size(), 11u);
  EXPECT_TRUE(manual.sleeps().empty()) << "EOF reconnects without waiting";
}

TEST_F(SessionTest, ReconnectDelayRules) {
  Session s = make();
  // TestReconnectDelayForInactiveInstance: 1 h and the callback, backoff untouched.
  const auto before = s.backoff().current();
  auto d = s.reconnect_delay(inactive());
  EXPECT_EQ(d.delay, 1h);
  EXPECT_TRUE(d.wait);
  EXPECT_EQ(inactive_callbacks, 1);
  EXPECT_EQ(s.backoff().current(), before);
  // TestReconnectDelayForActiveInstanceOnUnexpectedDisconnect: exactly one backoff step.
  d = s.reconnect_delay(other());
  EXPECT_EQ(d.delay, 250ms);
  EXPECT_TRUE(d.wait);
  EXPECT_EQ(s.backoff().current(), 375ms);
  // TestShouldReconnectWithoutBackoff{True,False}: EOF is immediate and resets the backoff.
  d = s.reconnect_delay(eof());
  EXPECT_FALSE(d.wait);
  EXPECT_EQ(s.backoff().current(), 250ms);
  EXPECT_TRUE(s.reconnect_delay(other()).wait);
  // The sequence and the cap: 250 ms x1.5 up to 2 min, +20 % jitter.
  FixedJitter max_jitter(0.999999);
  ExponentialBackoff b(250ms, 2min, 0.2, 1.5, max_jitter);
  auto ms = [](std::chrono::nanoseconds delay) {
    return std::chrono::duration<double, std::milli>(delay).count();
  };
  EXPECT_NEAR(ms(b.next()), 300, 0.1);
  EXPECT_NEAR(ms(b.next()), 450, 0.1);
  for (int i = 0; i < 30; ++i) b.next();
  EXPECT_EQ(b.current(), 2min);
  EXPECT_LT(b.next(), 144s);
}

TEST_F(SessionTest, WaitsEndWithTheStopToken) {  // TestWaitForDuration*
  SteadyClock clock;
  EXPECT_TRUE(test::run(io, clock.sleep(1ms)));
  StopSource stopped;
  stopped.stop();
  EXPECT_FALSE(test::run(io, clock.sleep(1h, stopped)));
  StopSource later;
  asio::steady_timer t(io, 5ms);
  t.async_wait([&](auto) { later.stop(); });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(test::run(io, clock.sleep(1h, later)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(SessionTest, ReconnectsWithoutBackoffOnEof) {  // TestSessionReconnectsWithoutBackoffOnEOFError
  factory.configure = [this](FakeConnection& c, int n) {
    c.on_serve = [this, n](StopToken) -> asio::awaitable<Error> {
      if (n == 1) stop.stop();
      co_return eof();
    };
  };
  Session s = make();
  s.backoff().next();
  s.backoff().next();
  test::run(io, s.start(stop));
  EXPECT_EQ(factory.clients.size(), 2u);
  EXPECT_EQ(s.backoff().current(), 250ms);  // reset
  EXPECT_TRUE(manual.sleeps().empty());
}

TEST_F(SessionTest, ReconnectsWithBackoffOnOtherErrors) {  // TestSessionReconnectsWithBackoffOnNonEOFError
  factory.configure = [this](FakeConnection& c, int n) {
    c.on_serve = [this, n](StopToken) -> asio::awaitable<Error> {
      if (n == 1) stop.stop();
      co_return other();
    };
  };
  Session s = make();
  test::run(io, s.start(stop));
  EXPECT_EQ(factory.clients.size(), 2u);
  EXPECT_EQ(manual.sleeps(), (std::vector<Clock::duration>{250ms}));
  EXPECT_EQ(s.backoff().current(), 375ms);  // advanced once, not reset
}

TEST_F(SessionTest, InactiveInstanceCallsTheCallbackAndWaitsAnHour) {  // TestSessionCallsInactiveInstanceCB
  factory.configure = [](FakeConnection& c, int) { c.on_connect = [] { return Result<void>(inactive()); }; };
  Session s = Session(
      options(), discovery, factory, [](const std::shared_ptr<Connection>&) {}, manual, jitter,
      [this] {
        ++inactive_callbacks;
        stop.stop();  // the reference's callback publishes a deregistration event
      },
      metrics);
  const Error e = test::run(io, s.start(stop));
  EXPECT_EQ(e.code, acs::AcsErrc::cancelled);
  EXPECT_EQ(inactive_callbacks, 1);
  EXPECT_EQ(manual.sleeps(), (std::vector<Clock::duration>{1h}));
}

TEST_F(SessionTest, InactiveInstanceDelayIsHonoured) {  // TestSessionReconnectDelayForInactiveInstanceError
  SteadyClock steady;
  auto o = options();
  o.inactive_instance_reconnect_delay = 200ms;
  std::vector<std::chrono::steady_clock::time_point> connects;
  factory.configure = [&](FakeConnection& c, int n) {
    c.on_connect = [&, n] {
      connects.push_back(std::chrono::steady_clock::now());
      if (n == 1) stop.stop();
      return Result<void>(inactive());
    };
  };
  Session s = make(o, &steady);
  test::run(io, s.start(stop));
  ASSERT_EQ(connects.size(), 2u);
  EXPECT_GE(connects[1] - connects[0], 198ms);
}

TEST_F(SessionTest, ReconnectsOnServeErrors) {  // TestSessionReconnectsOnServeErrors
  factory.configure = [this](FakeConnection& c, int n) {
    c.on_serve = [this, n](StopToken) -> asio::awaitable<Error> {
      if (n == 10) stop.stop();
      co_return eof();
    };
  };
  Session s = make();
  EXPECT_EQ(test::run(io, s.start(stop)).code, acs::AcsErrc::cancelled);
  EXPECT_EQ(factory.clients.size(), 11u);
}

TEST_F(SessionTest,
       DisconnectedTimeIsKnownFromTheSecondConnection) {  // TestSessionStopsWhenContextIsCanceled
  std::vector<bool> had_disconnected;
  Session* session = nullptr;
  factory.configure = [&](FakeConnection& c, int n) {
    c.on_serve = [&, n](StopToken) -> asio::awaitable<Error> {
      had_disconnected.push_back(session->last_disconnected().has_value());
      if (n == 1) stop.stop();
      co_return eof();
    };
  };
  Session s = make();
  session = &s;
  test::run(io, s.start(stop));
  EXPECT_EQ(had_disconnected, (std::vector<bool>{false, true}));
  EXPECT_EQ(metrics.gauge_count("ACSSession.ACSDisconnectedDuration"), 1);
  EXPECT_EQ(metrics.gauge_count("ACSSession.ACSConnectDuration"), 2);
}

TEST_F(SessionTest, StopDuringTheInactiveWaitEndsAtOnce) {  // TestSessionStopsWhenContextIsErrorDueToTimeout
  SteadyClock steady;
  factory.configure = [](FakeConnection& c, int) { c.on_connect = [] { return Result<void>(inactive()); }; };
  Session s = make(options(), &steady);
  asio::steady_timer deadline(io, 4ms);
  deadline.async_wait([&](auto) { stop.stop(); });
  const auto start = std::chrono::steady_clock::now();
  const Error e = test::run(io, s.start(stop));
  EXPECT_EQ(e.code, acs::AcsErrc::cancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(metrics.count("ACSSession.ACSConnectFailure"), 1);
}

TEST_F(SessionTest, DiscoverPollEndpointErrorBacksOff) {  // TestSessionReconnectsOnDiscoverPollEndpointError
  SteadyClock steady;
  RandomJitter random;
  discovery.answers.push_back(make_error(errc::make_error_code(errc::host_unreachable), "DPE failed"));
  std::vector<std::chrono::steady_clock::time_point> attempts;
  factory.configure = [&](FakeConnection& c, int) {
    c.on_connect = [&] {
      attempts.push_back(std::chrono::steady_clock::now());
      stop.stop();
      return Result<void>(eof());
    };
  };
  Session s(
      options(), discovery, factory, [](const std::shared_ptr<Connection>&) {}, steady, random, [] {},
      metrics);
  const auto start = std::chrono::steady_clock::now();
  test::run(io, s.start(stop));
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(discovery.calls, 2);
  EXPECT_GE(attempts[0] - start, 250ms);
  EXPECT_LE(attempts[0] - start, 1s);
  EXPECT_EQ(metrics.count("ACSSession.ACSConnectFailure"), 1);  // not for the discovery failure
}

TEST_F(SessionTest, IdleConnectionIsClosed) {  // TestConnectionIsClosedOnIdle
  Session s = make();
  EXPECT_FALSE(s.last_connected());
  const Error e = test::run(io, s.start_session_once(stop));
  EXPECT_EQ(e.code, test::kClosedLocally);
  ASSERT_EQ(factory.clients.size(), 1u);
  EXPECT_GE(factory.clients[0]->close_calls, 1);
  EXPECT_TRUE(s.last_connected());
}

TEST_F(SessionTest, DecodableMessagesKeepTheConnectionAlive) {
  // The idle timer (20 + 10 ms here) is re-armed by every decodable message, with the configured
  // values (the reference re-arms with its 1 min constants).
  auto o = options();
  factory.configure = [&](FakeConnection& c, int) {
    c.on_serve = [&c, this](StopToken) -> asio::awaitable<Error> {
      for (int i = 0; i < 10; ++i) {  // 100 ms of heartbeats every 10 ms
        asio::steady_timer t(io, 10ms);
        co_await t.async_wait(asio::use_awaitable);
        if (c.closed) co_return test::closed_locally_error("closed early");
        co_await c.deliver(HeartbeatMessage{});
      }
      while (!c.closed) {  // then silence: the idle timer must close it
        asio::steady_timer t(io, 1ms);
        co_await t.async_wait(asio::use_awaitable);
      }
      co_return test::closed_locally_error("closed after silence");
    };
  };
  Session s = make(o);
  const Error e = test::run(io, s.start_session_once(stop));
  EXPECT_EQ(e.message, "closed after silence");
  EXPECT_EQ(factory.clients[0]->deadline_extensions, 10);
}

TEST_F(SessionTest, FailureTrackers) {  // TestDPEAndACSConnFailureTrackerTracking
  {
    discovery.answers.push_back(make_error(errc::make_error_code(errc::host_unreachable), "DPE failed"));
    Session s = make();
    EXPECT_FALSE(test::run(io, s.start_session_once(stop)).message.empty());
    EXPECT_TRUE(s.discovery_failures().failing());
    EXPECT_TRUE(s.connection_failures().failing());
  }
  {
    factory.configure = [](FakeConnection& c, int) { c.on_connect = [] { return Result<void>(other()); }; };
    Session s = make();
    test::run(io, s.start_session_once(stop));
    EXPECT_FALSE(s.discovery_failures().failing());
    EXPECT_TRUE(s.connection_failures().failing());
    EXPECT_GE(factory.clients.back()->close_calls, 1);
  }
  {
    factory.configure = [](FakeConnection& c, int) {
      c.on_serve = [](StopToken) -> asio::awaitable<Error> { co_return Error{}; };
    };
    Session s = make();
    const Error e = test::run(io, s.start_session_once(stop));
    EXPECT_FALSE(e.code);
    EXPECT_FALSE(s.discovery_failures().failing());
    EXPECT_FALSE(s.connection_failures().failing());
  }
}

TEST_F(SessionTest, UpdateHandlersOnlyWithADockerRuntime) {  // TestSessionCallsAddUpdateRequestHandlers
  InMemoryCredentialsStore store;
  InMemorySequenceNumber seq;
  test::FakePayloadHandler engine(store, seq);
  InMemoryManifestMessageId manifest;
  RecordingEniHandler eni;
  RecordingResourceHandler resource;
  StaticDoctor doctor;
  Collaborators collaborators{.payload = engine,
                              .credentials = store,
                              .credentials_metadata = engine,
                              .eni = eni,
                              .resource = &resource,
                              .sequence = seq,
                              .manifest_id = manifest,
                              .comparer = engine,
                              .stopper = engine,
                              .doctor = doctor,
                              .metrics = metrics};
  ResponderSet docker(collaborators, "1.2.3", {}, nullptr, nullptr);
  auto c1 = std::make_shared<FakeConnection>(io.get_executor());
  docker.register_all(c1);
  EXPECT_TRUE(c1->handlers.count("StageUpdateMessage"));
  EXPECT_TRUE(c1->handlers.count("PerformUpdateMessage"));
  EXPECT_TRUE(c1->handlers.count("ConfirmAttachmentMessage"));
  EXPECT_EQ(c1->handlers.size(), 10u);
  ResponderSet containerd(collaborators, "containerd", {}, nullptr, nullptr);
  auto c2 = std::make_shared<FakeConnection>(io.get_executor());
  containerd.register_all(c2);
  EXPECT_FALSE(c2->handlers.count("StageUpdateMessage"));
  Collaborators no_resource = collaborators;
  no_resource.resource = nullptr;
  ResponderSet plain(no_resource, "1.2.3", {}, nullptr, nullptr);
  auto c3 = std::make_shared<FakeConnection>(io.get_executor());
  plain.register_all(c3);
  EXPECT_FALSE(c3->handlers.count("ConfirmAttachmentMessage"));
}

}  // namespace
}  // namespace ecs::acs
