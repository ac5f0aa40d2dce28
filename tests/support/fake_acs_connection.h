// Test doubles for the ACS session's collaborators: a scripted Connection (what connect() and
// serve() return, what was sent, which handlers were registered), its factory, endpoint
// discovery with scripted answers, and a metrics recorder.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "acs/connection.h"
#include "acs/session.h"

namespace ecs::test {

// What a fake connection's serve() ends with after close(): a plain error, as the real
// connection's "use of closed network connection" (the session backs off on it).
inline Error closed_locally_error(std::string text = "use of closed network connection") {
  return make_error(errc::make_error_code(errc::connection_aborted), std::move(text));
}
inline const error_code kClosedLocally = errc::make_error_code(errc::connection_aborted);

class FakeConnection : public acs::Connection {
 public:
  explicit FakeConnection(asio::any_io_executor executor, std::string url = "")
      : executor_(executor), url_(std::move(url)) {}

  std::function<Result<void>()> on_connect = [] { return Result<void>(); };
  // What serve() does: by default it waits until close() or stop, then reports why.
  std::function<asio::awaitable<Error>(StopToken)> on_serve;

  asio::awaitable<Result<void>> connect() override {
    ++connects;
    co_return on_connect();
  }
  asio::awaitable<Error> serve(StopToken stop) override {
    ++serves;
    if (on_serve) co_return co_await on_serve(stop);
    while (!closed && !stop.stopped()) {
      asio::steady_timer t(executor_, std::chrono::milliseconds(1));
      co_await t.async_wait(asio::use_awaitable);
    }
    co_return stop.stopped() ? make_error(acs::AcsErrc::cancelled, "context canceled")
                             : closed_locally_error();
  }
  asio::awaitable<Result<void>> send(const acs::Message& message) override {
    sent.push_back(message);
    co_return send_result;
  }
  void close() override {
    closed = true;
    ++close_calls;
  }
  void set_handler(std::string_view type, acs::Handler handler) override {
    handlers[std::string(type)] = std::move(handler);
  }
  void set_any_message_hook(std::function<void()> hook) override { any = std::move(hook); }
  void extend_read_deadline() override { ++deadline_extensions; }
  void clear_handlers() override {
    handlers.clear();
    any = nullptr;
  }
  asio::any_io_executor executor() const override { return executor_; }

  // Delivers a decoded message as the read loop would: the hook, then the handler.
  asio::awaitable<void> deliver(const acs::Message& m) {
    if (any) any();
    auto it = handlers.find(std::string(acs::type_name(m)));
    if (it != handlers.end()) {
      acs::Handler h = it->second;
      co_await h(m);
    }
  }

  template <class T>
  std::vector<T> sent_of() const {
    std::vector<T> out;
    for (const auto& m : sent) {
      if (auto* p = std::get_if<T>(&m)) out.push_back(*p);
    }
    return out;
  }

  asio::any_io_executor executor_;
  std::string url_;
  int connects = 0;
  int serves = 0;
  int close_calls = 0;
  int deadline_extensions = 0;
  bool closed = false;
  Result<void> send_result;
  std::vector<acs::Message> sent;
  std::map<std::string, acs::Handler> handlers;
  std::function<void()> any;
};

class FakeConnectionFactory : public acs::ConnectionFactory {
 public:
  explicit FakeConnectionFactory(asio::any_io_executor executor) : executor_(executor) {}
  // Configures each new client (index = how many were made before).
  std::function<void(FakeConnection&, int)> configure;
  std::shared_ptr<acs::Connection> make(const Url& url) override {
    auto c = std::make_shared<FakeConnection>(executor_, url.to_string());
    urls.push_back(url.to_string());
    if (configure) configure(*c, static_cast<int>(clients.size()));
    clients.push_back(c);
    return c;
  }
  std::vector<std::string> urls;
  std::vector<std::shared_ptr<FakeConnection>> clients;

 private:
  asio::any_io_executor executor_;
};

class FakeDiscovery : public acs::EndpointDiscovery {
 public:
  std::deque<Result<std::string>> answers;  // then `fallback`
  Result<std::string> fallback = std::string("http://endpoint.tld");
  int calls = 0;
  asio::awaitable<Result<std::string>> discover_poll_endpoint(const std::string&,
                                                              const std::string&) override {
    ++calls;
    if (answers.empty()) co_return fallback;
    auto a = answers.front();
    answers.pop_front();
    co_return a;
  }
};

class RecordingMetrics : public acs::Metrics {
 public:
  void done(std::string_view name, const error_code& e) override { events.push_back({std::string(name), e}); }
  void gauge(std::string_view name, double) override { gauges.push_back(std::string(name)); }
  int count(std::string_view name) const {
    int n = 0;
    for (const auto& e : events) n += e.first == name;
    return n;
  }
  int gauge_count(std::string_view name) const {
    int n = 0;
    for (const auto& g : gauges) n += g == name;
    return n;
  }
  std::vector<std::pair<std::string, error_code>> events;
  std::vector<std::string> gauges;
};

}  // namespace ecs::test
