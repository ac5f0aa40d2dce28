#include "aws/ecs_client.h"

#include <simdjson.h>

#include <algorithm>

#include "core/error_category.h"
#include "core/json_writer.h"
#include "core/log.h"

namespace ecs::aws {
namespace {

constexpr std::string_view kTargetPrefix = "AmazonEC2ContainerServiceV20141113.";
constexpr std::string_view kContentType = "application/x-amz-json-1.1";
constexpr std::size_t kMaxReasonLength = 1024;  // ecsMaxContainerReasonLength

class EcsCategory : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "ecs-api"; }
  std::string message(int ev) const override {
    switch (static_cast<EcsErrc>(ev)) {
      case EcsErrc::client_exception:
        return "ECS ClientException";
      case EcsErrc::server_exception:
        return "ECS ServerException";
      case EcsErrc::throttling:
        return "ECS request throttled";
      case EcsErrc::access_denied:
        return "ECS access denied";
      case EcsErrc::invalid_parameter:
        return "ECS invalid parameter";
      case EcsErrc::cluster_not_found:
        return "ECS cluster not found";
      case EcsErrc::unknown_api_error:
        return "ECS API error";
      case EcsErrc::malformed_response:
        return "malformed ECS API response";
      case EcsErrc::empty_endpoint:
        return "DiscoverPollEndpoint returned no endpoint";
    }
    return "ECS API error";
  }
};

EcsErrc classify_type(std::string_view type) {
  if (type == "ClientException") return EcsErrc::client_exception;
  if (type == "ServerException") return EcsErrc::server_exception;
  if (type == "ThrottlingException" || type == "Throttling" || type == "TooManyRequestsException" ||
      type == "RequestLimitExceeded" || type == "RequestThrottledException") {
    return EcsErrc::throttling;
  }
  if (type == "AccessDeniedException") return EcsErrc::access_denied;
  if (type == "InvalidParameterException") return EcsErrc::invalid_parameter;
  if (type == "ClusterNotFoundException") return EcsErrc::cluster_not_found;
  return EcsErrc::unknown_api_error;
}

bool json_content_type(const HttpResponse& r) {
  auto ct = r.header("Content-Type");
  if (!ct) return true;  // absent: judge by the body
  std::string v = *ct;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v.starts_with(kContentType) || v.starts_with("application/json");
}

Result<simdjson::dom::element> parse_object(simdjson::dom::parser& parser, std::string_view body,
                                            std::string_view what) {
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) {
    return make_error(EcsErrc::malformed_response, std::string(what) + ": response body is not valid JSON");
  }
  if (!doc.is_object()) {
    return make_error(EcsErrc::malformed_response,
                      std::string(what) + ": response body is not a JSON object");
  }
  return doc;
}

std::string optional_string(simdjson::dom::element obj, const char* key) {
  std::string_view v;
  return obj[key].get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
}

std::string cut_reason(const std::string& reason) {
  return reason.size() <= kMaxReasonLength ? reason : reason.substr(0, kMaxReasonLength);
}

}  // namespace

const boost::system::error_category& ecs_api_category() {
  static const EcsCategory c;
  return c;
}

error_code make_error_code(EcsErrc e) { return {static_cast<int>(e), ecs_api_category()}; }

bool is_retryable(const Error& error) {
  if (error.code.category() == ecs_api_category()) {
    const auto e = static_cast<EcsErrc>(error.code.value());
    return e == EcsErrc::throttling || e == EcsErrc::server_exception;
  }
  if (error.code.category() == http_category()) {
    const auto e = static_cast<HttpErrc>(error.code.value());
    return e == HttpErrc::timeout || e == HttpErrc::connect_failed || e == HttpErrc::transfer_failed ||
           e == HttpErrc::resolve_failed || e == HttpErrc::proxy_failed;
  }
  return false;
}

Result<std::string> EcsClientOptions::resolve_endpoint(const std::string& region,
                                                       const std::string& backend_host) {
  if (!backend_host.empty()) {
    const std::string url =
        backend_host.find("://") == std::string::npos ? "https://" + backend_host : backend_host;
    auto parsed = parse_url(url);
    if (!parsed || (parsed->scheme != "https" && parsed->scheme != "http")) {
      return make_error(errc::make_error_code(errc::invalid_argument),
                        "ECS_BACKEND_HOST='" + backend_host + "' is not a host or an http(s) URL");
    }
    return parsed->scheme + "://" + parsed->authority();
  }
  if (region.empty()) {
    return make_error(errc::make_error_code(errc::invalid_argument),
                      "no AWS region (set AWS_REGION or AWS_DEFAULT_REGION) and no ECS_BACKEND_HOST");
  }
  const std::string domain = region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return "https://ecs." + region + "." + domain;
}

