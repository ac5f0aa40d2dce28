#include "server/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "core/log.h"

namespace ecs::server {

namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

template <class Stream>
beast::tcp_stream& lowest(Stream& s) {
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    return s;
  } else {
    return s.next_layer();
  }
}

}  // namespace

Response make_response(const Request& request, http::status status, std::string body,
                       std::string_view content_type) {
  Response res{status, request.version()};
  res.set(http::field::content_type, content_type);
  res.keep_alive(request.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpServer::HttpServer(asio::any_io_executor executor, Handler handler, HttpServerOptions options)
    : executor_(executor), acceptor_(executor), handler_(std::move(handler)), options_(std::move(options)) {}

HttpServer::~HttpServer() = default;

Result<std::shared_ptr<HttpServer>> HttpServer::start(asio::any_io_executor executor, const HostPort& address,
                                                      Handler handler, HttpServerOptions options) {
  std::shared_ptr<HttpServer> server(new HttpServer(executor, std::move(handler), std::move(options)));
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address.host, ec);
  if (ec) {
    return make_error(
        ec, "cannot listen on " + address.to_string() + ": '" + address.host + "' is not an IP address");
  }
  const tcp::endpoint endpoint(ip, address.port);
  server->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) server->acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) server->acceptor_.bind(endpoint, ec);
  if (!ec) server->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error(ec, "cannot listen on " + address.to_string() + ": " + ec.message());
  server->port_ = server->acceptor_.local_endpoint().port();
  asio::co_spawn(executor, server->accept_loop(), asio::detached);
  return server;
}

void HttpServer::stop() {
  stopped_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (beast::tcp_stream* s : connections_) {
    s->socket().shutdown(tcp::socket::shutdown_both, ec);
    s->close();
  }
}

asio::awaitable<void> HttpServer::accept_loop() {
  auto self = shared_from_this();
  while (!stopped_) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopped_ || ec == asio::error::operation_aborted) co_return;
      continue;  // e.g. EMFILE: keep serving the connections we have
    }
    if (connections_.size() >= options_.max_connections) {
      socket.close(ec);  // over the limit: refuse rather than queue without bound
      continue;
    }
    asio::co_spawn(executor_, serve_connection(self, std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> HttpServer::serve_connection(std::shared_ptr<HttpServer> self, tcp::socket socket) {
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);  // small responses and frames go out at once
  const auto remote = socket.remote_endpoint(ec);
  Peer peer{ec ? std::string("unknown") : remote.address().to_string() + ":" + std::to_string(remote.port())};
  if (options_.tls) {
    TlsStream stream(beast::tcp_stream(std::move(socket)), options_.tls);
    connections_.insert(&stream.next_layer());
    stream.next_layer().expires_after(options_.handshake_timeout);
    co_await stream.async_handshake(asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      co_await serve(self, stream, peer);
    }
    connections_.erase(&stream.next_layer());
  } else {
    beast::tcp_stream stream(std::move(socket));
    connections_.insert(&stream);
    co_await serve(self, stream, peer);
    connections_.erase(&stream);
  }
}

template <class Stream>
asio::awaitable<void> HttpServer::serve(std::shared_ptr<HttpServer> self, Stream& stream, Peer peer) {
  beast::flat_buffer buffer;
  while (!stopped_) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
    parser.body_limit(options_.max_body_bytes);
    lowest(stream).expires_after(options_.read_timeout);
    boost::system::error_code ec;
    co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    // Boost 1.74's parser does not apply body_limit to a Content-Length body: check it here.
    if (!ec && parser.content_length() && *parser.content_length() > options_.max_body_bytes) {
      ec = http::error::body_limit;
    }
    if (!ec && !parser.is_done()) {
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) {
      if (ec == http::error::header_limit || ec == http::error::body_limit) {
        Request dummy;
        Response res =
            make_response(dummy, http::status::payload_too_large, "{\"message\":\"request too large\"}");
        res.keep_alive(false);
        lowest(stream).expires_after(options_.write_timeout);
        co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      }
      co_return;  // closed, timed out or malformed: drop the connection
    }
    Request request = parser.release();
    if (beast::websocket::is_upgrade(request)) {
      lowest(stream).expires_never();
      if constexpr (std::is_same_v<Stream, TlsStream>) {
        if (options_.on_tls_upgrade) {
          co_await options_.on_tls_upgrade(std::move(stream), std::move(request), peer);
          co_return;
        }
      } else {
        if (options_.on_plain_upgrade) {
          co_await options_.on_plain_upgrade(std::move(stream), std::move(request), peer);
          co_return;
        }
      }
    }
    Response response;
    try {
      response = co_await handler_(request, peer);
    } catch (const std::exception& e) {
      log::error("HTTP handler failed", {{"target", std::string(request.target())}, {"error", e.what()}});
      response =
          make_response(request, http::status::internal_server_error, "{\"message\":\"internal error\"}");
    }
    lowest(stream).expires_after(options_.write_timeout);
    co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !response.keep_alive()) break;
  }
  boost::system::error_code ignored;
  lowest(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
  (void)self;
}

}  // namespace ecs::server
