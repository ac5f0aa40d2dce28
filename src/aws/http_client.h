// HTTP(S) requests over libcurl with mbedTLS: the transport of the ECS API and of the instance
// metadata service. Servers are verified against the agent's trust store (embedded bundle +
// AWS_CA_BUNDLE); proxies follow ProxyConfig. perform() blocks, so it runs on a WorkerPool
// thread, never on the io thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "aws/proxy.h"
#include "aws/sigv4.h"
#include "core/error.h"
#include "tls/trust_store.h"

namespace ecs::aws {

enum class HttpErrc {
  timeout = 1,              // no complete response within the request's timeout
  resolve_failed,           // the host name did not resolve
  connect_failed,           // TCP connection refused or unreachable
  tls_verification_failed,  // server certificate not trusted or not for this host
  tls_failed,               // other TLS failure (handshake, protocol)
  transfer_failed,          // connection broke or the peer sent something that is not HTTP
  response_too_large,       // body over the client's limit
  cancelled,                // the caller gave up
  proxy_failed,             // the proxy refused or failed the tunnel
};
const boost::system::error_category& http_category();
error_code make_error_code(HttpErrc e);

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{std::chrono::seconds(42)};  // the whole exchange
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(30)};
  bool use_proxy = true;
};

struct HttpResponse {
  unsigned status = 0;
  Headers headers;  // names as sent by the server
  std::string body;
  // Case-insensitive header lookup.
  std::optional<std::string> header(std::string_view name) const;
};

struct HttpClientOptions {
  std::shared_ptr<const tls::TrustStore> trust;
  ProxyConfig proxy;
  std::string user_agent = "ecs-agent";
  std::size_t max_response_bytes = std::size_t{16} * 1024 * 1024;
};

// Connections are kept open between requests: a finished transfer's curl handle goes back to a
// small pool with its connection cache, so the next request to the same endpoint (the state
// changes to ECS, one after another) skips the TCP and TLS handshakes. A connection the server
// closed meanwhile is noticed by libcurl and replaced. Copies share the pool; perform() may be
// called from several threads at once (each takes its own handle).
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  // Any HTTP status is a response; errors are transport failures. `cancel`, if given, is polled
  // during the transfer.
  Result<HttpResponse> perform(const HttpRequest& request, const std::atomic<bool>* cancel = nullptr) const;
  const HttpClientOptions& options() const { return options_; }

  static constexpr std::size_t kMaxIdleHandles = 4;

 private:
  struct Handles;
  HttpClientOptions options_;
  std::shared_ptr<Handles> handles_;
};

}  // namespace ecs::aws

template <>
struct boost::system::is_error_code_enum<ecs::aws::HttpErrc> : std::true_type {};
