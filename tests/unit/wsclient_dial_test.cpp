// Dialling websockets: TLS verification, the signed upgrade, proxies, plain ws, rejections.
#include "platform/environment.h"
#include "wsclient/dial.h"

#include <gtest/gtest.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "aws/sigv4_verify.h"
#include "support/connect_proxy.h"
#include "support/env.h"
#include "support/fake_names.h"
#include "support/run.h"
#include "support/server_thread.h"
#include "support/tcp_responder.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"
#include "tls/errors.h"

namespace ecs::wsclient {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;

const aws::Credentials kCreds{"AKIDWSTEST", "ws-secret-never-logged", "ws-token", std::nullopt, "test"};

struct SeenUpgrade {
  std::string target;
  std::string host;
  bool signature_ok = false;
  std::string signature_error;
};

// Accepts websocket upgrades, checks their SigV4 signature and echoes one message.
template <class Stream>
asio::awaitable<void> accept_and_echo(Stream stream, server::Request request, std::mutex& m,
                                      std::vector<SeenUpgrade>& seen) {
  SeenUpgrade s;
  s.target = std::string(request.target());
  s.host = std::string(request[server::http::field::host]);
  aws::ReceivedRequest received{"GET", s.target, {}, ""};
  for (const auto& f : request)
    received.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  auto verified = aws::verify_signature(
      received,
      [](const std::string& id) -> std::optional<std::string> {
        return id == kCreds.access_key_id ? std::optional<std::string>(kCreds.secret_access_key)
                                          : std::nullopt;
      },
      std::chrono::system_clock::now());
  s.signature_ok = static_cast<bool>(verified);
  if (!verified) s.signature_error = verified.error().message;
  {
    std::lock_guard lock(m);
    seen.push_back(s);
  }
  websocket::stream<Stream> ws(std::move(stream));
  error_code ec;
  co_await ws.async_accept(request, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  beast::flat_buffer buffer;
  co_await ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  co_await ws.async_write(buffer.data(), asio::redirect_error(asio::use_awaitable, ec));
}

class DialTest : public ::testing::Test {
 protected:
  std::uint16_t wss_server(std::vector<std::string> names = {"localhost"}) {
    test::CertificateSpec spec;
    spec.dns_names = names;
    spec.common_name = names.front();
    auto cert = ca_.issue(spec);
    server::HttpServerOptions options;
    options.tls = *tls::Context::server(cert.chain_pem, cert.key_pem);
    options.on_tls_upgrade = [this](server::TlsStream s, server::Request r, const server::Peer&) {
      return accept_and_echo(std::move(s), std::move(r), mutex_, seen_);
    };
    return servers_.start_http(reject_all, options);
  }
  std::uint16_t ws_server() {
    server::HttpServerOptions options;
    options.on_plain_upgrade = [this](beast::tcp_stream s, server::Request r, const server::Peer&) {
      return accept_and_echo(std::move(s), std::move(r), mutex_, seen_);
    };
    return servers_.start_http(reject_all, options);
  }
  static asio::awaitable<server::Response> reject_all(server::Request& req, const server::Peer&) {
    co_return server::make_response(req, server::http::status::bad_request,
                                    R"({"InvalidClusterException":"Invalid cluster"})");
  }

  DialOptions options(bool trust_test_ca = true) {
    tls::TrustStoreOptions t;
    if (trust_test_ca) t.extra_bundle_path = ca_.write_pem_file(dir_.path());
    DialOptions o;
    o.tls = *tls::Context::client(*tls::TrustStore::load(t));
    o.sign = [](const Url& url) -> asio::awaitable<Result<aws::Headers>> {
      co_return aws::sign_upgrade_request(url, kCreds, "us-west-2", "ecs", std::chrono::system_clock::now())
          .headers;
    };
    return o;
  }

  // Dials, sends "ping", returns the echo (or the error message).
  std::string dial_and_ping(Dialer& dialer, const std::string& url, error_code* code = nullptr) {
    return test::run([&]() -> asio::awaitable<std::string> {
      auto r = co_await dialer.dial(*parse_url(url));
      if (!r) {
        if (code != nullptr) *code = r.error().code;
        co_return "error: " + r.error().message;
      }
      WebSocket& ws = *r->socket;
      co_await ws.async_write(asio::buffer(std::string("ping")), asio::use_awaitable);
      beast::flat_buffer buffer;
      co_await ws.async_read(buffer, asio::use_awaitable);
      co_return beast::buffers_to_string(buffer.data());
    }());
  }

  std::vector<SeenUpgrade> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

  test::TestCa ca_;
  test::TempDir dir_;
  test::ServerThread servers_;
  std::mutex mutex_;
  std::vector<SeenUpgrade> seen_;
};

TEST_F(DialTest, WssVerifiesTheServerWithAwsCaBundleAndSignsTheUpgrade) {
  const auto port = wss_server();
  test::ScopedEnv bundle("AWS_CA_BUNDLE", ca_.write_pem_file(dir_.path()));
  DialOptions o = options(false);
  o.tls = *tls::Context::client(
      *tls::TrustStore::load(tls::TrustStoreOptions::from_environment(platform::process_environment())));
  Dialer dialer(o);
  const std::string url = "https://localhost:" + std::to_string(port) + "/ws?clusterArn=default&seqNum=1";
  EXPECT_EQ(dial_and_ping(dialer, url), "ping");
  const auto s = seen();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].target, "/ws?clusterArn=default&seqNum=1");
  EXPECT_EQ(s[0].host, "localhost:" + std::to_string(port));
  EXPECT_TRUE(s[0].signature_ok) << s[0].signature_error;
}

