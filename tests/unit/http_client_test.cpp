// The libcurl + mbedTLS client against loopback servers with a generated CA.
#include "aws/http_client.h"
#include "platform/environment.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "support/connect_proxy.h"
#include "support/env.h"
#include "support/fake_names.h"
#include "support/server_thread.h"
#include "support/tcp_responder.h"
#include "support/temp_dir.h"
#include "support/test_ca.h"

namespace ecs::aws {
namespace {

using namespace std::chrono_literals;
namespace http = server::http;

HttpRequest get(const std::string& url, std::chrono::milliseconds timeout = 42s) {
  HttpRequest r;
  r.url = url;
  r.timeout = timeout;
  return r;
}

class HttpClientTest : public ::testing::Test {
 protected:
  // An HTTPS server on the server thread presenting a certificate for `names`.
  // `idle_close`: how long the server keeps an idle connection open.
  std::uint16_t https_server(std::vector<std::string> names = {"localhost"},
                             std::chrono::milliseconds idle_close = 5s) {
    test::CertificateSpec spec;
    spec.dns_names = names;
    spec.common_name = names.front();
    auto cert = ca_.issue(spec);
    server::HttpServerOptions options;
    options.tls = *tls::Context::server(cert.chain_pem, cert.key_pem);
    options.read_timeout = idle_close;
    return servers_.start_http(
        [this](server::Request& req, const server::Peer& peer) -> asio::awaitable<server::Response> {
          ++requests_;
          {
            std::lock_guard lock(peers_mutex_);
            peers_.push_back(peer.address);
          }
          co_return server::make_response(req, http::status::ok,
                                          "{\"echo\":\"" + std::string(req.target()) + "\"}");
        },
        options);
  }

  HttpClient client(bool trust_test_ca, ProxyConfig proxy = {}) {
    tls::TrustStoreOptions o;
    if (trust_test_ca) o.extra_bundle_path = ca_.write_pem_file(dir_.path());
    HttpClientOptions options;
    options.trust = *tls::TrustStore::load(o);
    options.proxy = proxy;
    return HttpClient(options);
  }

  test::TestCa ca_;
  test::TempDir dir_;
  test::ServerThread servers_;
  std::atomic<int> requests_{0};
  std::mutex peers_mutex_;
  std::vector<std::string> peers_;  // the client address of each request, in order

  std::vector<std::string> peers() {
    std::lock_guard lock(peers_mutex_);
    return peers_;
  }
};

TEST_F(HttpClientTest, HttpsRequestVerifiedWithCaFromAwsCaBundle) {
  const auto port = https_server();
  test::ScopedEnv bundle("AWS_CA_BUNDLE", ca_.write_pem_file(dir_.path()));
  HttpClientOptions options;
  options.trust =
      *tls::TrustStore::load(tls::TrustStoreOptions::from_environment(platform::process_environment()));
  HttpClient c(options);
  auto r = c.perform(get("https://localhost:" + std::to_string(port) + "/hello"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "{\"echo\":\"/hello\"}");
  EXPECT_EQ(r->header("content-type"), "application/json");
}

// Each state change to ECS is one request; a new TCP+TLS connection for each was most of the
// time between a container's exit and its report (engine_bench).
TEST_F(HttpClientTest, RequestsOneAfterAnotherShareOneConnection) {
  const auto port = https_server();
  const auto c = client(true);
  const std::string url = "https://localhost:" + std::to_string(port) + "/";
  for (int i = 0; i < 3; ++i) {
    auto r = c.perform(get(url + std::to_string(i)));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200u);
  }
  HttpRequest post = get(url + "post");
  post.method = "POST";
  post.body = "{}";
  auto copy = c;  // a copy (as the ECS client keeps one) uses the same connections
  auto r = copy.perform(post);
  ASSERT_TRUE(r) << r.error().message;
  const auto seen = peers();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 1u) << "one client port for all four";
}

TEST_F(HttpClientTest, AConnectionTheServerClosedWhileIdleIsReplaced) {
  const auto port = https_server({"localhost"}, 100ms);
  const auto c = client(true);
  const std::string url = "https://localhost:" + std::to_string(port) + "/";
  ASSERT_TRUE(c.perform(get(url + "first")));
  std::this_thread::sleep_for(400ms);  // the server closes the idle connection after 100 ms
  HttpRequest post = get(url + "second");
  post.method = "POST";
  post.body = "{\"x\":1}";
  auto r = c.perform(post);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "{\"echo\":\"/second\"}");
  const auto seen = peers();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[0], seen[1]) << "a new connection";
}