std::string encode_register_request(const RegisterRequest& r) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("cluster").string(r.cluster);
  if (!r.container_instance_arn.empty()) w.key("containerInstanceArn").string(r.container_instance_arn);
  if (!r.instance_identity_document.empty()) {
    w.key("instanceIdentityDocument").string(r.instance_identity_document);
    w.key("instanceIdentityDocumentSignature").string(r.instance_identity_document_signature);
  }
  w.key("totalResources").begin_array();
  for (const Resource& res : r.total_resources) {
    w.begin_object().key("name").string(res.name).key("type").string(res.type);
    if (res.type == "STRINGSET") {
      w.key("stringSetValue").begin_array();
      for (const auto& s : res.string_set_value) w.string(s);
      w.end_array();
    } else {
      w.key("integerValue").number(res.integer_value);
    }
    w.end_object();
  }
  w.end_array();
  w.key("versionInfo").begin_object();
  w.key("agentVersion").string(r.version_info.agent_version);
  w.key("agentHash").string(r.version_info.agent_hash);
  w.key("dockerVersion").string(r.version_info.docker_version);
  w.end_object();
  w.key("attributes").begin_array();
  for (const auto& [name, value] : r.attributes) {
    w.begin_object().key("name").string(name);
    if (!value.empty()) w.key("value").string(value);
    w.end_object();
  }
  w.end_array();
  if (!r.tags.empty()) {
    w.key("tags").begin_array();
    for (const auto& [k, v] : r.tags)
      w.begin_object().key("key").string(k).key("value").string(v).end_object();
    w.end_array();
  }
  w.end_object();
  return out;
}

std::string encode_task_state_change(const TaskStateChange& c) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("cluster").string(c.cluster);
  w.key("task").string(c.task_arn);
  w.key("status").string(c.status);
  w.key("reason").string(cut_reason(c.reason));
  if (!c.containers.empty()) {
    w.key("containers").begin_array();
    for (const auto& ct : c.containers) {
      w.begin_object().key("containerName").string(ct.container_name);
      if (!ct.runtime_id.empty()) w.key("runtimeId").string(ct.runtime_id.substr(0, 255));
      w.key("status").string(ct.status);
      if (!ct.reason.empty()) w.key("reason").string(cut_reason(ct.reason));
      if (ct.exit_code) w.key("exitCode").number(*ct.exit_code);
      if (!ct.image_digest.empty()) w.key("imageDigest").string(ct.image_digest.substr(0, 255));
      if (!ct.network_bindings.empty()) {
        w.key("networkBindings").begin_array();
        for (const auto& b : ct.network_bindings) {
          w.begin_object().key("bindIP").string(b.bind_ip);
          if (b.container_port_range.empty()) {
            w.key("containerPort").number(b.container_port).key("hostPort").number(b.host_port);
          } else {
            w.key("containerPortRange").string(b.container_port_range);
            w.key("hostPortRange").string(b.host_port_range);
          }
          w.key("protocol").string(b.protocol).end_object();
        }
        w.end_array();
      }
      w.end_object();
    }
    w.end_array();
  }
  if (!c.managed_agents.empty()) {
    w.key("managedAgents").begin_array();
    for (const auto& ma : c.managed_agents) {
      w.begin_object()
          .key("containerName")
          .string(ma.container_name)
          .key("managedAgentName")
          .string(ma.managed_agent_name)
          .key("status")
          .string(ma.status)
          .key("reason")
          .string(cut_reason(ma.reason))
          .end_object();
    }
    w.end_array();
  }
  // Epoch seconds with milliseconds, as the SDK writes timestamps for awsJson1.1.
  auto time = [&](std::string_view key, const std::optional<std::chrono::system_clock::time_point>& t) {
    if (!t) return;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
    w.key(key).number_double(static_cast<double>(ms) / 1000.0);
  };
  time("pullStartedAt", c.pull_started_at);
  time("pullStoppedAt", c.pull_stopped_at);
  time("executionStoppedAt", c.execution_stopped_at);
  w.end_object();
  return out;
}

