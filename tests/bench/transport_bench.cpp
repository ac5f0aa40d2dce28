// Transport costs next to their baselines: SigV4 signing vs the raw SHA-256/HMAC work on the
// same bytes; the mbedTLS handshake vs a plain TCP connect; 1 MiB over TLS vs over TCP (loopback).
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <thread>

#include "aws/sigv4.h"
#include "core/asio.h"
#include "core/digest.h"
#include "core/url.h"
#include "ratio_reporter.h"
#include "support/test_ca.h"
#include "tls/context.h"
#include "tls/stream.h"

namespace {

using namespace ecs;
using tcp = asio::ip::tcp;
namespace beast = boost::beast;

const aws::Credentials kCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "TOKEN",
                              std::nullopt, "bench"};
const auto kTime = std::chrono::system_clock::from_time_t(1704067200);
const char* kAcsUrl =
    "wss://ecs-a-1.us-west-2.amazonaws.com/ws?agentHash=ffffffff&agentVersion=1.23.4&clusterArn=default&"
    "containerInstanceArn=arn%3Aaws%3Aecs%3Aus-west-2%3A123456789012%3Acontainer-instance%2Fa1b2c3d4-5678-"
    "90ab-"
    "cdef-11111EXAMPLE&dockerVersion=DockerVersion%3A+1.2.3&protocolVersion=2&sendCredentials=true&seqNum=1";

// The hashing SigV4 cannot avoid for one request: the canonical request's SHA-256, the
// four-step key derivation and the final HMAC, over exactly the bytes the signer produced.
void raw_signing_work(const aws::SigningResult& r, const std::string& body) {
  if (!body.empty()) benchmark::DoNotOptimize(sha256(body));
  benchmark::DoNotOptimize(sha256(r.canonical_request));
  const Sha256 k1 = hmac_sha256("AWS4" + kCreds.secret_access_key, "20240101");
  const Sha256 k2 = hmac_sha256(k1, "us-west-2");
  const Sha256 k3 = hmac_sha256(k2, "ecs");
  const Sha256 k4 = hmac_sha256(k3, "aws4_request");
  benchmark::DoNotOptimize(hmac_sha256(k4, r.string_to_sign));
}

void BM_SignAcsUpgrade(benchmark::State& state) {
  const Url url = *parse_url(kAcsUrl);
  for (auto _ : state)
    benchmark::DoNotOptimize(aws::sign_upgrade_request(url, kCreds, "us-west-2", "ecs", kTime));
}
BENCHMARK(BM_SignAcsUpgrade);

void BM_SignAcsUpgrade_RawHashing(benchmark::State& state) {
  const auto r = aws::sign_upgrade_request(*parse_url(kAcsUrl), kCreds, "us-west-2", "ecs", kTime);
  for (auto _ : state) raw_signing_work(r, "");
}
BENCHMARK(BM_SignAcsUpgrade_RawHashing);