TEST_F(HttpClientTest, ConcurrentRequestsFromManyThreadsAllSucceed) {
  const auto port = https_server();
  const auto c = client(true);
  const std::string url = "https://localhost:" + std::to_string(port) + "/";
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        if (auto r = c.perform(get(url)); r && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 30);
  EXPECT_EQ(requests_, 30);
}

TEST_F(HttpClientTest, RefusesACertificateForAnotherName) {
  const auto port = https_server({"someone-else.example"});
  auto r = client(true).perform(get("https://localhost:" + std::to_string(port) + "/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::tls_verification_failed) << r.error().message;
  EXPECT_EQ(requests_, 0);
}

TEST_F(HttpClientTest, RefusesAServerFromAnUnknownCa) {
  const auto port = https_server();
  auto r = client(false).perform(get("https://localhost:" + std::to_string(port) + "/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::tls_verification_failed) << r.error().message;
}

TEST_F(HttpClientTest, HttpsThroughAConnectProxy) {
  const auto port = https_server({test::kProxiedHost});
  test::ConnectProxy proxy;
  const std::string url =
      std::string("https://") + test::kProxiedHost + ":" + std::to_string(port) + "/via-proxy";
  auto config = ProxyConfig::from_values(proxy.url(), "", "");
  ASSERT_TRUE(config);
  auto r = client(true, *config).perform(get(url));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "{\"echo\":\"/via-proxy\"}");
  EXPECT_EQ(proxy.targets(),
            std::vector<std::string>{std::string(test::kProxiedHost) + ":" + std::to_string(port)});
  // Without the proxy the name does not even resolve: the request above really went through it.
  auto direct = client(true).perform(get(url, 5s));
  EXPECT_FALSE(direct);
  // NO_PROXY sends it direct again.
  auto bypass = ProxyConfig::from_values(proxy.url(), "", test::kProxiedHost);
  auto r2 = client(true, *bypass).perform(get(url, 5s));
  EXPECT_FALSE(r2);
  EXPECT_EQ(proxy.targets().size(), 1u);
}

TEST_F(HttpClientTest, ServerThatStallsMidBodyTimesOut) {
  test::TcpResponder stall("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":",
                           test::TcpResponder::When::after_request_headers,
                           test::TcpResponder::Then::stay_open);
  const auto start = std::chrono::steady_clock::now();
  auto r = client(false).perform(get("http://127.0.0.1:" + std::to_string(stall.port()) + "/", 300ms));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::timeout) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(HttpClientTest, GarbageInsteadOfHttpIsATransferError) {
  test::TcpResponder garbage("\x16\x03\x01 not http at all\r\n\r\n");
  auto r = client(false).perform(get("http://127.0.0.1:" + std::to_string(garbage.port()) + "/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::transfer_failed) << r.error().message;
}

TEST_F(HttpClientTest, OversizedResponseIsRefused) {
  test::TcpResponder big("HTTP/1.1 200 OK\r\nContent-Length: 4000\r\n\r\n" + std::string(4000, 'x'));
  HttpClientOptions options;
  options.max_response_bytes = 1000;
  HttpClient c(options);
  auto r = c.perform(get("http://127.0.0.1:" + std::to_string(big.port()) + "/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::response_too_large) << r.error().message;
}

TEST_F(HttpClientTest, RefusedConnectionIsAConnectError) {
  std::uint16_t port;
  {
    test::TcpResponder gone("x");
    port = gone.port();
  }
  auto r = client(false).perform(get("http://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::connect_failed) << r.error().message;
}

}  // namespace
}  // namespace ecs::aws
