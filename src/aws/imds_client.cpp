#include "aws/imds_client.h"

#include <cstdlib>
#include <cstring>

#include "core/error_category.h"

namespace ecs::aws {
namespace {

class ImdsCategory : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "imds"; }
  std::string message(int ev) const override {
    switch (static_cast<ImdsErrc>(ev)) {
      case ImdsErrc::disabled:
        return "instance metadata service disabled (AWS_EC2_METADATA_DISABLED)";
      case ImdsErrc::not_found:
        return "instance metadata path not found";
      case ImdsErrc::token_refused:
        return "instance metadata token request refused";
      case ImdsErrc::unavailable:
        return "instance metadata service unavailable";
      case ImdsErrc::bad_status:
        return "instance metadata service error";
    }
    return "instance metadata error";
  }
};

bool retryable_status(unsigned status) { return status >= 500; }

}  // namespace

const boost::system::error_category& imds_category() {
  static const ImdsCategory c;
  return c;
}

error_code make_error_code(ImdsErrc e) { return {static_cast<int>(e), imds_category()}; }

Result<ImdsOptions> ImdsOptions::from_environment(const EnvLookup& env) {
  ImdsOptions o;
  if (auto e = env_value(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
    auto url = parse_url(*e);
    if (!url || (url->scheme != "http" && url->scheme != "https")) {
      return make_error(errc::make_error_code(errc::invalid_argument),
                        "AWS_EC2_METADATA_SERVICE_ENDPOINT='" + *e +
                            "' is not an http(s) URL (e.g. http://169.254.169.254)");
    }
    o.endpoint = url->scheme + "://" + url->authority();
  }
  if (auto d = env(std::string_view("AWS_EC2_METADATA_DISABLED"))) {
    o.disabled = strcasecmp(d->c_str(), "true") == 0;
  }
  return o;
}

ImdsClient::ImdsClient(const HttpClient& http, WorkerPool& pool, ImdsOptions options, Clock& clock,
                       Jitter& jitter)
    : http_(http), pool_(pool), options_(std::move(options)), clock_(clock), jitter_(jitter) {}

asio::awaitable<Result<HttpResponse>> ImdsClient::send(const HttpRequest& original) {
  HttpRequest request = original;
  request.use_proxy = false;
  request.connect_timeout = options_.connect_timeout;
  request.timeout = options_.attempt_timeout;
  ExponentialBackoff backoff(options_.backoff_min, options_.backoff_max, 0.2, 2.0, jitter_);
  Result<HttpResponse> last = make_error(ImdsErrc::unavailable, "no attempt made");
  for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
    auto attempt_request = [this, &request] { return http_.perform(request); };
    last = co_await pool_.run(std::move(attempt_request));
    if (last && !retryable_status(last->status)) co_return last;
    if (attempt < options_.attempts) co_await clock_.sleep(backoff.next());
  }
  co_return last;
}

asio::awaitable<Result<std::optional<std::string>>> ImdsClient::token() {
  if (token_ && clock_.now() < token_expiry_) co_return token_;
  HttpRequest req;
  req.method = "PUT";
  req.url = options_.endpoint + "/latest/api/token";
  req.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", std::to_string(options_.token_ttl.count())}};
  auto res = co_await send(req);
  if (!res) co_return std::optional<std::string>();  // failure or timeout: IMDSv1
  if (res->status == 200) {
    token_ = res->body;
    // Renew well before the service expires it.
    token_expiry_ = clock_.now() + options_.token_ttl * 4 / 5;
    co_return token_;
  }
  if (res->status == 400) {
    co_return make_error(ImdsErrc::token_refused,
                         "IMDS: " + options_.endpoint + "/latest/api/token answered 400");
  }
  // 403, 404, 405 (IMDSv2 not available) and anything else: IMDSv1.
  co_return std::optional<std::string>();
}

asio::awaitable<Result<std::string>> ImdsClient::get(const std::string& path) {
  if (options_.disabled)
    co_return make_error(ImdsErrc::disabled, "IMDS disabled by AWS_EC2_METADATA_DISABLED");
  for (int pass = 0; pass < 2; ++pass) {
    auto tok = co_await token();
    if (!tok) co_return tok.error();
    HttpRequest req;
    req.url = options_.endpoint + path;
    if (*tok) req.headers = {{"X-aws-ec2-metadata-token", **tok}};
    auto res = co_await send(req);
    if (!res) {
      co_return make_error(ImdsErrc::unavailable, "IMDS GET " + path + ": " + res.error().message);
    }
    if (res->status == 200) co_return std::move(res->body);
    if (res->status == 401 && pass == 0) {
      token_.reset();  // expired or invalid token: get a new one once
      continue;
    }
    if (res->status == 404) co_return make_error(ImdsErrc::not_found, "IMDS GET " + path + ": 404");
    co_return make_error(ImdsErrc::bad_status,
                         "IMDS GET " + path + ": status " + std::to_string(res->status));
  }
  co_return make_error(ImdsErrc::bad_status, "IMDS GET " + path + ": 401 with a new token");
}

}  // namespace ecs::aws
