#include "acs/websocket_connection.h"

#include <map>
#include <string>

#include "core/log.h"
#include "wsclient/connection.h"
#include "wsclient/dial.h"

namespace ecs::acs {
namespace {

// The transport's ends in ACS's words; every other error keeps its own code and text.
Error to_acs_error(Error error) {
  if (error.code == wsclient::ConnectionErrc::eof) return make_error(AcsErrc::reconnect_now, error.message);
  if (error.code == wsclient::ConnectionErrc::cancelled) return make_error(AcsErrc::cancelled, error.message);
  if (error.code == wsclient::ConnectionErrc::not_connected)
    return make_error(AcsErrc::not_connected, error.message);
  return error;
}

class WebsocketConnection : public Connection, public std::enable_shared_from_this<WebsocketConnection> {
 public:
  WebsocketConnection(asio::any_io_executor executor, Url url, wsclient::DialOptions dial,
                      wsclient::ConnectionOptions options, Jitter& jitter, Metrics& metrics)
      : executor_(executor),
        url_(std::move(url)),
        dialer_(std::move(dial)),
        options_(options),
        jitter_(jitter),
        metrics_(metrics) {}

  asio::awaitable<Result<void>> connect() override {
    auto dialed = co_await dialer_.dial(url_);
    if (!dialed) {
      if (dialed.error().code == wsclient::DialErrc::upgrade_rejected && dialer_.last_rejection()) {
        // ACS explains a refusal in the body: that is the error the session sees.
        co_return error_from_rejection(dialer_.last_rejection()->body, decoder_);
      }
      co_return dialed.error();
    }
    connection_ = std::make_unique<wsclient::Connection>(std::move(dialed->socket), options_, jitter_);
    connection_->start_periodic_disconnect([this, self = weak_from_this()](const error_code& ec) {
      if (self.expired()) return;
      metrics_.done("Availability.ACSDisconnectTimeout", ec);
    });
    co_return Result<void>();
  }

  asio::awaitable<Error> serve(StopToken stop) override {
    if (!connection_)
      co_return make_error(AcsErrc::not_connected, "acs client: websocket not ready for connections");
    auto self = shared_from_this();  // handlers may drop the last other reference meanwhile
    wsclient::Connection::FrameHandler frame_handler = [this](std::string_view frame, bool text) {
      return on_frame(frame, text);
    };
    co_return to_acs_error(co_await connection_->serve(frame_handler, stop));
  }

  asio::awaitable<Result<void>> send(const Message& message) override {
    if (!connection_) co_return make_error(AcsErrc::not_connected, wsclient::not_connected_text());
    auto self = shared_from_this();
    auto sent = co_await connection_->send(encode(message));
    if (!sent) co_return to_acs_error(sent.error());
    co_return sent;
  }

  void close() override {
    if (connection_) connection_->close();
  }
  void set_handler(std::string_view type, Handler handler) override {
    handlers_[std::string(type)] = std::move(handler);
  }
  void set_any_message_hook(std::function<void()> hook) override { any_ = std::move(hook); }
  void extend_read_deadline() override {
    if (connection_) connection_->extend_read_deadline();
  }
  void clear_handlers() override {
    handlers_.clear();
    any_ = nullptr;
  }
  asio::any_io_executor executor() const override { return executor_; }

 private:
  asio::awaitable<void> on_frame(std::string_view frame, bool text) {
    if (!text) log::error("ACS sent a non-text data message; decoding it anyway");
    // Frames are handled one at a time (the next is read once this handler returns), so each is
    // decoded into the same message, reusing what the previous one allocated. The frame is
    // followed by the connection's padding, so it is parsed in the read buffer, not copied.
    static_assert(wsclient::Connection::kFramePadding >= simdjson::SIMDJSON_PADDING);
    auto decoded = decoder_.decode_padded_into(frame, message_);
    if (!decoded) {
      // Undecodable or unknown: dropped, not activity, the connection stays.
      log::warn("dropping an ACS message that cannot be decoded", {{"error", decoded.error().message}});
      co_return;
    }
    if (any_) any_();
    const std::string_view type = type_name(message_);
    auto it = handlers_.find(type);
    if (it == handlers_.end()) {
      log::info("No handler for message type", {{"type", std::string(type)}});
      co_return;
    }
    Handler handler = it->second;  // a handler may re-register itself meanwhile
    co_await handler(message_);
  }

  asio::any_io_executor executor_;
  Url url_;
  wsclient::Dialer dialer_;
  wsclient::ConnectionOptions options_;
  Jitter& jitter_;
  Metrics& metrics_;
  std::unique_ptr<wsclient::Connection> connection_;
  Decoder decoder_;
  Message message_;  // the frame being handled, decoded in place over the previous one
  std::map<std::string, Handler, std::less<>> handlers_;
  std::function<void()> any_;
};

}  // namespace

std::shared_ptr<Connection> make_websocket_connection(asio::any_io_executor executor, Url url,
                                                      const wsclient::DialOptions& dial,
                                                      const wsclient::ConnectionOptions& options,
                                                      Jitter& jitter, Metrics& metrics) {
  return std::make_shared<WebsocketConnection>(executor, std::move(url), dial, options, jitter, metrics);
}

struct WebsocketConnectionFactory::Settings {
  wsclient::DialOptions dial;
  wsclient::ConnectionOptions options;
};

WebsocketConnectionFactory::WebsocketConnectionFactory(asio::any_io_executor executor,
                                                       const wsclient::DialOptions& dial,
                                                       const wsclient::ConnectionOptions& options,
                                                       Jitter& jitter, Metrics& metrics)
    : executor_(executor), settings_(new Settings{dial, options}), jitter_(jitter), metrics_(metrics) {}

WebsocketConnectionFactory::~WebsocketConnectionFactory() = default;

std::shared_ptr<Connection> WebsocketConnectionFactory::make(const Url& url) {
  return make_websocket_connection(executor_, url, settings_->dial, settings_->options, jitter_, metrics_);
}

}  // namespace ecs::acs
