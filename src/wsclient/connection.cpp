#include "wsclient/connection.h"

#include <cstring>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "core/error_category.h"
#include "core/log.h"
#include "tls/errors.h"

namespace ecs::wsclient {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// The reference's text (its wsclient/client.go), used wherever a write finds no connection.
constexpr const char* kNotConnectedText = "the connection is currently nil. Please connect and try again.";

class ConnectionCategory : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "wsclient-connection"; }
  std::string message(int ev) const override {
    switch (static_cast<ConnectionErrc>(ev)) {
      case ConnectionErrc::eof:
        return "EOF";
      case ConnectionErrc::closed_by_peer:
        return "websocket: closed by peer";
      case ConnectionErrc::read_timeout:
        return "i/o timeout";
      case ConnectionErrc::closed_locally:
        return "use of closed network connection";
      case ConnectionErrc::not_connected:
        return kNotConnectedText;
      case ConnectionErrc::write_failed:
        return "websocket write failed";
      case ConnectionErrc::cancelled:
        return "context canceled";
    }
    return "websocket error";
  }
};

// RFC 6455 names, as gorilla/websocket prints them.
std::string_view close_code_name(int code) {
  switch (code) {
    case 1000:
      return "normal";
    case 1001:
      return "going away";
    case 1002:
      return "protocol error";
    case 1003:
      return "unsupported data";
    case 1005:
      return "no status";
    case 1006:
      return "abnormal closure";
    case 1007:
      return "invalid payload data";
    case 1008:
      return "policy violation";
    case 1009:
      return "message too big";
    case 1010:
      return "mandatory extension missing";
    case 1011:
      return "internal server error";
    case 1012:
      return "service restart";
    case 1013:
      return "try again later";
    case 1015:
      return "TLS handshake error";
    default:
      return "";
  }
}

}  // namespace

const boost::system::error_category& connection_category() {
  static const ConnectionCategory c;
  return c;
}

error_code make_error_code(ConnectionErrc e) { return {static_cast<int>(e), connection_category()}; }

std::string close_error_text(int code, std::string_view reason) {
  std::string text = "websocket: close " + std::to_string(code);
  const std::string_view name = close_code_name(code);
  if (!name.empty()) text += " (" + std::string(name) + ")";
  if (!reason.empty()) text += ": " + std::string(reason);
  return text;
}

bool is_permissible_close_code(int code) {
  return code == 1000 || code == 1001 || code == 1006 || code == 1011;
}

Connection::Connection(std::unique_ptr<WebSocket> socket, ConnectionOptions options, Jitter& jitter)
    : socket_(std::move(socket)),
      options_(options),
      jitter_(jitter),
      read_deadline_(socket_->get_executor()),
      disconnect_timer_(socket_->get_executor()),
      alive_(std::make_shared<bool>(true)) {
  // The reference sets no read limit; 64 MiB bounds what one frame can make this process hold.
  socket_->read_message_max(std::size_t{64} * 1024 * 1024);
  socket_->auto_fragment(false);
}

Connection::~Connection() {
  *alive_ = false;
  close();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  read_deadline_.cancel();
  disconnect_timer_.cancel();
  error_code ec;
  auto& tcp = socket_->next_layer().next_layer();
  tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  tcp.close();
}

void Connection::arm_read_deadline() {
  read_deadline_.expires_after(options_.rw_timeout);
  read_deadline_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;  // re-armed, cancelled or gone
    read_timed_out_ = true;
    close();
  });
}

void Connection::extend_read_deadline() {
  if (!closed_) arm_read_deadline();
}

