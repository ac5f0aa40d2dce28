#include "server/credentials_endpoint.h"

#include <algorithm>

#include "core/json_writer.h"
#include "core/log.h"
#include "core/url.h"

namespace ecs::server {

namespace {

constexpr std::string_view kV1Path = "/v1/credentials";
constexpr std::string_view kV2Prefix = "/v2/credentials/";

std::string error_body(std::string_view code, std::string_view message, int status) {
  std::string out;
  JsonWriter w(out);
  w.begin_object()
      .key("code")
      .string(code)
      .key("message")
      .string(message)
      .key("HTTPErrorCode")
      .number(status);
  w.end_object();
  return out;
}

}  // namespace

std::string encode_credentials_body(const credentials::TaskCredentials& c) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("RoleArn").string(c.role_arn);
  w.key("AccessKeyId").string(c.access_key_id);
  w.key("SecretAccessKey").string(c.secret_access_key);
  w.key("Token").string(c.session_token);
  w.key("Expiration").string(c.expiration);
  w.end_object();
  return out;
}

CredentialsEndpoint::CredentialsEndpoint(const credentials::CredentialsStore& store,
                                         std::function<bool(const std::string&)> known_from_state,
                                         const Clock& clock, CredentialsEndpointOptions options)
    : store_(store),
      known_from_state_(std::move(known_from_state)),
      clock_(clock),
      options_(options),
      tokens_(options.burst),
      refilled_(clock.now()) {}

bool CredentialsEndpoint::take_token() {
  const auto now = clock_.now();
  const double elapsed = std::chrono::duration<double>(now - refilled_).count();
  refilled_ = now;
  tokens_ = std::min(options_.burst, tokens_ + elapsed * options_.steady_per_second);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

Response CredentialsEndpoint::answer(const Request& request, const Peer& peer) {
  const std::string_view target = request.target();
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  int version = 0;
  std::string id;
  if (path == kV1Path) {
    version = 1;
    id = query_value(query, "id").value_or("");  // form-decoded, as Go's Query().Get
  } else if (path.starts_with(kV2Prefix)) {
    version = 2;
    id = percent_decode(path.substr(kV2Prefix.size()));
  } else if (path == "/v2/credentials") {
    version = 2;
  } else {
    return make_response(request, http::status::not_found, error_body("NotFound", "no such route", 404));
  }
  const std::string prefix = "CredentialsV" + std::to_string(version) + "Request: ";

  std::string task_arn;
  std::string role_type;
  auto audit = [&](int status) {
    log::info("credentials request",
              {{"status", std::to_string(status)},
               {"eventType", role_type.empty() ? "GetCredentials" : "GetCredentials " + role_type},
               {"task", task_arn},
               {"caller", peer.address}});
  };
  if (request.method() != http::verb::get) {
    audit(405);
    return make_response(request, http::status::method_not_allowed,
                         error_body("MethodNotAllowed", prefix + "only GET is supported", 405));
  }
  if (!take_token()) {
    audit(429);
    return make_response(request, http::status::too_many_requests,
                         error_body("TooManyRequests", prefix + "rate limit exceeded", 429));
  }
  if (id.empty()) {
    audit(400);
    return make_response(request, http::status::bad_request,
                         error_body("NoIdInRequest", prefix + "No Credential ID in the request", 400));
  }
  auto credentials = store_.get_task_credentials(id);
  if (!credentials) {
    if (known_from_state_ && known_from_state_(id)) {
      audit(503);
      return make_response(
          request, http::status::service_unavailable,
          error_body("CredentialsUninitialized", prefix + "Credentials uninitialized for ID", 503));
    }
    audit(400);
    return make_response(request, http::status::bad_request,
                         error_body("InvalidIdInRequest", prefix + "Credentials not found", 400));
  }
  task_arn = credentials->task_arn;
  role_type = credentials->role_type;
  audit(200);
  return make_response(request, http::status::ok, encode_credentials_body(*credentials));
}

asio::awaitable<Response> CredentialsEndpoint::handle(Request& request, const Peer& peer) {
  co_return answer(request, peer);
}

}  // namespace ecs::server
