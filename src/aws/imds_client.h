// The EC2 instance metadata service (IMDS), IMDSv2 first: PUT /latest/api/token with a TTL
// (the SDK default, 5 min), then GETs carrying the token. As in the AWS SDK the reference uses:
// a token request answered 403/404/405, or failing or timing out, falls back to IMDSv1 (no
// token); 400 is terminal; a 401 on a GET drops the token and retries with a new one. Requests
// never go through a proxy. AWS_EC2_METADATA_SERVICE_ENDPOINT and AWS_EC2_METADATA_DISABLED are
// honoured.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "aws/http_client.h"
#include "core/clock.h"
#include "core/environment.h"
#include "core/worker_pool.h"

namespace ecs::aws {

enum class ImdsErrc {
  disabled = 1,   // AWS_EC2_METADATA_DISABLED=true
  not_found,      // 404 for the path
  token_refused,  // the token PUT was answered 400
  unavailable,    // no answer after every attempt
  bad_status,     // another non-2xx status
};
const boost::system::error_category& imds_category();
error_code make_error_code(ImdsErrc e);

struct ImdsOptions {
  std::string endpoint = "http://169.254.169.254";
  bool disabled = false;
  std::chrono::seconds token_ttl{300};
  std::chrono::milliseconds connect_timeout{250};
  std::chrono::milliseconds attempt_timeout{1000};
  int attempts = 5;  // the reference raises the SDK's 3 to 5
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{1000};

  // Defaults plus AWS_EC2_METADATA_SERVICE_ENDPOINT / AWS_EC2_METADATA_DISABLED.
  static Result<ImdsOptions> from_environment(const EnvLookup& env);
};

class ImdsClient {
 public:
  ImdsClient(const HttpClient& http, WorkerPool& pool, ImdsOptions options, Clock& clock, Jitter& jitter);

  // GET <endpoint><path>, e.g. "/latest/meta-data/iam/security-credentials/". Body on 200.
  asio::awaitable<Result<std::string>> get(const std::string& path);

  const ImdsOptions& options() const { return options_; }

 private:
  asio::awaitable<Result<std::optional<std::string>>> token();
  asio::awaitable<Result<HttpResponse>> send(const HttpRequest& request);

  const HttpClient& http_;
  WorkerPool& pool_;
  ImdsOptions options_;
  Clock& clock_;
  Jitter& jitter_;
  std::optional<std::string> token_;
  std::chrono::steady_clock::time_point token_expiry_{};
};

}  // namespace ecs::aws

template <>
struct boost::system::is_error_code_enum<ecs::aws::ImdsErrc> : std::true_type {};
