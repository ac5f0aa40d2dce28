#include "localcp/acs_server.h"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <thread>

#include "aws/sigv4_verify.h"
#include "core/url.h"
#include "tls/context.h"

namespace ecs::localcp {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
using WsStream = websocket::stream<server::TlsStream>;

namespace {

struct Outgoing {
  enum class Kind { text, close, close_empty, drop, ping } kind;
  std::string text;
  int code = 0;
};

struct ConnState {
  AcsServer::Connection record;  // guarded by State::mutex
  WsStream* ws = nullptr;        // server thread only, while the connection runs
  std::deque<Outgoing> queue;    // server thread only
  bool writing = false;
};

}  // namespace

struct AcsServer::State {
  mutable std::mutex mutex;
  std::vector<std::shared_ptr<ConnState>> conns;
  std::vector<std::string> on_connect;
  int reject_count = 0;
  unsigned reject_status = 400;
  std::string reject_body;
  std::atomic<bool> stall{false};
  aws::Credentials accepted;
  int next_id = 1;
};

namespace {

asio::awaitable<void> drain(std::shared_ptr<ConnState> c) {
  if (c->writing) co_return;
  c->writing = true;
  while (c->ws != nullptr && !c->queue.empty()) {
    Outgoing o = std::move(c->queue.front());
    c->queue.pop_front();
    error_code ec;
    switch (o.kind) {
      case Outgoing::Kind::text:
        c->ws->text(true);
        co_await c->ws->async_write(asio::buffer(o.text), asio::redirect_error(asio::use_awaitable, ec));
        break;
      case Outgoing::Kind::close: {
        const websocket::close_reason reason(static_cast<websocket::close_code>(o.code), o.text);
        co_await c->ws->async_close(reason, asio::redirect_error(asio::use_awaitable, ec));
        break;
      }
      case Outgoing::Kind::close_empty: {
        const websocket::close_reason reason;  // no code: an empty close payload
        co_await c->ws->async_close(reason, asio::redirect_error(asio::use_awaitable, ec));
        break;
      }
      case Outgoing::Kind::drop:
        beast::get_lowest_layer(*c->ws).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
        beast::get_lowest_layer(*c->ws).close();
        break;
      case Outgoing::Kind::ping: {
        const websocket::ping_data payload("ping");
        co_await c->ws->async_ping(payload, asio::redirect_error(asio::use_awaitable, ec));
        break;
      }
    }
  }
  c->writing = false;
}

std::map<std::string, std::string> parse_query(const std::string& target) {
  std::map<std::string, std::string> q;
  const auto mark = target.find('?');
  if (mark == std::string::npos) return q;
  for (auto& [k, v] : form_decode(std::string_view(target).substr(mark + 1)))
    q[k] = std::move(v);  // last wins
  return q;
}

asio::awaitable<void> serve_upgrade(std::shared_ptr<AcsServer::State> state, server::TlsStream stream,
                                    server::Request request) {
  // Rejections and stalls come first, before anything is accepted.
  {
    std::unique_lock lock(state->mutex);
    if (state->reject_count > 0) {
      --state->reject_count;
      const unsigned status = state->reject_status;
      const std::string body = state->reject_body;
      lock.unlock();
      server::Response res = server::make_response(request, static_cast<http::status>(status), body);
      res.keep_alive(false);
      error_code ec;
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      co_return;
    }
  }
  while (state->stall) {
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(20));
    co_await t.async_wait(asio::use_awaitable);
  }
  auto c = std::make_shared<ConnState>();
  c->record.query = parse_query(std::string(request.target()));
  c->record.host = std::string(request[http::field::host]);
  aws::ReceivedRequest received{"GET", std::string(request.target()), {}, ""};
  for (const auto& f : request)
    received.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  auto verified = aws::verify_signature(
      received,
      [state](const std::string& id) -> std::optional<std::string> {
        if (id == state->accepted.access_key_id) return state->accepted.secret_access_key;
        return std::nullopt;
      },
      std::chrono::system_clock::now());
  c->record.signature_ok = static_cast<bool>(verified);
  if (!verified) c->record.signature_error = verified.error().message;

