#include "support/tls_server.h"

#include <stdexcept>

namespace ecs::test {

using tcp = asio::ip::tcp;

TlsTestServer::TlsTestServer(const TestCertificate& certificate, Handler handler)
    : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), handler_(std::move(handler)) {
  auto ctx = tls::Context::server(certificate.chain_pem, certificate.key_pem, [this](std::string_view name) {
    std::lock_guard lock(mutex_);
    names_.emplace_back(name);
  });
  if (!ctx) throw std::runtime_error(ctx.error().message);
  context_ = *ctx;
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

TlsTestServer::~TlsTestServer() {
  io_.stop();
  thread_.join();
}

std::vector<std::string> TlsTestServer::server_names() const {
  std::lock_guard lock(mutex_);
  return names_;
}

int TlsTestServer::handshakes() const {
  std::lock_guard lock(mutex_);
  return handshakes_;
}

asio::awaitable<void> TlsTestServer::accept_loop() {
  for (;;) {
    tcp::socket socket = co_await acceptor_.async_accept(asio::use_awaitable);
    asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> TlsTestServer::serve(tcp::socket socket) {
  Stream stream(boost::beast::tcp_stream(std::move(socket)), context_);
  stream.next_layer().expires_after(std::chrono::seconds(10));
  boost::system::error_code ec;
  co_await stream.async_handshake(asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  stream.next_layer().expires_never();
  {
    std::lock_guard lock(mutex_);
    ++handshakes_;
  }
  try {
    co_await handler_(stream);
  } catch (const std::exception&) {
    // A client that went away mid-test is not the server's problem.
  }
}

}  // namespace ecs::test
