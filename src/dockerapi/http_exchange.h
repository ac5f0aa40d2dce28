// One HTTP/1.1 exchange with the Docker engine over any connected byte stream that can be
// closed (a unix or TCP socket, a Windows named pipe handle): the request written, the answer
// read whole (round trip) or line by line as it arrives (streams: /events, image pulls).
//
// Deadlines are kept by timers that close the stream when they pass, so they work for stream
// types without an expiry of their own; a stop token closes it the same way. Included only by
// the transports' translation units (every Beast instantiation of the client lives there).
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <string>

#include "core/asio.h"
#include "core/clock.h"
#include "dockerapi/errors.h"
#include "dockerapi/transport.h"

namespace ecs::dockerapi::detail {

namespace beast = boost::beast;
namespace http = beast::http;

// A deadline: when it passes, `on_fire` runs once (it closes the stream). Re-arming moves it.
class Watchdog {
 public:
  Watchdog(const asio::any_io_executor& executor, std::function<void()> on_fire)
      : timer_(executor), state_(std::make_shared<State>()) {
    state_->on_fire = std::move(on_fire);
  }
  ~Watchdog() {
    state_->alive = false;
    timer_.cancel();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void arm(std::chrono::nanoseconds d, std::string phase) {
    const std::uint64_t generation = ++state_->generation;
    state_->phase = std::move(phase);
    state_->after = d;
    timer_.expires_after(d);
    timer_.async_wait([s = state_, generation](const error_code& ec) {
      if (ec || !s->alive || generation != s->generation || s->fired) return;
      s->fired = true;
      s->on_fire();
    });
  }
  bool fired() const { return state_->fired; }
  const std::string& phase() const { return state_->phase; }
  std::chrono::nanoseconds after() const { return state_->after; }

 private:
  struct State {
    bool alive = true;
    bool fired = false;
    std::uint64_t generation = 0;
    std::string phase;
    std::chrono::nanoseconds after{};
    std::function<void()> on_fire;
  };
  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

// `connect(stream)` returns an awaitable<error_code>. `on_line` null: a round trip within
// timeouts.total; else the body of a 2xx answer is streamed to it.
template <class Stream, class Connect>
asio::awaitable<Result<HttpResponse>> exchange(Stream& stream, Connect connect, const HttpRequest& request,
                                               const std::string& where, std::size_t body_limit,
                                               StreamTimeouts timeouts, const LineHandler* on_line,
                                               StopToken stop) {
  if (stop.stopped()) co_return make_error(DockerErrc::canceled, "context canceled");
  auto executor = co_await asio::this_coro::executor;
  bool stopped = false;
  auto close = [&stream] {
    error_code ignored;
    stream.close(ignored);
  };
  StopCallback on_stop(stop, [&stopped, &close] {
    stopped = true;
    close();
  });
  Watchdog total(executor, close);
  Watchdog phase(executor, close);
  total.arm(timeouts.total, "");
  if (on_line) phase.arm(timeouts.begin, "begin");

  auto failure = [&](const error_code& ec, const std::string& what) -> Error {
    if (stopped) return make_error(DockerErrc::canceled, "context canceled");
    if (total.fired()) {
      return make_error(DockerErrc::timeout,
                        "timed out after " + go_duration(total.after()) + " talking to " + where);
    }
    if (phase.fired()) {
      if (phase.phase() == "idle") {
        return make_error(DockerErrc::timeout, "inactivity time exceeded timeout (" +
                                                   go_duration(phase.after()) + ") reading the answer of " +
                                                   where);
      }
      return make_error(DockerErrc::timeout,
                        "no answer from " + where + " within " + go_duration(phase.after()));
    }
    if (ec == http::error::body_limit) {
      return make_error(DockerErrc::malformed_response, "the Docker daemon at " + where +
                                                            " sent a body larger than " +
                                                            std::to_string(body_limit) + " bytes");
    }
    const error_code eos = http::error::end_of_stream;
    if (ec.category() == eos.category() && ec != eos && ec != http::error::partial_message) {
      return make_error(DockerErrc::malformed_response,
                        "the Docker daemon at " + where + " did not answer with HTTP: " + ec.message());
    }
    return make_error(DockerErrc::transport, what + ": " + ec.message());
  };
  const std::string lost = "connection to the Docker daemon at " + where + " was lost";

  error_code ec = co_await connect(stream);
  if (ec) co_return failure(ec, "cannot connect to the Docker daemon at " + where);

  http::request<http::string_body> req;
  req.method(http::string_to_verb(request.method));
  req.target(request.target);
  req.version(11);
  req.set(http::field::host, "api.moby.localhost");  // the Go client's name for socket transports
  req.set(http::field::user_agent, "ecs-agent");
  for (const auto& [name, value] : request.headers) req.set(name, value);
  if (!request.body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = request.body;
  }
  req.prepare_payload();
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return failure(ec, lost);

  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> header;
  header.header_limit(64 * 1024);
  co_await http::async_read_header(stream, buffer, header, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return failure(ec, lost);

  HttpResponse out;
  out.status = header.get().result_int();
  out.content_type = std::string(header.get()[http::field::content_type]);
  const bool streamed = on_line != nullptr && out.status >= 200 && out.status < 300;

  if (!streamed) {
    // Boost 1.74's parser does not apply body_limit to a Content-Length body (only to chunked
    // and read-to-EOF ones): check the announced length here.
    if (header.content_length() && *header.content_length() > body_limit) {
      co_return failure(http::error::body_limit, "");
    }
    http::response_parser<http::string_body> parser(std::move(header));
    parser.body_limit(body_limit);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return failure(ec, lost);
    out.body = std::move(parser.get().body());
    close();
    co_return out;
  }

  http::response_parser<http::buffer_body> parser(std::move(header));
  parser.body_limit(boost::none);  // a stream has no length; each line is bounded instead
  std::string pending;
  char chunk[16 * 1024];
  bool more = true;
  while (more && !parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    phase.arm(timeouts.idle, "idle");
    co_await http::async_read_some(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::need_buffer) ec = {};
    if (ec) co_return failure(ec, lost);
    pending.append(chunk, sizeof chunk - parser.get().body().size);
    std::size_t start = 0;
    for (std::size_t nl; more && (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(pending.data() + start, nl - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) more = (*on_line)(line);
    }
    pending.erase(0, start);
    if (pending.size() > kStreamLineLimit) {
      co_return make_error(DockerErrc::malformed_response, "the Docker daemon at " + where +
                                                               " sent a line longer than " +
                                                               std::to_string(kStreamLineLimit) + " bytes");
    }
  }
  if (more && !pending.empty()) (void)(*on_line)(pending);
  close();
  co_return out;
}

}  // namespace ecs::dockerapi::detail
