#include "support/connect_proxy.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <memory>

#include "support/fake_names.h"

namespace ecs::test {

using tcp = asio::ip::tcp;

ConnectProxy::ConnectProxy() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

ConnectProxy::~ConnectProxy() {
  io_.stop();
  thread_.join();
}

std::vector<std::string> ConnectProxy::targets() const {
  std::lock_guard lock(mutex_);
  return targets_;
}

asio::awaitable<void> ConnectProxy::accept_loop() {
  for (;;) {
    tcp::socket s = co_await acceptor_.async_accept(asio::use_awaitable);
    asio::co_spawn(io_, tunnel(std::move(s)), asio::detached);
  }
}

namespace {

asio::awaitable<void> pump(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
  char buf[16384];
  boost::system::error_code ec;
  for (;;) {
    std::size_t n =
        co_await from->async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    co_await asio::async_write(*to, asio::buffer(buf, n), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
  }
  to->shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace

asio::awaitable<void> ConnectProxy::tunnel(tcp::socket client_socket) {
  auto client = std::make_shared<tcp::socket>(std::move(client_socket));
  boost::system::error_code ec;
  asio::streambuf head;
  const std::size_t n = co_await asio::async_read_until(*client, head, "\r\n\r\n",
                                                        asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  std::string request(asio::buffers_begin(head.data()), asio::buffers_begin(head.data()) + n);
  head.consume(n);
  if (!request.starts_with("CONNECT ")) {
    co_await asio::async_write(*client, asio::buffer(std::string("HTTP/1.1 405 Method Not Allowed\r\n\r\n")),
                               asio::redirect_error(asio::use_awaitable, ec));
    co_return;
  }
  const std::string target = request.substr(8, request.find(' ', 8) - 8);
  {
    std::lock_guard lock(mutex_);
    targets_.push_back(target);
  }
  const auto colon = target.rfind(':');
  auto upstream = std::make_shared<tcp::socket>(io_);
  tcp::resolver resolver(io_);
  std::string host = target.substr(0, colon);
  if (host == kProxiedHost) host = "127.0.0.1";  // only the proxy knows where this name lives
  auto endpoints = co_await resolver.async_resolve(host, target.substr(colon + 1),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) co_await asio::async_connect(*upstream, endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_await asio::async_write(*client, asio::buffer(std::string("HTTP/1.1 502 Bad Gateway\r\n\r\n")),
                               asio::redirect_error(asio::use_awaitable, ec));
    co_return;
  }
  co_await asio::async_write(*client,
                             asio::buffer(std::string("HTTP/1.1 200 Connection established\r\n\r\n")),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (head.size() > 0) {  // bytes the client sent right after the CONNECT
    co_await asio::async_write(*upstream, head.data(), asio::redirect_error(asio::use_awaitable, ec));
  }
  asio::co_spawn(io_, pump(client, upstream), asio::detached);
  co_await pump(upstream, client);
}

}  // namespace ecs::test
