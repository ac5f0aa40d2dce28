// Opening a websocket to a control-plane endpoint: http/https URLs are dialled as ws/wss (any
// other scheme is an error, as in the reference), through an HTTP CONNECT proxy when ProxyConfig
// says so, TLS verified against the trust store with SNI = the host name only, and the upgrade
// GET carrying the caller's (SigV4) headers. TCP+proxy and TLS+upgrade each have a deadline.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "aws/proxy.h"
#include "aws/sigv4.h"
#include "core/asio.h"
#include "core/error.h"
#include "core/url.h"
#include "tls/stream.h"

namespace ecs::wsclient {

using Transport = tls::Stream<boost::beast::tcp_stream>;
using WebSocket = boost::beast::websocket::stream<Transport>;

enum class DialErrc {
  unknown_scheme = 1,  // not http/https/ws/wss
  connect_failed,      // TCP to the endpoint or the proxy
  connect_timeout,     // no TCP connection (and tunnel) within the deadline
  proxy_refused,       // the proxy answered CONNECT with something other than 2xx
  upgrade_rejected,    // the server answered the upgrade with a non-101 response
  upgrade_failed,      // the upgrade exchange broke (timeout, reset, garbage)
  signing_failed,      // the upgrade headers could not be produced (e.g. no credentials)
};
const boost::system::error_category& dial_category();
error_code make_error_code(DialErrc e);

// ws:// and wss:// for http(s)/ws(s) URLs; "wsclient: unknown scheme <s>" otherwise.
Result<Url> websocket_url(const Url& endpoint);

struct DialOptions {
  std::shared_ptr<const tls::Context> tls;  // client context; required for wss
  aws::ProxyConfig proxy;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(30)};
  std::string user_agent = "ecs-agent";
  // Produces the upgrade's extra headers for the final ws(s) URL (the SigV4 signature).
  std::function<asio::awaitable<Result<aws::Headers>>(const Url&)> sign;
};

struct DialResult {
  std::unique_ptr<WebSocket> socket;
};

// On DialErrc::upgrade_rejected, the error message holds "<status>: <body>" and
// rejection_body() recovers the body for decoding (ACS sends typed exceptions there).
struct UpgradeRejection {
  unsigned status = 0;
  std::string body;
};

class Dialer {
 public:
  explicit Dialer(DialOptions options) : options_(std::move(options)) {}
  asio::awaitable<Result<DialResult>> dial(const Url& endpoint_url);
  // The last upgrade rejection (status and body), if the last dial ended with one.
  const std::optional<UpgradeRejection>& last_rejection() const { return rejection_; }
  const DialOptions& options() const { return options_; }

 private:
  DialOptions options_;
  std::optional<UpgradeRejection> rejection_;
};

}  // namespace ecs::wsclient

template <>
struct boost::system::is_error_code_enum<ecs::wsclient::DialErrc> : std::true_type {};
