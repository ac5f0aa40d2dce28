// A loopback TCP server on its own thread that answers each connection with fixed bytes, or
// accepts and stays silent: enough to probe clients' handling of answers and stalls.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include "core/asio.h"

namespace ecs::test {

class TcpResponder {
 public:
  enum class When { after_request_headers, on_connect };
  enum class Then { close, stay_open };
  // reply empty: accept and never answer (the connection stays open until destruction).
  // Then::stay_open: after the reply keep the connection open and silent (a stalled peer).
  explicit TcpResponder(std::string reply, When when = When::after_request_headers, Then then = Then::close);
  ~TcpResponder();
  TcpResponder(const TcpResponder&) = delete;
  TcpResponder& operator=(const TcpResponder&) = delete;

  std::uint16_t port() const { return port_; }
  int connections() const { return connections_; }

 private:
  asio::awaitable<void> serve();
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::string reply_;
  When when_;
  Then then_;
  std::uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

}  // namespace ecs::test
