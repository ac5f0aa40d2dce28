// Runs servers (ecs::server::HttpServer and friends) on their own io_context and thread, so a
// test's client code can run on the test thread like a real agent talking to a remote peer.
#pragma once

#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

#include "core/asio.h"
#include "server/http_server.h"

namespace ecs::localcp {

class ServerThread {
 public:
  ServerThread() : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~ServerThread() {
    call([this] {
      for (auto& s : servers_) s->stop();
    });
    work_.reset();
    io_.stop();
    thread_.join();
  }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  asio::io_context& io() { return io_; }

  // Runs fn on the server thread and waits for it.
  template <class F>
  auto call(F fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  // Starts an HTTP(S) server on 127.0.0.1 (port 0: a free one) and returns its port.
  std::uint16_t start_http(server::Handler handler, server::HttpServerOptions options = {},
                           std::uint16_t port = 0) {
    return call([&]() -> std::uint16_t {
      auto s =
          server::HttpServer::start(io_.get_executor(), {"127.0.0.1", port}, std::move(handler), options);
      if (!s) throw std::runtime_error(s.error().message);
      servers_.push_back(*s);
      return (*s)->port();
    });
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::vector<std::shared_ptr<server::HttpServer>> servers_;
  std::thread thread_;
};

}  // namespace ecs::localcp
