// The task credentials endpoint (operations.md §10): GET /v1/credentials?id=<id> and
// GET /v2/credentials/<id> on ECS_CREDENTIALS_ADDR, with the reference's JSON bodies and error
// codes, a rate limit (40 requests/s steady, bursts of 60; excess gets 429) and an audit line per
// request (status, event type by role, task ARN, caller) that never holds a secret.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/clock.h"
#include "credentials/store.h"
#include "server/http_server.h"

namespace ecs::server {

struct CredentialsEndpointOptions {
  double steady_per_second = 40;
  double burst = 60;
};

class CredentialsEndpoint {
 public:
  // `known_from_state`: ids the saved state knows whose credentials ACS has not re-sent yet
  // since the restart (answered 503 CredentialsUninitialized, not 400).
  CredentialsEndpoint(const credentials::CredentialsStore& store,
                      std::function<bool(const std::string&)> known_from_state, const Clock& clock,
                      CredentialsEndpointOptions options = {});

  // The HttpServer handler.
  asio::awaitable<Response> handle(Request& request, const Peer& peer);
  // The same, synchronous (the work is in memory).
  Response answer(const Request& request, const Peer& peer);

 private:
  bool take_token();

  const credentials::CredentialsStore& store_;
  std::function<bool(const std::string&)> known_from_state_;
  const Clock& clock_;
  CredentialsEndpointOptions options_;
  double tokens_;
  std::chrono::steady_clock::time_point refilled_;
};

// The success body: {"RoleArn","AccessKeyId","SecretAccessKey","Token","Expiration"}.
std::string encode_credentials_body(const credentials::TaskCredentials& credentials);

}  // namespace ecs::server
