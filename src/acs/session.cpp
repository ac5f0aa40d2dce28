#include "acs/session.h"

#include "core/log.h"
#include "core/url.h"

namespace ecs::acs {

namespace {

double ms_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string ms_text(std::chrono::nanoseconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + "ms";
}

}  // namespace

Session::Session(SessionOptions options, EndpointDiscovery& discovery, ConnectionFactory& factory,
                 RegisterResponders register_responders, Clock& clock, Jitter& jitter,
                 std::function<void()> on_inactive_instance, Metrics& metrics)
    : options_(std::move(options)),
      discovery_(discovery),
      factory_(factory),
      register_responders_(std::move(register_responders)),
      clock_(clock),
      jitter_(jitter),
      on_inactive_instance_(std::move(on_inactive_instance)),
      metrics_(metrics),
      backoff_(options_.backoff_min, options_.backoff_max, options_.backoff_jitter,
               options_.backoff_multiplier, jitter) {}

std::string Session::acs_url(const std::string& endpoint, const SessionOptions& options,
                             bool send_credentials) {
  std::string base = endpoint;
  if (base.empty() || base.back() != '/') base.push_back('/');
  base += "ws";
  std::vector<std::pair<std::string, std::string>> params = {
      {"agentHash", options.agent_hash},
      {"agentVersion", options.agent_version},
      {"clusterArn", options.cluster},
      {"containerInstanceArn", options.container_instance_arn},
      {"protocolVersion", "2"},  // ACS closes connections that stop acknowledging heartbeats
      {"sendCredentials", send_credentials ? "true" : "false"},
      {"seqNum", "1"},
  };
  if (!options.docker_version.empty()) {
    params.emplace_back("dockerVersion", options.docker_version == "containerd"
                                             ? std::string("containerd")
                                             : "DockerVersion: " + options.docker_version);
  }
  return base + "?" + form_encode(std::move(params));
}

ReconnectDecision Session::reconnect_delay(const Error& error) {
  if (error.code && is_inactive_instance(error)) {
    if (on_inactive_instance_) on_inactive_instance_();
    return {options_.inactive_instance_reconnect_delay, true};
  }
  if (!error.code || error.code == AcsErrc::reconnect_now) {
    backoff_.reset();
    return {std::chrono::nanoseconds(0), false};
  }
  return {backoff_.next(), true};
}

std::chrono::nanoseconds Session::idle_timeout() {
  return jitter_.add(options_.heartbeat_timeout, options_.heartbeat_jitter);
}

asio::awaitable<Error> Session::start(StopToken stop) {
  while (!stop.stopped()) {
    const Error error = co_await start_session_once(stop);
    last_disconnected_ = clock_.now();
    if (stop.stopped()) break;
    const ReconnectDecision decision = reconnect_delay(error);
    if (!decision.wait) {
      log::info("ACS connection ended; reconnecting", {{"reason", error.message}});
      continue;
    }
    log::warn("ACS connection ended; waiting before reconnecting",
              {{"reason", error.message}, {"wait", ms_text(decision.delay)}});
    if (!co_await clock_.sleep(decision.delay, stop)) break;
  }
  co_return make_error(AcsErrc::cancelled, "context canceled");
}

asio::awaitable<Error> Session::start_session_once(StopToken stop) {
  auto endpoint =
      co_await discovery_.discover_poll_endpoint(options_.cluster, options_.container_instance_arn);
  if (!endpoint) {
    dpe_failures_.record_failure(clock_.now());
    acs_failures_.record_failure(clock_.now());
    co_return endpoint.error();
  }
  dpe_failures_.record_success();
  const std::string url_text = acs_url(*endpoint, options_, send_credentials_);
  auto url = parse_url(url_text);
  if (!url) {
    acs_failures_.record_failure(clock_.now());
    co_return url.error();
  }
  std::shared_ptr<Connection> client = factory_.make(*url);
  const auto started = clock_.now();
  auto connected = co_await client->connect();
  metrics_.done("ACSSession.ACSConnectFailure", connected ? error_code() : connected.error().code);
  if (!connected) {
    acs_failures_.record_failure(clock_.now());
    client->close();
    co_return connected.error();
  }
  const auto now = clock_.now();
  metrics_.gauge("ACSSession.ACSConnectDuration", ms_between(started, now));
  if (last_disconnected_)
    metrics_.gauge("ACSSession.ACSDisconnectedDuration", ms_between(*last_disconnected_, now));
  if (!first_connected_) first_connected_ = now;
  last_connected_ = now;
  acs_failures_.record_success();
  send_credentials_ = false;  // ACS sends credentials at its own cadence from now on
  log::info("connected to ACS", {{"endpoint", url->scheme + "://" + url->authority()}});
  Error result = co_await serve_connection(client, stop);
  client->close();
  client->clear_handlers();
  co_return result;
}

asio::awaitable<Error> Session::serve_connection(const std::shared_ptr<Connection>& client, StopToken stop) {
  register_responders_(client);
  auto executor = co_await asio::this_coro::executor;
  auto alive = std::make_shared<bool>(true);
  std::weak_ptr<Connection> weak = client;

  // The idle timer: nothing decodable for heartbeat_timeout + U[0, jitter) closes the socket.
  auto idle = std::make_shared<asio::steady_timer>(executor);
  std::function<void()> arm_idle = [this, idle, alive, weak] {
    idle->expires_after(idle_timeout());
    idle->async_wait([alive, weak](const boost::system::error_code& ec) {
      if (ec || !*alive) return;
      if (auto c = weak.lock()) {
        log::warn("no message from ACS within the idle timeout; closing the connection");
        c->close();
      }
    });
  };
  arm_idle();
  client->set_any_message_hook([weak, arm_idle] {
    if (auto c = weak.lock()) c->extend_read_deadline();
    arm_idle();
  });
  // A connection that lives this long resets the reconnect backoff.
  asio::steady_timer backoff_reset(executor, idle_timeout());
  backoff_reset.async_wait([this, alive](const boost::system::error_code& ec) {
    if (!ec && *alive) backoff_.reset();
  });

  Error result = co_await client->serve(stop);
  *alive = false;
  idle->cancel();
  backoff_reset.cancel();
  co_return result;
}

}  // namespace ecs::acs