std::string encode_discover_poll_endpoint(const std::string& cluster,
                                          const std::string& container_instance_arn) {
  std::string out;
  JsonWriter w(out);
  // zoneId is always present and empty for the ACS lookup.
  w.begin_object()
      .key("cluster")
      .string(cluster)
      .key("containerInstance")
      .string(container_instance_arn)
      .key("zoneId")
      .string("")
      .end_object();
  return out;
}

Result<PollEndpoints> parse_discover_poll_endpoint_response(std::string_view body) {
  simdjson::dom::parser parser;
  auto doc = parse_object(parser, body, "DiscoverPollEndpoint");
  if (!doc) return doc.error();
  PollEndpoints e;
  simdjson::dom::element value;
  if ((*doc)["endpoint"].get(value) != simdjson::SUCCESS || value.is_null()) {
    return make_error(EcsErrc::empty_endpoint, "DiscoverPollEndpoint: no endpoint returned");
  }
  std::string_view endpoint;
  if (value.get(endpoint) != simdjson::SUCCESS) {
    return make_error(EcsErrc::malformed_response, "DiscoverPollEndpoint: endpoint is not a string");
  }
  if (endpoint.empty())
    return make_error(EcsErrc::empty_endpoint, "DiscoverPollEndpoint: empty endpoint returned");
  auto url = parse_url(endpoint);
  if (!url) return make_error(EcsErrc::malformed_response, "DiscoverPollEndpoint: " + url.error().message);
  e.endpoint = std::string(endpoint);
  e.telemetry_endpoint = optional_string(*doc, "telemetryEndpoint");
  e.service_connect_endpoint = optional_string(*doc, "serviceConnectEndpoint");
  return e;
}

Result<std::string> parse_register_response(std::string_view body) {
  simdjson::dom::parser parser;
  auto doc = parse_object(parser, body, "RegisterContainerInstance");
  if (!doc) return doc.error();
  std::string_view arn;
  if ((*doc)["containerInstance"]["containerInstanceArn"].get(arn) != simdjson::SUCCESS || arn.empty()) {
    return make_error(EcsErrc::malformed_response,
                      "RegisterContainerInstance: no containerInstance.containerInstanceArn");
  }
  return std::string(arn);
}

Error decode_api_error(std::string_view operation, const HttpResponse& response) {
  std::string type;
  std::string message;
  if (auto header = response.header("X-Amzn-ErrorType")) type = header->substr(0, header->find(':'));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(response.body.data(), response.body.size()).get(doc) == simdjson::SUCCESS &&
      doc.is_object()) {
    if (type.empty()) {
      type = optional_string(doc, "__type");
      if (const auto hash = type.rfind('#'); hash != std::string::npos) type.erase(0, hash + 1);
    }
    message = optional_string(doc, "message");
    if (message.empty()) message = optional_string(doc, "Message");
  }
  const std::string op(operation);
  if (type.empty()) {
    const EcsErrc kind = response.status >= 500 ? EcsErrc::server_exception : EcsErrc::unknown_api_error;
    return make_error(kind, op + ": HTTP " + std::to_string(response.status) + " without an error type");
  }
  return make_error(classify_type(type), op + ": " + type + ": " + (message.empty() ? "null" : message));
}

EcsClient::EcsClient(const HttpClient& http, WorkerPool& pool,
                     std::shared_ptr<CredentialsProvider> credentials, EcsClientOptions options, Clock& clock,
                     Jitter& jitter)
    : http_(http),
      pool_(pool),
      credentials_(std::move(credentials)),
      options_(std::move(options)),
      clock_(clock),
      jitter_(jitter) {}

int EcsClient::api_calls(const std::string& operation) const {
  auto it = calls_.find(operation);
  return it == calls_.end() ? 0 : it->second;
}

