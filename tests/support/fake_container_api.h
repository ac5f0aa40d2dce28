// A Docker daemon in memory for the task engine's tests (dockerapi::ContainerApi): images,
// containers with their states, an event stream, and switches for what a real daemon does
// wrong — pulls that fail, a daemon that is down, containers that exit at once. Single io
// thread; every call completes after a post, as a real one would.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/async_event.h"
#include "dockerapi/client.h"

namespace ecs::test {

class FakeContainerApi : public dockerapi::ContainerApi {
 public:
  struct Container {
    std::string id, name, image, body;
    std::map<std::string, std::string> labels;
    bool created = true, running = false, started = false, oom = false;
    int exit_code = 0;
  };
  using Nano = std::chrono::nanoseconds;

  // What exists and what works.
  std::set<std::string> images;                             // present locally
  std::set<std::string> pullable;                           // a pull succeeds (and adds the image)
  std::map<std::string, dockerapi::VolumeInspect> volumes;  // by name
  std::function<void()> before_create;                      // runs as each create arrives
  std::string volume_create_error;                          // non-empty: every volume create fails so
  int pull_failures = 0;                        // the next this many pulls fail, whatever the image
  bool down = false;                            // every call fails as with no daemon
  std::map<std::string, int> exit_at_start;     // container name part → exits at once with that code
  std::map<std::string, Container> containers;  // by id
  std::vector<std::string> pull_auths;          // each pull's X-Registry-Auth ("" anonymous)
  std::vector<std::string> api_versions;        // "create 1.25", "start " (the client's own)...
  bool inspect_held = false;                    // container inspects wait until this is false again
  std::vector<std::string> calls;               // "pull busybox", "create ecs-...", "start <id>"...

  int count(std::string_view prefix) const {
    int n = 0;
    for (const auto& c : calls) n += c.starts_with(prefix);
    return n;
  }
  const Container* by_name(std::string_view part) const {
    for (const auto& [id, c] : containers) {
      if (c.name.find(part) != std::string::npos) return &c;
    }
    return nullptr;
  }
  // A container exits by itself (its process ended): Docker's die event.
  void exit(const std::string& id, int code, bool oom = false) {
    auto& c = containers.at(id);
    c.running = false;
    c.exit_code = code;
    c.oom = oom;
    if (oom) emit(id, "oom");
    emit(id, "die", {{"exitCode", std::to_string(code)}});  // as Docker's die carries it
  }
  void emit(const std::string& id, const std::string& action,
            std::map<std::string, std::string> attributes = {}) {
    if (!subscriber_) return;
    dockerapi::DockerEvent e;
    e.type = "container";
    e.action = action;
    e.id = id;
    e.attributes = std::move(attributes);
    subscriber_(e);
  }
  // Ends the current event subscription (the stream broke).
  void end_events() {
    if (stream_) stream_->set();
  }
  bool subscribed() const { return subscriber_ != nullptr; }