  WsStream ws(std::move(stream));
  error_code ec;
  co_await ws.async_accept(request, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  std::vector<std::string> greeting;
  {
    std::lock_guard lock(state->mutex);
    c->record.id = state->next_id++;
    c->record.opened_at = std::chrono::steady_clock::now();
    state->conns.push_back(c);
    greeting = state->on_connect;
  }
  c->ws = &ws;
  for (auto& g : greeting) c->queue.push_back({Outgoing::Kind::text, g});
  auto executor = co_await asio::this_coro::executor;
  if (!c->queue.empty()) asio::co_spawn(executor, drain(c), asio::detached);

  beast::flat_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    std::lock_guard lock(state->mutex);
    c->record.received.push_back(beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
  }
  {
    std::lock_guard lock(state->mutex);
    if (ec == websocket::error::closed) {
      c->record.close_code_received = ws.reason().code;
      c->record.close_reason_received = std::string(ws.reason().reason.data(), ws.reason().reason.size());
    }
    c->record.open = false;
    c->record.closed_at = std::chrono::steady_clock::now();
  }
  // Let a running writer notice; then the stream goes away with this frame.
  while (c->writing) {
    asio::steady_timer t(executor, std::chrono::milliseconds(1));
    co_await t.async_wait(asio::use_awaitable);
  }
  c->ws = nullptr;
}

}  // namespace

AcsServer::AcsServer(ServerThread& servers, const IssuedCertificate& certificate, aws::Credentials accepted,
                     std::uint16_t port)
    : servers_(servers), state_(std::make_shared<State>()) {
  state_->accepted = std::move(accepted);
  server::HttpServerOptions options;
  options.tls = *tls::Context::server(certificate.chain_pem, certificate.key_pem);
  options.on_tls_upgrade = [state = state_](server::TlsStream s, server::Request r, const server::Peer&) {
    return serve_upgrade(state, std::move(s), std::move(r));
  };
  port_ = servers_.start_http(
      [](server::Request& req, const server::Peer&) -> asio::awaitable<server::Response> {
        co_return server::make_response(req, http::status::not_found, "{}");
      },
      options, port);
}

AcsServer::~AcsServer() = default;

void AcsServer::on_connect_send(std::vector<std::string> frames) {
  std::lock_guard lock(state_->mutex);
  state_->on_connect = std::move(frames);
}

namespace {

void post_outgoing(ServerThread& servers, const std::shared_ptr<AcsServer::State>& state, Outgoing o);

}  // namespace

void AcsServer::send(const std::string& frame) {
  post_outgoing(servers_, state_, {Outgoing::Kind::text, frame});
}
void AcsServer::close(int code, const std::string& reason) {
  post_outgoing(servers_, state_, {Outgoing::Kind::close, reason, code});
}
void AcsServer::close_without_payload() {
  post_outgoing(servers_, state_, {Outgoing::Kind::close_empty, ""});
}
void AcsServer::drop() { post_outgoing(servers_, state_, {Outgoing::Kind::drop, ""}); }
void AcsServer::ping() { post_outgoing(servers_, state_, {Outgoing::Kind::ping, ""}); }

namespace {

void post_outgoing(ServerThread& servers, const std::shared_ptr<AcsServer::State>& state, Outgoing o) {
  asio::post(servers.io(), [state, o = std::move(o), &servers] {
    std::shared_ptr<ConnState> target;
    {
      std::lock_guard lock(state->mutex);
      for (auto it = state->conns.rbegin(); it != state->conns.rend(); ++it) {
        if ((*it)->record.open && (*it)->ws != nullptr) {
          target = *it;
          break;
        }
      }
    }
    if (!target) return;
    target->queue.push_back(o);
    asio::co_spawn(servers.io(), drain(target), asio::detached);
  });
}

}  // namespace

void AcsServer::reject_upgrades(unsigned status, std::string body, int count) {
  std::lock_guard lock(state_->mutex);
  state_->reject_status = status;
  state_->reject_body = std::move(body);
  state_->reject_count = count;
}

void AcsServer::stall_upgrades(bool stall) { state_->stall = stall; }

std::vector<AcsServer::Connection> AcsServer::connections() const {
  std::lock_guard lock(state_->mutex);
  std::vector<Connection> out;
  for (const auto& c : state_->conns) out.push_back(c->record);
  return out;
}

int AcsServer::connection_count() const {
  std::lock_guard lock(state_->mutex);
  return static_cast<int>(state_->conns.size());
}

std::vector<std::string> AcsServer::received_all() const {
  std::lock_guard lock(state_->mutex);
  std::vector<std::string> out;
  for (const auto& c : state_->conns)
    out.insert(out.end(), c->record.received.begin(), c->record.received.end());
  return out;
}

bool AcsServer::wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return predicate();
}

}  // namespace ecs::localcp
