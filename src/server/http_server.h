// A small HTTP/1.1 server on the io thread (Beast): plain or TLS, keep-alive, with limits on
// request size and on the time to read a request and write a response, so that a hostile or
// stalled client costs one bounded connection. Requests go to one coroutine handler; websocket
// upgrades can be handed over instead.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "core/address.h"
#include "core/asio.h"
#include "core/error.h"
#include "tls/stream.h"

namespace ecs::server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using TlsStream = tls::Stream<boost::beast::tcp_stream>;

struct Peer {
  std::string address;  // ip:port of the client
};

using Handler = std::function<asio::awaitable<Response>(Request& request, const Peer& peer)>;
// Takes over a connection whose request is a websocket upgrade (the request is not answered).
using TlsUpgradeHandler =
    std::function<asio::awaitable<void>(TlsStream stream, Request request, const Peer& peer)>;
using PlainUpgradeHandler =
    std::function<asio::awaitable<void>(boost::beast::tcp_stream stream, Request request, const Peer& peer)>;

struct HttpServerOptions {
  std::shared_ptr<const tls::Context> tls;  // null: plain HTTP
  std::size_t max_header_bytes = std::size_t{8} * 1024;
  std::size_t max_body_bytes = std::size_t{1024} * 1024;
  std::chrono::milliseconds read_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds write_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
  std::size_t max_connections = 256;
  TlsUpgradeHandler on_tls_upgrade;
  PlainUpgradeHandler on_plain_upgrade;
};

// A response with a body and content type, ready to send.
Response make_response(const Request& request, http::status status, std::string body,
                       std::string_view content_type = "application/json");

class HttpServer : public std::enable_shared_from_this<HttpServer> {
 public:
  // Binds and starts accepting. Port 0 picks a free port (see port()).
  static Result<std::shared_ptr<HttpServer>> start(asio::any_io_executor executor, const HostPort& address,
                                                   Handler handler, HttpServerOptions options = {});
  ~HttpServer();

  std::uint16_t port() const { return port_; }
  // Stops accepting and closes every open connection.
  void stop();
  std::size_t open_connections() const { return connections_.size(); }

 private:
  HttpServer(asio::any_io_executor executor, Handler handler, HttpServerOptions options);
  asio::awaitable<void> accept_loop();
  template <class Stream>
  asio::awaitable<void> serve(std::shared_ptr<HttpServer> self, Stream& stream, Peer peer);
  asio::awaitable<void> serve_connection(std::shared_ptr<HttpServer> self, asio::ip::tcp::socket socket);

  asio::any_io_executor executor_;
  asio::ip::tcp::acceptor acceptor_;
  Handler handler_;
  HttpServerOptions options_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
  std::set<boost::beast::tcp_stream*> connections_;
};

}  // namespace ecs::server