  asio::awaitable<Result<void>> ping(Nano, StopToken) override {
    co_await yield();
    if (down) co_return unreachable();
    co_return Result<void>();
  }
  asio::awaitable<Result<std::string>> create_container(dockerapi::ContainerCreateConfig config, Nano,
                                                        StopToken) override {
    co_await yield();
    if (before_create) before_create();
    calls.push_back("create " + config.name);
    api_versions.push_back("create " + config.api_version);
    if (down) co_return unreachable();
    for (const auto& [id, c] : containers) {
      if (c.name == config.name) {
        co_return make_error(dockerapi::DockerErrc::conflict,
                             "Error response from daemon: Conflict. The container name \"/" + config.name +
                                 "\" is already in use");
      }
    }
    std::string image;
    if (auto pos = config.body_json.find("\"Image\":\""); pos != std::string::npos) {
      pos += 9;
      image = config.body_json.substr(pos, config.body_json.find('"', pos) - pos);
    }
    if (!images.contains(image)) {
      co_return make_error(dockerapi::DockerErrc::not_found,
                           "Error response from daemon: No such image: " + image);
    }
    Container c;
    const std::string n = std::to_string(next_++);
    c.id = std::string(64 - n.size(), 'c') + n;
    c.name = config.name;
    c.image = image;
    c.body = config.body_json;
    containers[c.id] = c;
    emit(c.id, "create");
    co_return c.id;
  }
  asio::awaitable<Result<void>> start_container(std::string id, Nano, StopToken,
                                                std::string api_version) override {
    co_await yield();
    calls.push_back("start " + id);
    api_versions.push_back("start " + api_version);
    if (down) co_return unreachable();
    auto it = containers.find(id);
    if (it == containers.end()) co_return no_such(id);
    it->second.running = it->second.started = true;
    emit(id, "start");
    for (const auto& [part, code] : exit_at_start) {
      if (it->second.name.find(part) != std::string::npos) exit(id, code);
    }
    co_return Result<void>();
  }
  asio::awaitable<Result<void>> stop_container(std::string id, int grace, Nano, StopToken) override {
    co_await yield();
    calls.push_back("stop " + id + " " + std::to_string(grace));
    if (down) co_return unreachable();
    auto it = containers.find(id);
    if (it == containers.end()) co_return no_such(id);
    if (it->second.running) {
      it->second.running = false;
      it->second.exit_code = 137;
      emit(id, "kill");
      emit(id, "die");
      emit(id, "stop");
    }
    co_return Result<void>();
  }
  asio::awaitable<Result<void>> kill_container(std::string id, std::string, Nano, StopToken) override {
    co_await yield();
    calls.push_back("kill " + id);
    co_return Result<void>();
  }
  asio::awaitable<Result<void>> remove_container(std::string id, bool, Nano, StopToken) override {
    co_await yield();
    calls.push_back("remove " + id);
    if (down) co_return unreachable();
    if (containers.erase(id) == 0) co_return no_such(id);
    co_return Result<void>();
  }
  asio::awaitable<Result<dockerapi::ContainerInspect>> inspect_container(std::string key, Nano,
                                                                         StopToken) override {
    co_await yield();
    while (inspect_held) co_await yield();
    if (down) co_return unreachable();
    for (const auto& [id, c] : containers) {
      if (id != key && c.name != key) continue;
      dockerapi::ContainerInspect i;
      i.id = id;
      i.name = "/" + c.name;
      i.image = "sha256:" + c.image;
      i.created = "2026-12-03T10:00:00Z";
      i.state.running = c.running;
      i.state.status = c.running ? "running" : (c.started ? "exited" : "created");
      i.state.exit_code = c.exit_code;
      i.state.oom_killed = c.oom;
      i.state.started_at = c.started ? "2026-12-03T10:00:01Z" : "0001-01-01T00:00:00Z";
      i.state.finished_at = c.started && !c.running ? "2026-12-03T10:00:02Z" : "0001-01-01T00:00:00Z";
      i.labels = c.labels;
      co_return i;
    }
    co_return no_such(key);
  }
  asio::awaitable<Result<dockerapi::ImageInspect>> inspect_image(std::string name, Nano, StopToken) override {
    co_await yield();
    if (down) co_return unreachable();
    if (!images.contains(name))
      co_return make_error(dockerapi::DockerErrc::not_found, "No such image: " + name);
    dockerapi::ImageInspect i;
    i.id = "sha256:" + name;
    co_return i;
  }
  asio::awaitable<Result<void>> pull_image(std::string image, dockerapi::PullOptions options,
                                           StopToken) override {
    co_await yield();
    calls.push_back("pull " + image);
    pull_auths.push_back(options.registry_auth);
    if (down) co_return unreachable();
    if (pull_failures > 0) {
      --pull_failures;
      co_return make_error(dockerapi::DockerErrc::pull_failed, "toomanyrequests: rate limit exceeded");
    }
    if (!pullable.contains(image)) {
      co_return make_error(
          dockerapi::DockerErrc::pull_failed,
          "pull access denied for " + image + ", repository does not exist or may require 'docker login'");
    }
    images.insert(image);
    co_return Result<void>();
  }
  asio::awaitable<Result<std::vector<dockerapi::ContainerSummary>>> list_containers(std::string label, Nano,
                                                                                    StopToken) override {
    co_await yield();
    calls.push_back("list " + label);
    if (down) co_return unreachable();
    const auto eq = label.find('=');
    const std::string key = label.substr(0, eq);
    std::vector<dockerapi::ContainerSummary> out;
    for (const auto& [id, c] : containers) {
      auto it = c.labels.find(key);
      if (it == c.labels.end()) continue;
      if (eq != std::string::npos && it->second != label.substr(eq + 1)) continue;
      out.push_back({id, c.name, c.running ? "running" : "exited", c.labels});
    }
    co_return out;
  }
  asio::awaitable<Result<dockerapi::VolumeInspect>> create_volume(dockerapi::VolumeCreateConfig config, Nano,
                                                                  StopToken) override {
    co_await yield();
    calls.push_back("create-volume " + config.name);
    if (down) co_return unreachable();
    if (!volume_create_error.empty())
      co_return make_error(dockerapi::DockerErrc::daemon_error, volume_create_error);
    if (!volumes.contains(config.name)) {
      dockerapi::VolumeInspect made;
      made.name = config.name;
      made.driver = config.driver.empty() ? "local" : config.driver;
      made.mountpoint = "/var/lib/docker/volumes/" + config.name + "/_data";
      made.options = config.driver_opts;
      made.labels = config.labels;
      volumes[config.name] = std::move(made);
    }
    co_return volumes.at(config.name);
  }
  asio::awaitable<Result<dockerapi::VolumeInspect>> inspect_volume(std::string name, Nano,
                                                                   StopToken) override {
    co_await yield();
    calls.push_back("inspect-volume " + name);
    if (down) co_return unreachable();
    auto it = volumes.find(name);
    if (it == volumes.end()) {
      co_return make_error(dockerapi::DockerErrc::not_found,
                           "Error response from daemon: get " + name + ": no such volume");
    }
    co_return it->second;
  }
  asio::awaitable<Result<void>> remove_volume(std::string name, Nano, StopToken) override {
    co_await yield();
    calls.push_back("remove-volume " + name);
    volumes.erase(name);
    co_return Result<void>();
  }
  asio::awaitable<Result<void>> watch_events(std::function<void(dockerapi::DockerEvent)> on_event,
                                             StopToken stop) override {
    co_await yield();
    if (down) co_return unreachable();
    subscriber_ = std::move(on_event);
    stream_ = std::make_shared<AsyncEvent>(co_await asio::this_coro::executor);
    auto stream = stream_;
    StopCallback on_stop(stop, [stream] { stream->set(); });
    co_await stream->wait();
    subscriber_ = nullptr;
    stream_.reset();
    if (stop.stopped()) co_return make_error(dockerapi::DockerErrc::canceled, "context canceled");
    co_return make_error(dockerapi::DockerErrc::transport, "the Docker event stream ended");
  }

 private:
  static asio::awaitable<void> yield() {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  }
  static Error unreachable() {
    return make_error(dockerapi::DockerErrc::transport,
                      "cannot connect to the Docker daemon at unix:///fake.sock");
  }
  static Error no_such(const std::string& id) {
    return make_error(dockerapi::DockerErrc::not_found,
                      "Error response from daemon: No such container: " + id);
  }
  std::function<void(dockerapi::DockerEvent)> subscriber_;
  std::shared_ptr<AsyncEvent> stream_;
  int next_ = 1;
};

}  // namespace ecs::test