asio::awaitable<Error> Connection::serve(FrameHandler on_frame, StopToken stop) {
  bool cancelled = false;
  const std::size_t stop_id = stop.on_stop([this, &cancelled] {
    cancelled = true;
    close();
  });
  beast::flat_buffer buffer;
  Error result;
  for (;;) {
    if (closed_) {
      result = cancelled ? make_error(ConnectionErrc::cancelled, "context canceled")
                         : make_error(ConnectionErrc::closed_locally, "use of closed network connection");
      break;
    }
    arm_read_deadline();
    error_code ec;
    co_await socket_->async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    read_deadline_.cancel();
    if (ec == asio::error::operation_aborted && close_done_ && !closed_) {
      // Our close frame went out: Beast hands the rest of the reading to the close operation,
      // which ends when the server answers. Its close code decides, as for any close frame.
      co_await close_done_->wait();
      ec = close_result_ ? close_result_ : error_code(websocket::error::closed);
    }
    if (ec) {
      if (cancelled) {
        result = make_error(ConnectionErrc::cancelled, "context canceled");
      } else if (read_timed_out_) {
        result = make_error(ConnectionErrc::read_timeout, "read: i/o timeout");
      } else if (ec == websocket::error::closed) {
        // A close frame arrived; Beast has already answered it with the same code.
        const int code =
            socket_->reason().code == websocket::close_code::none ? 1005 : socket_->reason().code;
        const std::string text = close_error_text(code, socket_->reason().reason);
        result = is_permissible_close_code(code) ? make_error(ConnectionErrc::eof, text)
                                                 : make_error(ConnectionErrc::closed_by_peer, text);
      } else if (ec == asio::error::eof || ec == tls::TlsErrc::stream_truncated) {
        // The TCP stream ended without a close frame: 1006, which the reference reconnects on.
        result = make_error(ConnectionErrc::eof, close_error_text(1006, "unexpected EOF"));
      } else if (closed_) {
        result = make_error(ConnectionErrc::closed_locally, "use of closed network connection");
      } else {
        result = make_error(ec, "websocket: " + ec.message());
      }
      break;
    }
    const bool text = socket_->got_text();
    const auto padding = buffer.prepare(kFramePadding);  // may move the frame: data() after it
    std::memset(padding.data(), 0, padding.size());
    const auto data = buffer.cdata();
    co_await on_frame(std::string_view(static_cast<const char*>(data.data()), data.size()), text);
    buffer.consume(buffer.size());
  }
  stop.forget(stop_id);
  close();
  co_return result;
}

asio::awaitable<Result<void>> Connection::send(std::string text) { return enqueue(std::move(text), false); }

asio::awaitable<Result<void>> Connection::send_close(std::string reason) {
  return enqueue(std::move(reason), true);
}

asio::awaitable<Result<void>> Connection::enqueue(std::string text, bool close_frame) {
  Pending p{std::move(text), close_frame, std::make_shared<AsyncEvent>(socket_->get_executor()),
            std::make_shared<Result<void>>()};
  auto done = p.done;
  auto result = p.result;
  if (closed_) co_return make_error(ConnectionErrc::not_connected, kNotConnectedText);
  queue_.push_back(std::move(p));
  if (!writer_running_) {
    writer_running_ = true;
    asio::co_spawn(socket_->get_executor(), writer(), asio::detached);
  }
  co_await done->wait();
  co_return *result;
}

const char* not_connected_text() { return kNotConnectedText; }

asio::awaitable<void> Connection::writer() {
  auto alive = alive_;
  asio::steady_timer deadline(socket_->get_executor());
  while (*alive && !queue_.empty()) {
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    error_code ec;
    if (closed_) {
      ec = make_error_code(ConnectionErrc::not_connected);
    } else if (close_sent_ && !p.close_frame) {
      ec = websocket::error::closed;  // after our close frame, data writes fail locally
    } else {
      deadline.expires_after(options_.rw_timeout);
      deadline.async_wait([this, alive](const boost::system::error_code& e) {
        if (!e && *alive) close();  // a write stuck past the deadline ends the connection
      });
      if (p.close_frame) {
        close_sent_ = true;
        close_done_ = std::make_shared<AsyncEvent>(socket_->get_executor());
        // Only the close frame: the read loop receives the server's answer (close 1000).
        const websocket::close_reason reason(websocket::close_code::normal, p.text);
        co_await socket_->async_close(reason, asio::redirect_error(asio::use_awaitable, ec));
        close_result_ = ec;
        if (close_done_) close_done_->set();
        if (ec == websocket::error::closed || ec == asio::error::operation_aborted) ec = {};
      } else {
        socket_->text(true);
        co_await socket_->async_write(asio::buffer(p.text), asio::redirect_error(asio::use_awaitable, ec));
      }
      deadline.cancel();
    }
    if (!*alive) co_return;
    *p.result =
        ec ? Result<void>(make_error(ConnectionErrc::write_failed, "websocket write: " + ec.message()))
           : Result<void>();
    p.done->set();
  }
  writer_running_ = false;
}

void Connection::start_periodic_disconnect(std::function<void(const error_code&)> on_fired) {
  const auto after = options_.disconnect_timeout + std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                       options_.disconnect_jitter * jitter_.uniform());
  disconnect_timer_.expires_after(after);
  disconnect_timer_.async_wait([this, alive = alive_, on_fired](const boost::system::error_code& ec) {
    if (ec || !*alive || closed_) return;
    log::info("periodic websocket disconnect: sending close 1000");
    asio::co_spawn(
        socket_->get_executor(),
        [this, alive, on_fired]() -> asio::awaitable<void> {
          auto r = co_await send_close("ConnectionExpired: Reconnect to continue");
          if (!*alive) co_return;
          if (on_fired) on_fired(r ? error_code() : r.error().code);
        },
        asio::detached);
  });
}

}  // namespace ecs::wsclient
