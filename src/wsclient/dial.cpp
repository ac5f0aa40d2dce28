#include "wsclient/dial.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "core/digest.h"
#include "core/error_category.h"

namespace ecs::wsclient {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

class DialCategory : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "wsclient"; }
  std::string message(int ev) const override {
    switch (static_cast<DialErrc>(ev)) {
      case DialErrc::unknown_scheme:
        return "wsclient: unknown scheme";
      case DialErrc::connect_failed:
        return "websocket: connection failed";
      case DialErrc::connect_timeout:
        return "websocket: connection timed out";
      case DialErrc::proxy_refused:
        return "websocket: proxy refused the tunnel";
      case DialErrc::upgrade_rejected:
        return "websocket: upgrade rejected";
      case DialErrc::upgrade_failed:
        return "websocket: upgrade failed";
      case DialErrc::signing_failed:
        return "websocket: cannot sign the upgrade";
    }
    return "websocket error";
  }
};

std::string basic_auth(const std::string& userinfo) {
  const std::string decoded = percent_decode(userinfo);
  return "Basic " + base64(std::span(reinterpret_cast<const std::uint8_t*>(decoded.data()), decoded.size()));
}

}  // namespace

const boost::system::error_category& dial_category() {
  static const DialCategory c;
  return c;
}

error_code make_error_code(DialErrc e) { return {static_cast<int>(e), dial_category()}; }

Result<Url> websocket_url(const Url& endpoint) {
  Url u = endpoint;
  if (u.scheme == "http") {
    u.scheme = "ws";
  } else if (u.scheme == "https") {
    u.scheme = "wss";
  } else if (u.scheme != "ws" && u.scheme != "wss") {
    return make_error(DialErrc::unknown_scheme, "wsclient: unknown scheme " + endpoint.scheme);
  }
  return u;
}

asio::awaitable<Result<DialResult>> Dialer::dial(const Url& endpoint_url) {
  rejection_.reset();
  auto ws_url = websocket_url(endpoint_url);
  if (!ws_url) co_return ws_url.error();
  const bool secure = ws_url->scheme == "wss";
  if (secure && !options_.tls) {
    co_return make_error(DialErrc::connect_failed, "websocket: wss:// needs a TLS client context");
  }
  const std::string where = ws_url->scheme + "://" + ws_url->authority();

  aws::Headers headers;
  if (options_.sign) {
    auto signed_headers = co_await options_.sign(*ws_url);
    if (!signed_headers) {
      co_return make_error(DialErrc::signing_failed, "websocket: signing the upgrade to " + where +
                                                         " failed: " + signed_headers.error().message);
    }
    headers = std::move(*signed_headers);
  }

  auto executor = co_await asio::this_coro::executor;
  auto socket = std::make_unique<WebSocket>(beast::tcp_stream(executor), secure ? options_.tls : nullptr);
  beast::tcp_stream& tcp_layer = socket->next_layer().next_layer();

  // 1. TCP, to the endpoint or to the proxy, plus the CONNECT tunnel: one deadline.
  const std::optional<Url> proxy = options_.proxy.proxy_for(*ws_url);
  const Url& dial_to = proxy ? *proxy : *ws_url;
  tcp_layer.expires_after(options_.connect_timeout);
  error_code ec;
  tcp::resolver resolver(executor);
  auto endpoints = co_await resolver.async_resolve(dial_to.host, std::to_string(dial_to.port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) co_await tcp_layer.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  // As Go does for every TCP connection: small frames (acks) must not wait for Nagle.
  if (!ec) tcp_layer.socket().set_option(tcp::no_delay(true), ec);
  const std::string via = proxy ? " via proxy " + proxy->authority() : "";
  if (ec) {
    const DialErrc kind = ec == beast::error::timeout ? DialErrc::connect_timeout : DialErrc::connect_failed;
    co_return make_error(kind, "websocket client: unable to dial " + where + via + ": " + ec.message());
  }
  if (proxy) {
    const std::string target = ws_url->host + ":" + std::to_string(ws_url->port);
    http::request<http::empty_body> connect{http::verb::connect, target, 11};
    connect.set(http::field::host, target);
    connect.set(http::field::user_agent, options_.user_agent);
    if (!proxy->userinfo.empty()) connect.set(http::field::proxy_authorization, basic_auth(proxy->userinfo));
    co_await http::async_write(tcp_layer, connect, asio::redirect_error(asio::use_awaitable, ec));
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a CONNECT response has no body: the tunnel starts right after it
    if (!ec)
      co_await http::async_read_header(tcp_layer, buffer, parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      const DialErrc kind =
          ec == beast::error::timeout ? DialErrc::connect_timeout : DialErrc::connect_failed;
      co_return make_error(
          kind, "websocket client: proxy " + proxy->authority() + " CONNECT " + target + ": " + ec.message());
    }
    const unsigned status = parser.get().result_int();
    if (status < 200 || status > 299 || buffer.size() != 0) {
      co_return make_error(DialErrc::proxy_refused, "websocket client: proxy " + proxy->authority() +
                                                        " answered CONNECT " + target + " with " +
                                                        std::to_string(status));
    }
  }

  // 2. TLS (SNI and verified name: the host only) and the upgrade: one deadline.
  tcp_layer.expires_after(options_.handshake_timeout);
  if (secure) {
    if (auto e = socket->next_layer().set_server_name(ws_url->host)) {
      co_return make_error(e, "websocket client: " + where + ": " + e.message());
    }
    co_await socket->next_layer().async_handshake(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return make_error(ec, "websocket client: unable to dial " + where + via + ": " + ec.message());
  }
  socket->set_option(
      websocket::stream_base::decorator([headers, ua = options_.user_agent](websocket::request_type& req) {
        req.set(http::field::user_agent, ua);
        for (const auto& [k, v] : headers) req.set(k, v);
      }));
  websocket::response_type response;
  co_await socket->async_handshake(response, ws_url->authority(), ws_url->target(),
                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    if (response.result_int() != 0 && response.result_int() != 101) {
      rejection_ = UpgradeRejection{response.result_int(), response.body()};
      co_return make_error(DialErrc::upgrade_rejected, "websocket client: unable to dial " + where +
                                                           " response: " + response.body() + ": " +
                                                           ec.message());
    }
    co_return make_error(ec == beast::error::timeout ? make_error_code(DialErrc::upgrade_failed) : ec,
                         "websocket client: upgrade to " + where + " failed: " + ec.message());
  }
  tcp_layer.expires_never();  // from here the session's own deadlines apply
  co_return DialResult{std::move(socket)};
}

}  // namespace ecs::wsclient
