// The ECS control-plane API the agent calls: awsJson1.1 `POST /` with
// X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>, SigV4 service "ecs", on
// ECS_BACKEND_HOST or the region's endpoint. Errors come back typed from X-Amzn-ErrorType /
// __type and message; throttling, 5xx and transport failures are retried with backoff (3
// attempts of at most 42 s each, as the SDK's standard retryer in the reference).
//
// DiscoverPollEndpoint is cached for 12 h per container instance ARN; when the API fails an
// expired entry is still used; concurrent callers share one call; an empty endpoint is an error
// (the reference would crash on it).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/credentials_provider.h"
#include "aws/http_client.h"
#include "core/async_event.h"
#include "core/clock.h"
#include "core/worker_pool.h"

namespace ecs::aws {

enum class EcsErrc {
  client_exception = 1,
  server_exception,
  throttling,
  access_denied,
  invalid_parameter,
  cluster_not_found,
  unknown_api_error,   // another error type, or a non-2xx status without one
  malformed_response,  // not JSON, truncated, wrong content type, missing fields
  empty_endpoint,      // DiscoverPollEndpoint answered without a usable endpoint
};
const boost::system::error_category& ecs_api_category();
error_code make_error_code(EcsErrc e);

// True for errors worth another attempt: throttling, server errors, transport failures.
bool is_retryable(const Error& error);

struct EcsClientOptions {
  std::string region;
  std::string endpoint;  // https://ecs.<region>.amazonaws.com unless ECS_BACKEND_HOST says otherwise
  std::chrono::milliseconds attempt_timeout{std::chrono::seconds(42)};  // 30 s dial + 10 s TLS + 2 s
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(40)};
  int max_attempts = 3;
  std::chrono::milliseconds backoff_min{500};
  std::chrono::milliseconds backoff_max{std::chrono::seconds(20)};
  std::chrono::hours poll_endpoint_ttl{12};

  // The API endpoint: ECS_BACKEND_HOST if set (https:// added when it has no scheme), else the
  // region's (amazonaws.com.cn for cn- regions).
  static Result<std::string> resolve_endpoint(const std::string& region, const std::string& backend_host);
};

struct VersionInfo {
  std::string agent_version;
  std::string agent_hash;
  std::string docker_version;
};

struct Resource {
  std::string name;  // CPU, MEMORY, PORTS, PORTS_UDP
  std::string type;  // INTEGER or STRINGSET
  std::int64_t integer_value = 0;
  std::vector<std::string> string_set_value;
};

struct RegisterRequest {
  std::string cluster;
  std::string container_instance_arn;  // set when re-registering
  std::string instance_identity_document;
  std::string instance_identity_document_signature;
  std::vector<Resource> total_resources;
  VersionInfo version_info;
  std::vector<std::pair<std::string, std::string>> attributes;  // name, value ("" = no value)
  std::vector<std::pair<std::string, std::string>> tags;
};

struct NetworkBinding {
  std::string bind_ip;
  int container_port = 0;
  int host_port = 0;
  std::string container_port_range;  // "a-b" with host_port_range, instead of the two ports
  std::string host_port_range;
  std::string protocol;  // tcp / udp
};

struct ContainerStateChange {
  std::string container_name;
  std::string runtime_id;  // omitted when empty (at most 255 bytes)
  std::string status;
  std::string reason;  // omitted when empty (at most 1024 bytes)
  std::optional<int> exit_code;
  std::string image_digest;  // omitted when empty
  std::vector<NetworkBinding> network_bindings;
};

struct ManagedAgentStateChange {
  std::string container_name;
  std::string managed_agent_name;  // ExecuteCommandAgent
  std::string status;              // RUNNING / STOPPED
  std::string reason;              // always sent, cut to 1024 characters
};

// SubmitTaskStateChange (task-engine.md §6.3): the task's status with its containers' and managed
// agents' changes; times as epoch seconds with milliseconds, each omitted when unset.
struct TaskStateChange {
  std::string cluster;
  std::string task_arn;
  std::string status;  // PENDING / RUNNING / STOPPED
  std::string reason;  // always sent (may be ""), at most 1024 bytes
  std::vector<ContainerStateChange> containers;
  std::vector<ManagedAgentStateChange> managed_agents;
  std::optional<std::chrono::system_clock::time_point> pull_started_at;
  std::optional<std::chrono::system_clock::time_point> pull_stopped_at;
  std::optional<std::chrono::system_clock::time_point> execution_stopped_at;
};

struct PollEndpoints {
  std::string endpoint;            // ACS
  std::string telemetry_endpoint;  // not used by ACS
  std::string service_connect_endpoint;
};

// The pure parts, also driven by the fuzz target.
std::string encode_register_request(const RegisterRequest& request);
std::string encode_task_state_change(const TaskStateChange& change);
std::string encode_discover_poll_endpoint(const std::string& cluster,
                                          const std::string& container_instance_arn);
Result<PollEndpoints> parse_discover_poll_endpoint_response(std::string_view body);
Result<std::string> parse_register_response(std::string_view body);  // the container instance ARN
// The error a non-2xx (or otherwise unusable) response stands for.
Error decode_api_error(std::string_view operation, const HttpResponse& response);

class EcsClient {
 public:
  EcsClient(const HttpClient& http, WorkerPool& pool, std::shared_ptr<CredentialsProvider> credentials,
            EcsClientOptions options, Clock& clock, Jitter& jitter);

  asio::awaitable<Result<std::string>> register_container_instance(const RegisterRequest& request);
  asio::awaitable<Result<std::string>> discover_poll_endpoint(const std::string& cluster,
                                                              const std::string& container_instance_arn);
  asio::awaitable<Result<void>> submit_task_state_change(const TaskStateChange& change);

  int api_calls(const std::string& operation) const;

 private:
  asio::awaitable<Result<HttpResponse>> call(const std::string& operation, const std::string& body);

  struct CacheEntry {
    PollEndpoints endpoints;
    std::chrono::steady_clock::time_point fetched;
  };
  const HttpClient& http_;
  WorkerPool& pool_;
  std::shared_ptr<CredentialsProvider> credentials_;
  EcsClientOptions options_;
  Clock& clock_;
  Jitter& jitter_;
  std::map<std::string, CacheEntry> poll_cache_;
  std::map<std::string, std::shared_ptr<AsyncEvent>> poll_in_flight_;
  std::map<std::string, int> calls_;
};

}  // namespace ecs::aws

template <>
struct boost::system::is_error_code_enum<ecs::aws::EcsErrc> : std::true_type {};