asio::awaitable<Result<HttpResponse>> EcsClient::call(const std::string& operation, const std::string& body) {
  auto url = parse_url(options_.endpoint);
  if (!url) co_return url.error();
  ExponentialBackoff backoff(options_.backoff_min, options_.backoff_max, 0.2, 2.0, jitter_);
  Result<HttpResponse> last = make_error(EcsErrc::unknown_api_error, operation + ": no attempt made");
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    auto creds = co_await credentials_->retrieve();
    if (!creds) co_return creds.error();
    RequestToSign req;
    req.method = "POST";
    req.path = url->path;
    req.headers = {{"Host", url->authority()},
                   {"Content-Type", std::string(kContentType)},
                   {"X-Amz-Target", std::string(kTargetPrefix) + operation}};
    req.body = body;
    SigningOptions signing;
    signing.region = options_.region;
    signing.service = "ecs";
    signing.time = clock_.wall_now();
    const SigningResult signature = sign_headers(req, *creds, signing);

    HttpRequest http;
    http.method = "POST";
    http.url = options_.endpoint + url->path;
    http.headers = req.headers;
    for (const auto& h : signature.headers) http.headers.push_back(h);
    http.body = body;
    http.timeout = options_.attempt_timeout;
    http.connect_timeout = options_.connect_timeout;
    ++calls_[operation];
    auto perform = [this, &http] { return http_.perform(http); };
    auto response = co_await pool_.run(std::move(perform));
    if (response) {
      if (response->status >= 200 && response->status < 300) {
        if (!json_content_type(*response)) {
          co_return make_error(EcsErrc::malformed_response,
                               operation + ": unexpected content type '" +
                                   response->header("Content-Type").value_or("") + "'");
        }
        co_return response;
      }
      last = decode_api_error(operation, *response);
    } else {
      last = response.error();
    }
    if (!is_retryable(last.error()) || attempt == options_.max_attempts) break;
    const auto delay = backoff.next();
    log::warn("ECS API call failed; retrying", {{"operation", operation},
                                                {"error", last.error().message},
                                                {"retryIn", std::to_string(delay.count() / 1000000) + "ms"}});
    co_await clock_.sleep(delay);
  }
  co_return last.error();
}

asio::awaitable<Result<std::string>> EcsClient::register_container_instance(const RegisterRequest& request) {
  auto response = co_await call("RegisterContainerInstance", encode_register_request(request));
  if (!response) co_return response.error();
  co_return parse_register_response(response->body);
}

asio::awaitable<Result<void>> EcsClient::submit_task_state_change(const TaskStateChange& change) {
  auto response = co_await call("SubmitTaskStateChange", encode_task_state_change(change));
  if (!response) co_return response.error();
  co_return Result<void>();
}

asio::awaitable<Result<std::string>> EcsClient::discover_poll_endpoint(
    const std::string& cluster, const std::string& container_instance_arn) {
  for (;;) {
    auto cached = poll_cache_.find(container_instance_arn);
    if (cached != poll_cache_.end() && clock_.now() - cached->second.fetched < options_.poll_endpoint_ttl) {
      co_return cached->second.endpoints.endpoint;
    }
    auto in_flight = poll_in_flight_.find(container_instance_arn);
    if (in_flight == poll_in_flight_.end()) break;
    auto event = in_flight->second;  // another caller is asking: wait for its answer, then look again
    co_await event->wait();
    if (poll_cache_.count(container_instance_arn) == 0 &&
        poll_in_flight_.count(container_instance_arn) == 0) {
      break;  // it failed with nothing cached: try ourselves
    }
  }
  auto event = std::make_shared<AsyncEvent>(co_await asio::this_coro::executor);
  poll_in_flight_[container_instance_arn] = event;
  Result<std::string> result = make_error(EcsErrc::unknown_api_error, "unset");
  auto response =
      co_await call("DiscoverPollEndpoint", encode_discover_poll_endpoint(cluster, container_instance_arn));
  Result<PollEndpoints> endpoints = response ? parse_discover_poll_endpoint_response(response->body)
                                             : Result<PollEndpoints>(response.error());
  if (endpoints) {
    poll_cache_[container_instance_arn] = CacheEntry{*endpoints, clock_.now()};
    result = endpoints->endpoint;
  } else if (auto stale = poll_cache_.find(container_instance_arn); stale != poll_cache_.end()) {
    log::warn("DiscoverPollEndpoint failed; using the expired cached endpoint",
              {{"error", endpoints.error().message}, {"endpoint", stale->second.endpoints.endpoint}});
    result = stale->second.endpoints.endpoint;
  } else {
    result = endpoints.error();
  }
  poll_in_flight_.erase(container_instance_arn);
  event->set();
  co_return result;
}

}  // namespace ecs::aws