aws::RequestToSign ecs_request(const std::string& body) {
  aws::RequestToSign req;
  req.method = "POST";
  req.headers = {{"Host", "ecs.us-west-2.amazonaws.com"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DiscoverPollEndpoint"}};
  req.body = body;
  return req;
}
const std::string kDpeBody =
    R"({"cluster":"default","containerInstance":"arn:aws:ecs:us-west-2:123456789012:container-instance/default/abc","zoneId":""})";

void BM_SignEcsApiRequest(benchmark::State& state) {
  const auto req = ecs_request(kDpeBody);
  aws::SigningOptions o;
  o.region = "us-west-2";
  o.service = "ecs";
  o.time = kTime;
  for (auto _ : state) benchmark::DoNotOptimize(aws::sign_headers(req, kCreds, o));
}
BENCHMARK(BM_SignEcsApiRequest);

void BM_SignEcsApiRequest_RawHashing(benchmark::State& state) {
  aws::SigningOptions o;
  o.region = "us-west-2";
  o.service = "ecs";
  o.time = kTime;
  const auto r = aws::sign_headers(ecs_request(kDpeBody), kCreds, o);
  for (auto _ : state) raw_signing_work(r, kDpeBody);
}
BENCHMARK(BM_SignEcsApiRequest_RawHashing);

// ---- loopback servers on their own thread ------------------------------------------------
constexpr std::size_t kMiB = 1 << 20;

class Server {
 public:
  explicit Server(std::shared_ptr<const tls::Context> tls)
      : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}), tls_(std::move(tls)) {
    asio::co_spawn(io_, accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Server() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::awaitable<void> accept() {
    for (;;) {
      auto s = co_await acceptor_.async_accept(asio::use_awaitable);
      asio::co_spawn(io_, serve(std::move(s)), asio::detached);
    }
  }
  // Each byte received is a request for 1 MiB back.
  asio::awaitable<void> serve(tcp::socket socket) {
    socket.set_option(tcp::no_delay(true));
    tls::Stream<beast::tcp_stream> s(beast::tcp_stream(std::move(socket)), tls_);
    error_code ec;
    co_await s.async_handshake(asio::redirect_error(asio::use_awaitable, ec));
    static const std::string payload(kMiB, 'p');
    char b;
    while (!ec) {
      co_await s.async_read_some(asio::buffer(&b, 1), asio::redirect_error(asio::use_awaitable, ec));
      if (!ec)
        co_await asio::async_write(s, asio::buffer(payload), asio::redirect_error(asio::use_awaitable, ec));
    }
  }
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::shared_ptr<const tls::Context> tls_;
  std::thread thread_;
};

struct Fixture {
  test::TestCa ca;
  test::TestCertificate cert = ca.issue();
  std::shared_ptr<const tls::Context> server_ctx = *tls::Context::server(cert.chain_pem, cert.key_pem);
  std::shared_ptr<const tls::Context> client_ctx = [this] {
    tls::TrustStoreOptions o;
    o.use_embedded = false;
    char dir[] = "/tmp/ecs-bench.XXXXXX";
    o.extra_bundle_path = ca.write_pem_file(mkdtemp(dir));
    return *tls::Context::client(*tls::TrustStore::load(o));
  }();
  Server tls_server{server_ctx};
  Server tcp_server{nullptr};
};
Fixture& fixture() {
  static Fixture f;
  return f;
}

using Client = tls::Stream<beast::tcp_stream>;

std::unique_ptr<Client> connect(asio::io_context& io, bool secure) {
  Fixture& f = fixture();
  auto c = std::make_unique<Client>(beast::tcp_stream(io), secure ? f.client_ctx : nullptr);
  (void)c->set_server_name("localhost");
  c->next_layer().connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), secure ? f.tls_server.port() : f.tcp_server.port()));
  c->next_layer().socket().set_option(tcp::no_delay(true));
  error_code ec;
  c->handshake(ec);
  if (ec) throw std::runtime_error(ec.message());
  return c;
}

void BM_TlsHandshakeLoopback(benchmark::State& state) {
  asio::io_context io;
  for (auto _ : state) benchmark::DoNotOptimize(connect(io, true));
}
BENCHMARK(BM_TlsHandshakeLoopback)->Unit(benchmark::kMicrosecond);

void BM_TcpConnectLoopback(benchmark::State& state) {
  asio::io_context io;
  for (auto _ : state) benchmark::DoNotOptimize(connect(io, false));
}
BENCHMARK(BM_TcpConnectLoopback)->Unit(benchmark::kMicrosecond);

void transfer(benchmark::State& state, bool secure) {
  asio::io_context io;
  auto c = connect(io, secure);
  std::vector<char> buf(kMiB);
  for (auto _ : state) {
    asio::write(*c, asio::buffer("x", 1));
    asio::read(*c, asio::buffer(buf));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kMiB));
}
void BM_Transfer1MiBTls(benchmark::State& state) { transfer(state, true); }
void BM_Transfer1MiBTcp(benchmark::State& state) { transfer(state, false); }
BENCHMARK(BM_Transfer1MiBTls)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Transfer1MiBTcp)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  ecs::bench::compare("BM_SignAcsUpgrade", "BM_SignAcsUpgrade_RawHashing");
  ecs::bench::compare("BM_SignEcsApiRequest", "BM_SignEcsApiRequest_RawHashing");
  ecs::bench::compare("BM_TlsHandshakeLoopback", "BM_TcpConnectLoopback");
  ecs::bench::compare("BM_Transfer1MiBTls", "BM_Transfer1MiBTcp");
  return ecs::bench::run_main(argc, argv);
}
