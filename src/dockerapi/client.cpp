#include "dockerapi/client.h"

#include "core/json_writer.h"
#include "core/url.h"

namespace ecs::dockerapi {

EngineClient::EngineClient(std::unique_ptr<Transport> transport, EngineClientOptions options)
    : transport_(std::move(transport)), options_(std::move(options)) {}

Result<std::unique_ptr<EngineClient>> EngineClient::from_docker_host(std::string_view docker_host,
                                                                     EngineClientOptions options) {
  auto endpoint = parse_endpoint(docker_host);
  if (!endpoint) return endpoint.error();
  auto transport = make_transport(*endpoint, options.body_limit);
  if (!transport) return transport.error();
  return std::make_unique<EngineClient>(std::move(*transport), std::move(options));
}

Error EngineClient::from_transport(const Error& error, std::string_view op, nanoseconds timeout) const {
  if (error.code == DockerErrc::timeout) {
    return make_error(DockerErrc::timeout, "Could not transition to " + std::string(op) +
                                               "; timed out after waiting " + go_duration(timeout));
  }
  return error;
}

Error EngineClient::from_status(const HttpResponse& response) const {
  // The Go client reads the JSON `message` only from API 1.24 on (older daemons answer in text).
  const bool json_errors = (api_version_.empty() || compare_api_versions(api_version_, "1.23") > 0) &&
                           response.content_type.starts_with("application/json");
  std::string text = "Error response from daemon: " + parse_error_message(response.body, json_errors);
  DockerErrc code = DockerErrc::daemon_error;
  if (response.status == 404) code = DockerErrc::not_found;
  if (response.status == 409) code = DockerErrc::conflict;
  if (response.status == 400) code = DockerErrc::bad_request;
  return make_error(code, std::move(text));
}

asio::awaitable<Result<HttpResponse>> EngineClient::call(std::string_view op, std::string method,
                                                         std::string path, std::string body,
                                                         nanoseconds timeout, StopToken stop,
                                                         std::string at_least) {
  const auto started = std::chrono::steady_clock::now();
  auto version = co_await api_version(timeout, stop);
  if (!version) co_return version.error();
  if (!at_least.empty()) {
    if (!is_api_version(at_least)) {
      co_return make_error(DockerErrc::bad_request, "'" + at_least + "' is not a Docker API version");
    }
    if (compare_api_versions(at_least, *version) > 0) *version = at_least;
  }
  const auto remaining = timeout - (std::chrono::steady_clock::now() - started);
  if (remaining <= nanoseconds::zero()) {
    co_return from_transport(make_error(DockerErrc::timeout, "deadline passed while negotiating"), op,
                             timeout);
  }
  HttpRequest request{std::move(method), "/v" + *version + path, std::move(body)};
  auto response = co_await transport_->round_trip(request, remaining, stop);
  if (!response) co_return from_transport(response.error(), op, timeout);
  if (response->status < 200 || response->status >= 400) co_return from_status(*response);
  co_return response;
}

asio::awaitable<Result<std::string>> EngineClient::api_version(nanoseconds timeout, StopToken stop) {
  while (api_version_.empty()) {
    if (negotiating_) {  // someone else is asking: wait for their answer (or their failure)
      auto pending = negotiating_;
      co_await pending->wait();
      continue;
    }
    negotiating_ = std::make_shared<AsyncEvent>(co_await asio::this_coro::executor);
    auto info = co_await version(timeout, stop);
    auto done = std::move(negotiating_);
    negotiating_.reset();
    done->set();
    if (!info) co_return info.error();
    std::string chosen = options_.min_api_version;
    if (!info->min_api_version.empty() && compare_api_versions(info->min_api_version, chosen) > 0) {
      chosen = info->min_api_version;
    }
    if (compare_api_versions(info->api_version, chosen) < 0) {
      co_return make_error(DockerErrc::unsupported_api, "the Docker daemon's API version " +
                                                            info->api_version +
                                                            " is older than this agent's minimum " + chosen);
    }
    api_version_ = chosen;
  }
  co_return api_version_;
}

asio::awaitable<Result<VersionInfo>> EngineClient::version(nanoseconds timeout, StopToken stop) {
  HttpRequest request{"GET", "/version", ""};
  auto response = co_await transport_->round_trip(request, timeout, stop);
  if (!response) co_return from_transport(response.error(), "version", timeout);
  if (response->status < 200 || response->status >= 400) co_return from_status(*response);
  co_return parse_version(response->body);
}

asio::awaitable<Result<void>> EngineClient::ping(nanoseconds timeout, StopToken stop) {
  HttpRequest request{"GET", "/_ping", ""};
  auto response = co_await transport_->round_trip(request, timeout, stop);
  if (!response) co_return from_transport(response.error(), "ping", timeout);
  if (response->status < 200 || response->status >= 400) co_return from_status(*response);
  co_return Result<void>();
}

asio::awaitable<Result<std::string>> EngineClient::create_exec(std::string container_id, ExecConfig config,
                                                               nanoseconds timeout, StopToken stop) {
  auto r = co_await call("exec command", "POST", "/containers/" + percent_encode(container_id) + "/exec",
                         encode_exec_config(config), timeout, stop);
  if (!r) co_return r.error();
  co_return parse_id(r->body, "exec command");
}

asio::awaitable<Result<void>> EngineClient::start_exec(std::string exec_id, bool detach, bool tty,
                                                       nanoseconds timeout, StopToken stop) {
  auto r = co_await call("start exec command", "POST", "/exec/" + percent_encode(exec_id) + "/start",
                         encode_exec_start(detach, tty), timeout, stop);
  if (!r) co_return r.error();
  co_return Result<void>();
}

asio::awaitable<Result<ExecInspect>> EngineClient::inspect_exec(std::string exec_id, nanoseconds timeout,
                                                                StopToken stop) {
  auto r = co_await call("inspect exec command", "GET", "/exec/" + percent_encode(exec_id) + "/json", "",
                         timeout, stop);
  if (!r) co_return r.error();
  co_return parse_exec_inspect(r->body);
}

asio::awaitable<Result<TopResult>> EngineClient::top(std::string container_id, nanoseconds timeout,
                                                     StopToken stop) {
  auto r =
      co_await call("top", "GET", "/containers/" + percent_encode(container_id) + "/top", "", timeout, stop);
  if (!r) co_return r.error();
  co_return parse_top(r->body);
}

asio::awaitable<Result<ContainerInspect>> EngineClient::inspect_container(std::string id, nanoseconds timeout,
                                                                          StopToken stop) {
  auto r = co_await call("inspect", "GET", "/containers/" + percent_encode(id) + "/json", "", timeout, stop);
  if (!r) co_return r.error();
  co_return parse_container_inspect(r->body);
}

asio::awaitable<Result<std::string>> EngineClient::create_container(ContainerCreateConfig config,
                                                                    nanoseconds timeout, StopToken stop) {
  std::string path = "/containers/create";
  if (!config.name.empty()) path += "?name=" + percent_encode(config.name);
  auto r = co_await call("create", "POST", std::move(path), encode_container_create(config), timeout, stop,
                         config.api_version);
  if (!r) co_return r.error();
  co_return parse_id(r->body, "create");
}

asio::awaitable<Result<void>> EngineClient::start_container(std::string id, nanoseconds timeout,
                                                            StopToken stop, std::string api_version) {
  auto r = co_await call("start", "POST", "/containers/" + percent_encode(id) + "/start", "", timeout, stop,
                         std::move(api_version));
  if (!r) co_return r.error();
  co_return Result<void>();
}

asio::awaitable<Result<void>> EngineClient::stop_container(std::string id, int grace_seconds,
                                                           nanoseconds timeout, StopToken stop) {
  auto r = co_await call("stop", "POST",
                         "/containers/" + percent_encode(id) + "/stop?t=" + std::to_string(grace_seconds), "",
                         timeout, stop);
  if (!r) co_return r.error();
  co_return Result<void>();
}

asio::awaitable<Result<void>> EngineClient::kill_container(std::string id, std::string signal,
                                                           nanoseconds timeout, StopToken stop) {
  auto r = co_await call("kill", "POST",
                         "/containers/" + percent_encode(id) + "/kill?signal=" + percent_encode(signal), "",
                         timeout, stop);
  if (!r) co_return r.error();
  co_return Result<void>();
}

asio::awaitable<Result<void>> EngineClient::remove_container(std::string id, bool force, nanoseconds timeout,
                                                             StopToken stop) {
  auto r = co_await call("remove", "DELETE",
                         "/containers/" + percent_encode(id) + (force ? "?force=1&v=1" : "?v=1"), "", timeout,
                         stop);
  if (!r) co_return r.error();
  co_return Result<void>();
}

asio::awaitable<Result<ImageInspect>> EngineClient::inspect_image(std::string name, nanoseconds timeout,
                                                                  StopToken stop) {
  auto r = co_await call("inspect image", "GET",
                         "/images/" + percent_encode(name, /*keep_slash=*/true) + "/json", "", timeout, stop);
  if (!r) co_return r.error();
  co_return parse_image_inspect(r->body);
}

asio::awaitable<Result<void>> EngineClient::pull_image(std::string image, PullOptions options,
                                                       StopToken stop) {
  auto version = co_await api_version(options.begin, stop);
  if (!version) co_return version.error();
  const ImageReference ref = parse_image_reference(image);
  HttpRequest request{"POST",
                      "/v" + *version + "/images/create?fromImage=" + percent_encode(ref.repository) +
                          "&tag=" + percent_encode(ref.tag),
                      ""};
  if (!options.registry_auth.empty()) request.headers.emplace_back("X-Registry-Auth", options.registry_auth);
  std::string failed;
  std::string unreadable;
  LineHandler on_line = [&failed, &unreadable](std::string_view line) {
    auto progress = parse_pull_progress(line);
    if (!progress) {
      unreadable = progress.error().message;
      return false;
    }
    if (!progress->error.empty()) {
      failed = progress->error;
      return false;
    }
    return true;
  };
  auto response = co_await transport_->stream_lines(
      request, StreamTimeouts{options.begin, options.idle, options.total}, std::move(on_line), stop);
  if (!response) {
    if (response.error().code == DockerErrc::timeout) {
      co_return make_error(DockerErrc::timeout, "pulling " + image + ": " + response.error().message);
    }
    co_return response.error();
  }
  if (response->status < 200 || response->status >= 300) co_return from_status(*response);
  if (!failed.empty()) co_return make_error(DockerErrc::pull_failed, failed);
  if (!unreadable.empty()) co_return make_error(DockerErrc::malformed_response, unreadable);
  co_return Result<void>();
}

asio::awaitable<Result<VolumeInspect>> EngineClient::create_volume(VolumeCreateConfig config,
                                                                   nanoseconds timeout, StopToken stop) {
  auto r =
      co_await call("create volume", "POST", "/volumes/create", volume_create_body(config), timeout, stop);
  if (!r) co_return r.error();
  co_return parse_volume_inspect(r->body);
}

asio::awaitable<Result<VolumeInspect>> EngineClient::inspect_volume(std::string name, nanoseconds timeout,
                                                                    StopToken stop) {
  auto r = co_await call("inspect volume", "GET", "/volumes/" + percent_encode(name), "", timeout, stop);
  if (!r) co_return r.error();
  co_return parse_volume_inspect(r->body);
}

asio::awaitable<Result<void>> EngineClient::remove_volume(std::string name, nanoseconds timeout,
                                                          StopToken stop) {
  auto r = co_await call("remove volume", "DELETE", "/volumes/" + percent_encode(name), "", timeout, stop);
  if (!r) co_return r.error();
  co_return Result<void>();
}

asio::awaitable<Result<std::vector<ContainerSummary>>> EngineClient::list_containers(std::string label,
                                                                                     nanoseconds timeout,
                                                                                     StopToken stop) {
  std::string filters;
  JsonWriter w(filters);
  w.begin_object().key("label").begin_array().string(label).end_array().end_object();
  auto r = co_await call("list containers", "GET",
                         "/containers/json?all=1&filters=" + percent_encode(filters), "", timeout, stop);
  if (!r) co_return r.error();
  co_return parse_container_list(r->body);
}

asio::awaitable<Result<void>> EngineClient::watch_events(std::function<void(DockerEvent)> on_event,
                                                         StopToken stop) {
  auto version = co_await api_version(std::chrono::seconds(30), stop);
  if (!version) co_return version.error();
  // filters={"type":["container"]}
  HttpRequest request{"GET",
                      "/v" + *version + "/events?filters=" + percent_encode(R"({"type":["container"]})"), ""};
  LineHandler on_line = [&on_event](std::string_view line) {
    auto event = parse_event(line);
    if (event && !event->id.empty()) on_event(std::move(*event));
    return true;  // one unreadable line does not end the subscription
  };
  // The stream is quiet while nothing happens: no inactivity limit, only the first answer's.
  StreamTimeouts timeouts{std::chrono::seconds(30), std::chrono::hours(24 * 365),
                          std::chrono::hours(24 * 365)};
  auto response = co_await transport_->stream_lines(request, timeouts, std::move(on_line), stop);
  if (!response) co_return response.error();
  if (response->status < 200 || response->status >= 300) co_return from_status(*response);
  co_return make_error(DockerErrc::transport, "the Docker event stream ended");
}

}  // namespace ecs::dockerapi
