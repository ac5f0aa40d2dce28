// A loopback TLS server on its own thread, with a certificate from a TestCa: each accepted
// connection is handshaken and handed to a coroutine. Records the SNI names clients sent.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/asio.h"
#include "support/test_ca.h"
#include "tls/stream.h"

namespace ecs::test {

class TlsTestServer {
 public:
  using Stream = tls::Stream<boost::beast::tcp_stream>;
  using Handler = std::function<asio::awaitable<void>(Stream&)>;

  TlsTestServer(const TestCertificate& certificate, Handler handler);
  ~TlsTestServer();
  TlsTestServer(const TlsTestServer&) = delete;
  TlsTestServer& operator=(const TlsTestServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::vector<std::string> server_names() const;
  int handshakes() const;

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(asio::ip::tcp::socket socket);

  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<const tls::Context> context_;
  Handler handler_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::vector<std::string> names_;
  int handshakes_ = 0;
  std::thread thread_;
};

}  // namespace ecs::test
