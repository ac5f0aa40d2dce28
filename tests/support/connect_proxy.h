// An HTTP CONNECT proxy on loopback (its own thread): tunnels to the requested host:port and
// records every CONNECT target, so tests can prove that traffic went through it.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include "core/asio.h"

namespace ecs::test {

class ConnectProxy {
 public:
  ConnectProxy();
  ~ConnectProxy();
  ConnectProxy(const ConnectProxy&) = delete;
  ConnectProxy& operator=(const ConnectProxy&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> targets() const;  // "host:port" of each CONNECT

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> tunnel(asio::ip::tcp::socket client);
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::vector<std::string> targets_;
  std::thread thread_;
};

}  // namespace ecs::test
