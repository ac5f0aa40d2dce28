// Heartbeat -> ack over loopback TLS, end to end through the real agent side (dial, signed
// upgrade, read loop, decode, heartbeat responder, encode, serialized write), measured by a
// server that sends heartbeats and times each ack:
//   * throughput: 20,000 heartbeats sent back to back, acks per second until the last ack;
//   * latency: 1,000 heartbeats per second for 3 s, p50 and p99 of send -> ack.
// Baseline in the same run: a bare websocket client on the same TLS stack that echoes every
// frame unchanged (no decode, no dispatch, no encode). Goals: >= 20,000 acks/s, p99 <= 2 ms.
#include <algorithm>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstdio>
#include <future>
#include <thread>

#include "acs/responders/responder_set.h"
#include "acs/session.h"
#include "acs/websocket_connection.h"
#include "app/health_doctor.h"
#include "aws/sigv4.h"
#include "support/in_memory_agent.h"
#include "support/server_thread.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"
#include "wsclient/connection.h"
#include "wsclient/dial.h"

namespace {

using namespace ecs;
using namespace std::chrono_literals;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;
using WsStream = websocket::stream<server::TlsStream>;

const aws::Credentials kCreds{"AKIDBENCH", "bench-secret", "", std::nullopt, "bench"};

// The measuring server: one connection at a time.
class LoadServer {
 public:
  explicit LoadServer(const test::TestCertificate& cert) {
    server::HttpServerOptions o;
    o.tls = *tls::Context::server(cert.chain_pem, cert.key_pem);
    o.on_tls_upgrade = [this](server::TlsStream s, server::Request r, const server::Peer&) {
      return serve(std::move(s), std::move(r));
    };
    port_ = servers_.start_http(
        [](server::Request& req, const server::Peer&) -> asio::awaitable<server::Response> {
          co_return server::make_response(req, server::http::status::not_found, "");
        },
        o);
  }
  std::string endpoint() const { return "https://localhost:" + std::to_string(port_); }
  std::future<void> connected() { return connected_.get_future(); }

  // Sends `count` heartbeats, `interval` apart (0: back to back); returns each send->ack time.
  std::vector<Clock::duration> run(int count, Clock::duration interval) {
    return servers_
        .call([&] {
          std::promise<std::vector<Clock::duration>> done;
          auto f = done.get_future();
          asio::co_spawn(servers_.io(), phase(count, interval, std::move(done)), asio::detached);
          return f;
        })
        .get();
  }

 private:
  asio::awaitable<void> serve(server::TlsStream stream, server::Request request) {
    WsStream ws(std::move(stream));
    co_await ws.async_accept(request, asio::use_awaitable);
    ws_ = &ws;
    connected_.set_value();
    beast::flat_buffer buffer;
    error_code ec;
    for (;;) {
      co_await ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      const std::string frame = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      const auto at = frame.find("\"messageId\":\"");
      if (at == std::string::npos) continue;
      const std::size_t id = std::stoul(frame.substr(at + 13));
      if (id < acked_.size() && acked_[id] == Clock::time_point{}) {
        acked_[id] = Clock::now();
        if (--outstanding_ == 0 && done_) {
          std::vector<Clock::duration> out;
          for (std::size_t i = 0; i < sent_.size(); ++i) out.push_back(acked_[i] - sent_[i]);
          done_->set_value(out);
          done_.reset();
        }
      }
    }
    ws_ = nullptr;
  }

  asio::awaitable<void> phase(int count, Clock::duration interval,
                              std::promise<std::vector<Clock::duration>> done) {
    sent_.assign(count, {});
    acked_.assign(count, {});
    outstanding_ = count;
    done_.emplace(std::move(done));
    asio::steady_timer pace(servers_.io());
    auto next = Clock::now();
    for (int i = 0; i < count; ++i) {
      if (interval.count() > 0) {
        next += interval;
        pace.expires_at(next);
        co_await pace.async_wait(asio::use_awaitable);
      }
      const std::string frame = R"({"type":"HeartbeatMessage","message":{"healthy":true,"messageId":")" +
                                std::to_string(i) + "\"}}";
      sent_[i] = Clock::now();
      ws_->text(true);
      co_await ws_->async_write(asio::buffer(frame), asio::use_awaitable);
    }
  }

  test::ServerThread servers_;
  std::uint16_t port_ = 0;
  WsStream* ws_ = nullptr;
  std::promise<void> connected_;
  std::vector<Clock::time_point> sent_, acked_;
  int outstanding_ = 0;
  std::optional<std::promise<std::vector<Clock::duration>>> done_;
};

class StaticDiscovery : public acs::EndpointDiscovery {
 public:
  explicit StaticDiscovery(std::string e) : endpoint_(std::move(e)) {}
  asio::awaitable<Result<std::string>> discover_poll_endpoint(const std::string&,
                                                              const std::string&) override {
    co_return endpoint_;
  }

