// One ACS connection as the session and the responders see it (the reference's acs/client):
// connect (the signed upgrade; a rejection body becomes a typed ACS error), serve (read, decode,
// dispatch to the handler registered for the type, after the any-message hook), send (encoded
// and serialized), close (TCP only). The real one is acs/websocket_connection; tests substitute
// fakes. Errors are ACS's own (acs/errors.h): serve() ending with AcsErrc::reconnect_now means
// "reconnect at once".
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "acs/codec.h"
#include "acs/errors.h"
#include "core/asio.h"
#include "core/clock.h"
#include "core/url.h"

namespace ecs::acs {

using Handler = std::function<asio::awaitable<void>(const Message&)>;

class Connection {
 public:
  virtual ~Connection() = default;
  virtual asio::awaitable<Result<void>> connect() = 0;
  // Reads until the connection ends; AcsErrc::reconnect_now means "reconnect at once",
  // AcsErrc::cancelled that `stop` stopped it.
  virtual asio::awaitable<Error> serve(StopToken stop) = 0;
  virtual asio::awaitable<Result<void>> send(const Message& message) = 0;
  virtual void close() = 0;
  // Registering a second handler for a type replaces the first.
  virtual void set_handler(std::string_view type, Handler handler) = 0;
  virtual void set_any_message_hook(std::function<void()> hook) = 0;
  virtual void extend_read_deadline() = 0;
  // Drops handlers (and what they hold) once the connection is over.
  virtual void clear_handlers() = 0;
  // Where the connection's work runs (responders start background sends there).
  virtual asio::any_io_executor executor() const = 0;

  // Typed registration: on<HeartbeatMessage>([](const HeartbeatMessage&) -> awaitable<void> {...}).
  template <class T, class F>
  void on(F handler) {
    set_handler(T::kShape, [handler = std::move(handler)](const Message& m) -> asio::awaitable<void> {
      co_await handler(std::get<T>(m));
    });
  }
};

class ConnectionFactory {
 public:
  virtual ~ConnectionFactory() = default;
  virtual std::shared_ptr<Connection> make(const Url& url) = 0;
};

}  // namespace ecs::acs
