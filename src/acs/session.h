// The long-lived ACS session (acs-protocol.md §6): discover the endpoint, connect with the
// signed upgrade, register the responders, serve until the connection ends, decide how long to
// wait, and do it again — until stopped.
//
//  * reconnect_delay(): InactiveInstanceException anywhere in the error → the inactive-instance
//    callback and 1 h (backoff untouched); a permissible end (AcsErrc::reconnect_now) or no error →
//    reset the backoff and reconnect at once; anything else → backoff.next() (250 ms ×1.5 +20 %
//    jitter up to 2 min).
//  * sendCredentials=true until the first successful connect, false afterwards.
//  * The idle timer (heartbeat_timeout + U[0, heartbeat_jitter)) closes the connection without
//    a close frame when nothing decodable arrives; every decodable message re-arms it with the
//    *configured* values (the reference re-arms with its package constants, §9) and extends the
//    read deadline. An independent timer of the same range resets the backoff once a connection
//    has lived that long.
//  * Every wait ends at once when the stop token stops; start() then returns a cancellation.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "acs/connection.h"
#include "acs/interfaces.h"
#include "core/clock.h"

namespace ecs::acs {

struct SessionOptions {
  std::string cluster;  // the configured cluster (name or ARN)
  std::string container_instance_arn;
  std::string agent_version;
  std::string agent_hash;
  std::string docker_version;  // "" omits dockerVersion; "containerd" is sent as is

  std::chrono::nanoseconds heartbeat_timeout{std::chrono::minutes(1)};
  std::chrono::nanoseconds heartbeat_jitter{std::chrono::minutes(1)};
  std::chrono::nanoseconds inactive_instance_reconnect_delay{std::chrono::hours(1)};
  std::chrono::nanoseconds backoff_min{std::chrono::milliseconds(250)};
  std::chrono::nanoseconds backoff_max{std::chrono::minutes(2)};
  double backoff_jitter = 0.2;
  double backoff_multiplier = 1.5;
};

// Where ACS is: the ECS API's DiscoverPollEndpoint (cached there for 12 h).
class EndpointDiscovery {
 public:
  virtual ~EndpointDiscovery() = default;
  virtual asio::awaitable<Result<std::string>> discover_poll_endpoint(
      const std::string& cluster, const std::string& container_instance_arn) = 0;
};

// "Failing since": set on the first failure, cleared by a success (the reference emits
// connectivity-failure metrics from these while they stay failing).
class FailureTracker {
 public:
  void record_failure(std::chrono::steady_clock::time_point now) {
    if (!since_) since_ = now;
  }
  void record_success() { since_.reset(); }
  bool failing() const { return since_.has_value(); }
  std::optional<std::chrono::steady_clock::time_point> failing_since() const { return since_; }

 private:
  std::optional<std::chrono::steady_clock::time_point> since_;
};

struct ReconnectDecision {
  std::chrono::nanoseconds delay{0};
  bool wait = false;
};

class Session {
 public:
  using RegisterResponders = std::function<void(const std::shared_ptr<Connection>&)>;

  Session(SessionOptions options, EndpointDiscovery& discovery, ConnectionFactory& factory,
          RegisterResponders register_responders, Clock& clock, Jitter& jitter,
          std::function<void()> on_inactive_instance, Metrics& metrics);

  // Runs until `stop` stops; returns the cancellation error.
  asio::awaitable<Error> start(StopToken stop);

  // One connection: discover, connect, serve. Returns why it ended.
  asio::awaitable<Error> start_session_once(StopToken stop);
  ReconnectDecision reconnect_delay(const Error& error);

  // <endpoint>/ws?<query> with Go's url.Values.Encode() query (acs-protocol.md §2.1).
  static std::string acs_url(const std::string& endpoint, const SessionOptions& options,
                             bool send_credentials);

  bool send_credentials() const { return send_credentials_; }
  std::optional<std::chrono::steady_clock::time_point> last_connected() const { return last_connected_; }
  std::optional<std::chrono::steady_clock::time_point> last_disconnected() const {
    return last_disconnected_;
  }
  ExponentialBackoff& backoff() { return backoff_; }
  const FailureTracker& discovery_failures() const { return dpe_failures_; }
  const FailureTracker& connection_failures() const { return acs_failures_; }

 private:
  asio::awaitable<Error> serve_connection(const std::shared_ptr<Connection>& client, StopToken stop);
  std::chrono::nanoseconds idle_timeout();

  SessionOptions options_;
  EndpointDiscovery& discovery_;
  ConnectionFactory& factory_;
  RegisterResponders register_responders_;
  Clock& clock_;
  Jitter& jitter_;
  std::function<void()> on_inactive_instance_;
  Metrics& metrics_;
  ExponentialBackoff backoff_;
  bool send_credentials_ = true;
  FailureTracker dpe_failures_;
  FailureTracker acs_failures_;
  std::optional<std::chrono::steady_clock::time_point> first_connected_;
  std::optional<std::chrono::steady_clock::time_point> last_connected_;
  std::optional<std::chrono::steady_clock::time_point> last_disconnected_;
};

}  // namespace ecs::acs