 private:
  std::string endpoint_;
};

wsclient::DialOptions dial_options(const test::TestCa& ca, const test::TempDir& dir) {
  tls::TrustStoreOptions t;
  t.use_embedded = false;
  t.extra_bundle_path = ca.write_pem_file(dir.path());
  wsclient::DialOptions d;
  d.tls = *tls::Context::client(*tls::TrustStore::load(t));
  d.sign = [](const Url& url) -> asio::awaitable<Result<aws::Headers>> {
    co_return aws::sign_upgrade_request(url, kCreds, "us-west-2", "ecs", std::chrono::system_clock::now())
        .headers;
  };
  return d;
}

// The agent side on its own thread: the real session with every responder.
void run_agent(asio::io_context& io, const std::string& endpoint, const wsclient::DialOptions& dial,
               StopSource& stop) {
  SteadyClock clock;
  RandomJitter jitter;
  acs::NoMetrics metrics;
  app::HealthDoctor doctor;
  test::InMemoryAgent agent(clock);
  const acs::Collaborators c = agent.handlers.collaborators(doctor, metrics, /*confirm_resources=*/false);
  acs::ResponderSet responders(c, "20.10.24", {}, nullptr, nullptr);
  StaticDiscovery discovery(endpoint);
  acs::WebsocketConnectionFactory factory(io.get_executor(), dial, {}, jitter, metrics);
  acs::SessionOptions o;
  o.cluster = "default";
  o.container_instance_arn = "arn:aws:ecs:us-west-2:123456789012:container-instance/default/bench";
  o.agent_version = "bench";
  acs::Session session(
      o, discovery, factory, [&](const std::shared_ptr<acs::Connection>& cl) { responders.register_all(cl); },
      clock, jitter, [] {}, metrics);
  asio::co_spawn(io, session.start(stop), asio::detached);
  io.run();
}

// The baseline: the same dial and TLS, then echo every frame as is.
void run_echo(asio::io_context& io, const std::string& endpoint, const wsclient::DialOptions& dial,
              StopSource& stop) {
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        wsclient::Dialer dialer(dial);
        auto r = co_await dialer.dial(*parse_url(endpoint + "/ws"));
        if (!r) co_return;
        auto ws = std::move(r->socket);
        auto* raw = ws.get();
        stop.on_stop([raw] { beast::get_lowest_layer(*raw).close(); });
        beast::flat_buffer buffer;
        error_code ec;
        for (;;) {
          co_await ws->async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;
          ws->text(true);
          co_await ws->async_write(buffer.data(), asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;
          buffer.consume(buffer.size());
        }
      },
      asio::detached);
  io.run();
}

struct Figures {
  double acks_per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
};

Figures measure(const char* name, bool agent, const test::TestCa& ca, const test::TempDir& dir) {
  LoadServer server(ca.issue());
  auto connected = server.connected();
  asio::io_context io;
  StopSource stop;
  const auto dial = dial_options(ca, dir);
  std::thread side([&] {
    if (agent) {
      run_agent(io, server.endpoint(), dial, stop);
    } else {
      run_echo(io, server.endpoint(), dial, stop);
    }
  });
  connected.wait();
  server.run(1000, 0s);  // warm-up
  const auto t0 = Clock::now();
  const auto burst = server.run(20000, 0s);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  auto paced = server.run(3000, 1ms);
  std::sort(paced.begin(), paced.end());
  auto us = [](Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); };
  Figures f{static_cast<double>(burst.size()) / seconds, us(paced[paced.size() / 2]),
            us(paced[paced.size() * 99 / 100])};
  std::printf("%-34s %12.0f acks/s   p50 %8.1f us   p99 %8.1f us\n", name, f.acks_per_second, f.p50_us,
              f.p99_us);
  asio::post(io, [&] { stop.stop(); });  // the session ends; io.run() returns when nothing is left
  side.join();
  return f;
}

}  // namespace

int main() {
  ecs::test::TestCa ca;
  ecs::test::TempDir dir;
  std::printf("Heartbeat -> ack over loopback TLS (20,000 back to back; then 1,000/s for 3 s)\n");
  const Figures echo = measure("baseline: bare websocket echo", false, ca, dir);
  const Figures agent = measure("agent: session + responders", true, ca, dir);
  std::printf("\nRatios (agent / baseline, same run):\n");
  std::printf("  throughput %.2fx   p50 %.2fx   p99 %.2fx\n", agent.acks_per_second / echo.acks_per_second,
              agent.p50_us / echo.p50_us, agent.p99_us / echo.p99_us);
  std::printf("Goals: >= 20000 acks/s: %s; p99 <= 2 ms at 1000/s: %s\n",
              agent.acks_per_second >= 20000 ? "met" : "NOT met", agent.p99_us <= 2000 ? "met" : "NOT met");
  return 0;
}
