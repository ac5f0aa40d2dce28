// How requests reach the Docker engine: one HTTP/1.1 exchange per call on a fresh connection
// (as the reference's client does for detached execs), or a streamed answer read line by line
// (GET /events, POST /images/create). The seam for the platform: a unix socket or plain TCP
// here (socket_transport.cpp); a Windows named pipe is one more implementation over the same
// exchange (http_exchange.h).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/asio.h"
#include "core/clock.h"
#include "core/error.h"
#include "dockerapi/endpoint.h"

namespace ecs::dockerapi {

struct HttpRequest {
  std::string method;                                             // GET, POST, DELETE
  std::string target;                                             // /v1.41/containers/x/json
  std::string body;                                               // JSON; empty: no body, no Content-Type
  std::vector<std::pair<std::string, std::string>> headers = {};  // e.g. X-Registry-Auth
};

struct HttpResponse {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

// The deadlines of a streamed answer: the status line and headers within `begin`, then no more
// than `idle` between two reads of the body, and the whole exchange within `total`.
struct StreamTimeouts {
  std::chrono::nanoseconds begin = std::chrono::minutes(1);
  std::chrono::nanoseconds idle = std::chrono::minutes(1);
  std::chrono::nanoseconds total = std::chrono::hours(24 * 365);
};

// Called with each line of a streamed body (without its newline); false ends the stream.
using LineHandler = std::function<bool(std::string_view line)>;

class Transport {
 public:
  virtual ~Transport() = default;
  // The whole exchange (connect, write, read) within `timeout`. Errors (DockerErrc): timeout,
  // canceled (stop), transport (cannot connect, connection lost), malformed_response (not HTTP,
  // body over the limit). Any HTTP status is a response, not an error.
  virtual asio::awaitable<Result<HttpResponse>> round_trip(const HttpRequest& request,
                                                           std::chrono::nanoseconds timeout,
                                                           StopToken stop) = 0;
  // A 2xx answer's body goes to `on_line` as it arrives (chunked or not); the result then has an
  // empty body, and comes when the body ends, `on_line` returns false, or an error ends it. Any
  // other status is returned with its body, and `on_line` is not called. Errors as round_trip's,
  // plus timeout for each of `timeouts` (the message says which) and malformed_response for a
  // line over 1 MiB.
  virtual asio::awaitable<Result<HttpResponse>> stream_lines(const HttpRequest& request,
                                                             StreamTimeouts timeouts, LineHandler on_line,
                                                             StopToken stop) = 0;
};

inline constexpr std::size_t kDefaultBodyLimit = std::size_t{16} * 1024 * 1024;
inline constexpr std::size_t kStreamLineLimit = std::size_t{1024} * 1024;

// Errors: bad_endpoint for an endpoint this build cannot reach.
Result<std::unique_ptr<Transport>> make_transport(const Endpoint& endpoint,
                                                  std::size_t body_limit = kDefaultBodyLimit);

}  // namespace ecs::dockerapi
