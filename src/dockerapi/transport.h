// How requests reach the Docker engine: one HTTP/1.1 exchange per call on a fresh connection
// (as the reference's client does for detached execs). The seam for the platform: a unix socket
// or plain TCP here (socket_transport.cpp); a Windows named pipe is one more implementation.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/asio.h"
#include "core/clock.h"
#include "core/error.h"
#include "dockerapi/endpoint.h"

namespace ecs::dockerapi {

struct HttpRequest {
  std::string method;  // GET, POST, DELETE
  std::string target;  // /v1.41/containers/x/json
  std::string body;    // JSON; empty: no body, no Content-Type
};

struct HttpResponse {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // The whole exchange (connect, write, read) within `timeout`. Errors (DockerErrc): timeout,
  // canceled (stop), transport (cannot connect, connection lost), malformed_response (not HTTP,
  // body over the limit). Any HTTP status is a response, not an error.
  virtual asio::awaitable<Result<HttpResponse>> round_trip(const HttpRequest& request,
                                                           std::chrono::nanoseconds timeout,
                                                           StopToken stop) = 0;
};

inline constexpr std::size_t kDefaultBodyLimit = 16 * 1024 * 1024;

// Errors: bad_endpoint for an endpoint this build cannot reach.
Result<std::unique_ptr<Transport>> make_transport(const Endpoint& endpoint,
                                                  std::size_t body_limit = kDefaultBodyLimit);

}  // namespace ecs::dockerapi
