#include "support/tcp_responder.h"

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <vector>

namespace ecs::test {

using tcp = asio::ip::tcp;

TcpResponder::TcpResponder(std::string reply, When when, Then then)
    : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
      reply_(std::move(reply)),
      when_(when),
      then_(then) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, serve(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

TcpResponder::~TcpResponder() {
  io_.stop();
  thread_.join();
}

asio::awaitable<void> TcpResponder::serve() {
  std::vector<std::shared_ptr<tcp::socket>> silent;  // kept open until the server stops
  for (;;) {
    auto socket = std::make_shared<tcp::socket>(co_await acceptor_.async_accept(asio::use_awaitable));
    ++connections_;
    if (reply_.empty()) {
      silent.push_back(socket);
      continue;
    }
    boost::system::error_code ec;
    asio::streambuf request;
    if (when_ == When::after_request_headers) {
      co_await asio::async_read_until(*socket, request, "\r\n\r\n",
                                      asio::redirect_error(asio::use_awaitable, ec));
    }
    co_await asio::async_write(*socket, asio::buffer(reply_), asio::redirect_error(asio::use_awaitable, ec));
    if (then_ == Then::stay_open) {
      silent.push_back(socket);
      continue;
    }
    socket->shutdown(tcp::socket::shutdown_both, ec);
  }
}

}  // namespace ecs::test