TEST_F(DialTest, RefusesAServerWhoseCertificateIsForAnotherName) {
  const auto port = wss_server({"not-localhost.example"});
  Dialer dialer(options());
  error_code code;
  const std::string r = dial_and_ping(dialer, "https://localhost:" + std::to_string(port) + "/ws", &code);
  EXPECT_EQ(code, tls::TlsErrc::name_mismatch) << r;
  EXPECT_TRUE(seen().empty());
}

TEST_F(DialTest, RefusesAServerFromAnUntrustedCa) {
  const auto port = wss_server();
  Dialer dialer(options(false));
  error_code code;
  dial_and_ping(dialer, "https://localhost:" + std::to_string(port) + "/ws", &code);
  EXPECT_EQ(code, tls::TlsErrc::unknown_ca);
}

TEST_F(DialTest, TunnelsThroughAConnectProxy) {
  const auto port = wss_server({test::kProxiedHost});
  test::ConnectProxy proxy;
  DialOptions o = options();
  o.proxy = *aws::ProxyConfig::from_values(proxy.url(), "", "");
  Dialer dialer(o);
  const std::string url = std::string("https://") + test::kProxiedHost + ":" + std::to_string(port) + "/ws";
  EXPECT_EQ(dial_and_ping(dialer, url), "ping");
  EXPECT_EQ(proxy.targets(),
            std::vector<std::string>{std::string(test::kProxiedHost) + ":" + std::to_string(port)});
  ASSERT_EQ(seen().size(), 1u);
  EXPECT_TRUE(seen()[0].signature_ok) << seen()[0].signature_error;
}

TEST_F(DialTest, DeadProxyIsAConnectErrorNamingTheProxy) {
  std::uint16_t dead;
  {
    test::TcpResponder r("x");
    dead = r.port();
  }
  DialOptions o = options();
  o.proxy = *aws::ProxyConfig::from_values("http://127.0.0.1:" + std::to_string(dead), "", "");
  Dialer dialer(o);
  error_code code;
  const std::string r = dial_and_ping(dialer, "https://ecs.us-west-2.amazonaws.com/ws", &code);
  EXPECT_EQ(code, DialErrc::connect_failed) << r;
  EXPECT_NE(r.find("via proxy 127.0.0.1:" + std::to_string(dead)), std::string::npos) << r;
}

TEST_F(DialTest, HttpEndpointDialsPlainWebsocket) {
  const auto port = ws_server();
  Dialer dialer(options());
  EXPECT_EQ(dial_and_ping(dialer, "http://127.0.0.1:" + std::to_string(port) + "/ws"), "ping");
  EXPECT_TRUE(seen().at(0).signature_ok) << seen().at(0).signature_error;
}

TEST_F(DialTest, UnknownSchemeIsAnError) {
  Dialer dialer(options());
  error_code code;
  const std::string r = dial_and_ping(dialer, "ftp://endpoint.tld/ws", &code);
  EXPECT_EQ(code, DialErrc::unknown_scheme);
  EXPECT_NE(r.find("wsclient: unknown scheme ftp"), std::string::npos) << r;
  EXPECT_EQ(websocket_url(*parse_url("http://h"))->scheme, "ws");
  EXPECT_EQ(websocket_url(*parse_url("https://h"))->scheme, "wss");
}

TEST_F(DialTest, RejectedUpgradeKeepsStatusAndBody) {
  server::HttpServerOptions o;  // no upgrade handler: every upgrade gets the 400 below
  const auto port = servers_.start_http(reject_all, o);
  Dialer dialer(options());
  error_code code;
  dial_and_ping(dialer, "http://127.0.0.1:" + std::to_string(port) + "/ws", &code);
  EXPECT_EQ(code, DialErrc::upgrade_rejected);
  ASSERT_TRUE(dialer.last_rejection());
  EXPECT_EQ(dialer.last_rejection()->status, 400u);
  EXPECT_EQ(dialer.last_rejection()->body, R"({"InvalidClusterException":"Invalid cluster"})");
}

TEST_F(DialTest, SilentServerIsAHandshakeTimeout) {
  test::TcpResponder silent("");
  DialOptions o = options();
  o.handshake_timeout = 200ms;
  Dialer dialer(o);
  error_code code;
  dial_and_ping(dialer, "https://localhost:" + std::to_string(silent.port()) + "/ws", &code);
  EXPECT_EQ(code, tls::TlsErrc::handshake_timeout);
}

}  // namespace
}  // namespace ecs::wsclient
