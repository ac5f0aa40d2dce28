#include "support/fake_docker_daemon.h"

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace ecs::test {

namespace http = boost::beast::http;
using local = asio::local::stream_protocol;

FakeDockerDaemon::FakeDockerDaemon(Handler handler)
    : socket_path_(dir_.file("docker.sock")),
      handler_(std::move(handler)),
      acceptor_(io_, local::endpoint(socket_path_)) {
  asio::co_spawn(io_, accept_loop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

FakeDockerDaemon::~FakeDockerDaemon() {
  io_.stop();
  thread_.join();
}

std::vector<FakeDockerDaemon::Request> FakeDockerDaemon::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

FakeDockerDaemon::Reply FakeDockerDaemon::version_reply(const std::string& api, const std::string& min_api) {
  Reply r;
  r.body = R"({"Version":"20.10.24","ApiVersion":")" + api + R"(","MinAPIVersion":")" + min_api +
           R"(","Os":"linux","Arch":"amd64"})";
  return r;
}

asio::awaitable<void> FakeDockerDaemon::accept_loop() {
  for (;;) {
    boost::system::error_code ec;
    auto socket = std::make_shared<local::socket>(io_);
    co_await acceptor_.async_accept(*socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    asio::co_spawn(io_, serve(socket), asio::detached);
  }
}

asio::awaitable<void> FakeDockerDaemon::serve(std::shared_ptr<local::socket> socket) {
  boost::system::error_code ec;
  boost::beast::flat_buffer buffer;
  http::request<http::string_body> req;
  co_await http::async_read(*socket, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  Request r{std::string(req.method_string()),
            std::string(req.target()),
            req.body(),
            std::string(req[http::field::content_type]),
            std::string(req[http::field::host]),
            std::string(req["X-Registry-Auth"])};
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(r);
  }
  Reply reply = handler_(r);
  if (reply.stall) {
    stalled_.push_back(socket);
    co_return;
  }
  if (reply.close) {
    socket->close(ec);
    co_return;
  }
  std::string out = reply.raw;
  if (out.empty()) {
    out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\n";
    if (!reply.content_type.empty()) out += "Content-Type: " + reply.content_type + "\r\n";
    if (reply.chunked) {
      out += "Transfer-Encoding: chunked\r\n\r\n";
      // Two chunks, to exercise reassembly.
      const std::size_t half = reply.body.size() / 2;
      for (std::string_view part :
           {std::string_view(reply.body).substr(0, half), std::string_view(reply.body).substr(half)}) {
        if (part.empty()) continue;
        char size[32];
        std::snprintf(size, sizeof size, "%zx", part.size());
        out += std::string(size) + "\r\n" + std::string(part) + "\r\n";
      }
      out += "0\r\n\r\n";
    } else {
      out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
    }
  }
  co_await asio::async_write(*socket, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
  if (reply.keep_open) {
    std::lock_guard lock(mutex_);
    stalled_.push_back(socket);
    co_return;
  }
  socket->shutdown(local::socket::shutdown_both, ec);
}

}  // namespace ecs::test
