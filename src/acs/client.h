// One ACS connection as the session sees it (the reference's acs/client + wsclient): connect
// (the signed upgrade; a rejection body becomes a typed ACS error), serve (read, decode,
// dispatch to the handler registered for the type, after the any-message hook), send (encoded
// and serialized), close (TCP only). WebsocketClient is the real one; tests substitute fakes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "acs/codec.h"
#include "acs/interfaces.h"
#include "core/clock.h"
#include "wsclient/client.h"
#include "wsclient/dial.h"

namespace ecs::acs {

// Errors decoded from a rejected upgrade's body (acs-protocol.md §2.3): text "<Type>: <text>".
enum class AcsErrc {
  server_exception = 1,
  bad_request,
  invalid_cluster,
  invalid_instance,
  access_denied,
  inactive_instance,
  unknown_error,  // "ACSError: ..." for bodies that are not one of the exceptions
};
const boost::system::error_category& acs_category();
error_code make_error_code(AcsErrc e);

// The typed error for a rejected upgrade's body (status codes are not inspected).
Error error_from_rejection(std::string_view body, Decoder& decoder);
// The reference's Retry(): false for invalid instance/cluster, inactive instance, access denied.
bool is_retriable(const Error& error);
// The session's test: the text contains "InactiveInstanceException" (upgrade body, close
// reason or any other error), or the code says so.
bool is_inactive_instance(const Error& error);

using Handler = std::function<asio::awaitable<void>(const Message&)>;

class Client {
 public:
  virtual ~Client() = default;
  virtual asio::awaitable<Result<void>> connect() = 0;
  // Reads until the connection ends; ClientErrc::eof means "reconnect at once".
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

class ClientFactory {
 public:
  virtual ~ClientFactory() = default;
  virtual std::shared_ptr<Client> make(const Url& url) = 0;
};

// The real client: wsclient::Dialer + wsclient::Client + the ACS codec.
class WebsocketClient : public Client, public std::enable_shared_from_this<WebsocketClient> {
 public:
  WebsocketClient(asio::any_io_executor executor, Url url, wsclient::DialOptions dial,
                  wsclient::ClientOptions options, Jitter& jitter, Metrics& metrics);
  asio::awaitable<Result<void>> connect() override;
  asio::awaitable<Error> serve(StopToken stop) override;
  asio::awaitable<Result<void>> send(const Message& message) override;
  void close() override;
  void set_handler(std::string_view type, Handler handler) override;
  void set_any_message_hook(std::function<void()> hook) override { any_ = std::move(hook); }
  void extend_read_deadline() override;
  void clear_handlers() override;
  asio::any_io_executor executor() const override { return executor_; }

 private:
  asio::awaitable<void> on_frame(std::string_view frame, bool text);

  asio::any_io_executor executor_;
  Url url_;
  wsclient::Dialer dialer_;
  wsclient::ClientOptions options_;
  Jitter& jitter_;
  Metrics& metrics_;
  std::unique_ptr<wsclient::Client> connection_;
  Decoder decoder_;
  Message message_;  // the frame being handled, decoded in place over the previous one
  std::map<std::string, Handler, std::less<>> handlers_;
  std::function<void()> any_;
};

class WebsocketClientFactory : public ClientFactory {
 public:
  WebsocketClientFactory(asio::any_io_executor executor, wsclient::DialOptions dial,
                         wsclient::ClientOptions options, Jitter& jitter, Metrics& metrics)
      : executor_(executor), dial_(std::move(dial)), options_(options), jitter_(jitter), metrics_(metrics) {}
  std::shared_ptr<Client> make(const Url& url) override {
    return std::make_shared<WebsocketClient>(executor_, url, dial_, options_, jitter_, metrics_);
  }

 private:
  asio::any_io_executor executor_;
  wsclient::DialOptions dial_;
  wsclient::ClientOptions options_;
  Jitter& jitter_;
  Metrics& metrics_;
};

}  // namespace ecs::acs

template <>
struct boost::system::is_error_code_enum<ecs::acs::AcsErrc> : std::true_type {};
