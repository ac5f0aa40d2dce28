// A connected control-plane websocket (acs-protocol.md §3, §6.7–§6.9):
//  * serve() reads frames until the connection ends, handing each data frame to the caller's
//    handler synchronously (the next frame is not read until the handler returns). Before each
//    read a deadline of rw_timeout (3 min) is armed; pings are answered by Beast and are not
//    activity.
//  * The end is classified like the reference: a close frame with 1000/1001/1011, or the TCP
//    stream ending without a close frame (1006), is ConnectionErrc::eof — reconnect at once; every
//    other close code, an empty close payload (1005), a read timeout, a reset or a local close
//    is an error whose text is the reference's (`websocket: close 1013 (try again later): ...`).
//  * send() serializes writes (one frame at a time, each with the rw deadline).
//  * The periodic disconnect sends close 1000 "ConnectionExpired: Reconnect to continue" after
//    disconnect_timeout + U[0, disconnect_jitter), and keeps reading until the server answers.
//  * close() drops the TCP connection without a close frame (idle timer, teardown).
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "core/async_event.h"
#include "core/clock.h"
#include "wsclient/dial.h"

namespace ecs::wsclient {

enum class ConnectionErrc {
  eof = 1,         // permissible end: reconnect immediately
  closed_by_peer,  // a close frame with a code that is not permissible (text has the code)
  read_timeout,    // nothing read before the deadline ("i/o timeout")
  closed_locally,  // close() was called ("use of closed network connection")
  not_connected,   // write or serve without a connection
  write_failed,    // a write failed or timed out
  cancelled,       // the caller's stop token
};
const boost::system::error_category& connection_category();
error_code make_error_code(ConnectionErrc e);

struct ConnectionOptions {
  std::chrono::nanoseconds rw_timeout{std::chrono::minutes(3)};
  std::chrono::nanoseconds disconnect_timeout{std::chrono::minutes(30)};
  std::chrono::nanoseconds disconnect_jitter{std::chrono::minutes(5)};
};

// Text of a close error as the reference writes it: "websocket: close 1013 (try again later): x".
std::string close_error_text(int code, std::string_view reason);
bool is_permissible_close_code(int code);  // 1000, 1001, 1006, 1011
// The reference's text for a write without a connection.
const char* not_connected_text();

class Connection {
 public:
  // Each frame is followed, in the same buffer, by kFramePadding readable zero bytes, so a
  // parser that reads past the end (simdjson) can parse it where it is, without a copy.
  using FrameHandler = std::function<asio::awaitable<void>(std::string_view frame, bool text)>;
  static constexpr std::size_t kFramePadding = 64;

  Connection(std::unique_ptr<WebSocket> socket, ConnectionOptions options, Jitter& jitter);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Reads until the connection ends or `stop` stops; the error says why (see above).
  asio::awaitable<Error> serve(FrameHandler on_frame, StopToken stop = {});
  // Queues one text frame; completes when it was written (or failed).
  asio::awaitable<Result<void>> send(std::string text);
  // Close frame 1000 with `reason` (the periodic disconnect uses this).
  asio::awaitable<Result<void>> send_close(std::string reason);
  // Extends the read deadline to now + rw_timeout (the any-message hook calls this).
  void extend_read_deadline();
  // Drops the TCP connection without a close frame.
  void close();
  bool closed() const { return closed_; }

  // Starts the periodic disconnect timer; the session stops it when the connection ends.
  void start_periodic_disconnect(std::function<void(const error_code&)> on_fired = {});

 private:
  asio::awaitable<Result<void>> enqueue(std::string text, bool close_frame);
  asio::awaitable<void> writer();
  void arm_read_deadline();

  struct Pending {
    std::string text;
    bool close_frame = false;
    std::shared_ptr<AsyncEvent> done;
    std::shared_ptr<Result<void>> result;
  };

  std::unique_ptr<WebSocket> socket_;
  ConnectionOptions options_;
  Jitter& jitter_;
  asio::steady_timer read_deadline_;
  asio::steady_timer disconnect_timer_;
  bool read_timed_out_ = false;
  bool closed_ = false;
  bool writer_running_ = false;
  bool close_sent_ = false;
  // Set when our close frame's operation ends (Beast reads the server's answer inside it).
  std::shared_ptr<AsyncEvent> close_done_;
  error_code close_result_;
  std::deque<Pending> queue_;
  std::shared_ptr<bool> alive_;
};

}  // namespace ecs::wsclient

template <>
struct boost::system::is_error_code_enum<ecs::wsclient::ConnectionErrc> : std::true_type {};
