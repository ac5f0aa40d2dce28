#include "acs/client.h"

#include "core/log.h"

namespace ecs::acs {
namespace {

class AcsCategory : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "acs"; }
  std::string message(int ev) const override {
    switch (static_cast<AcsErrc>(ev)) {
      case AcsErrc::server_exception:
        return "ServerException";
      case AcsErrc::bad_request:
        return "BadRequestException";
      case AcsErrc::invalid_cluster:
        return "InvalidClusterException";
      case AcsErrc::invalid_instance:
        return "InvalidInstanceException";
      case AcsErrc::access_denied:
        return "AccessDeniedException";
      case AcsErrc::inactive_instance:
        return "InactiveInstanceException";
      case AcsErrc::unknown_error:
        return "ACSError";
    }
    return "ACSError";
  }
};

AcsErrc exception_code(std::string_view type) {
  if (type == "ServerException") return AcsErrc::server_exception;
  if (type == "BadRequestException") return AcsErrc::bad_request;
  if (type == "InvalidClusterException") return AcsErrc::invalid_cluster;
  if (type == "InvalidInstanceException") return AcsErrc::invalid_instance;
  if (type == "AccessDeniedException") return AcsErrc::access_denied;
  if (type == "InactiveInstanceException") return AcsErrc::inactive_instance;
  return AcsErrc::unknown_error;
}

}  // namespace

const boost::system::error_category& acs_category() {
  static const AcsCategory c;
  return c;
}

error_code make_error_code(AcsErrc e) { return {static_cast<int>(e), acs_category()}; }

Error error_from_rejection(std::string_view body, Decoder& decoder) {
  auto decoded = decoder.decode(body);
  if (!decoded) {
    return make_error(AcsErrc::unknown_error, "ACSError: " + decoded.error().message);
  }
  const std::string_view type = type_name(*decoded);
  if (auto text = exception_text(*decoded)) {
    return make_error(exception_code(type), std::string(type) + ": " + *text);
  }
  return make_error(AcsErrc::unknown_error, "ACSError: Unknown error (" + std::string(type) + ")");
}

bool is_retriable(const Error& error) {
  if (error.code.category() != acs_category()) return true;
  const auto e = static_cast<AcsErrc>(error.code.value());
  return !(e == AcsErrc::invalid_instance || e == AcsErrc::invalid_cluster ||
           e == AcsErrc::inactive_instance || e == AcsErrc::access_denied);
}

bool is_inactive_instance(const Error& error) {
  return error.code == AcsErrc::inactive_instance ||
         error.message.find("InactiveInstanceException") != std::string::npos;
}

WebsocketClient::WebsocketClient(asio::any_io_executor executor, Url url, wsclient::DialOptions dial,
                                 wsclient::ClientOptions options, Jitter& jitter, Metrics& metrics)
    : executor_(executor),
      url_(std::move(url)),
      dialer_(std::move(dial)),
      options_(options),
      jitter_(jitter),
      metrics_(metrics) {}

asio::awaitable<Result<void>> WebsocketClient::connect() {
  auto dialed = co_await dialer_.dial(url_);
  if (!dialed) {
    if (dialed.error().code == wsclient::DialErrc::upgrade_rejected && dialer_.last_rejection()) {
      // ACS explains a refusal in the body: that is the error the session sees.
      co_return error_from_rejection(dialer_.last_rejection()->body, decoder_);
    }
    co_return dialed.error();
  }
  connection_ = std::make_unique<wsclient::Client>(std::move(dialed->socket), options_, jitter_);
  connection_->start_periodic_disconnect([this, self = weak_from_this()](const error_code& ec) {
    if (self.expired()) return;
    metrics_.done("Availability.ACSDisconnectTimeout", ec);
  });
  co_return Result<void>();
}

asio::awaitable<Error> WebsocketClient::serve(StopToken stop) {
  if (!connection_)
    co_return make_error(wsclient::ClientErrc::not_connected,
                         "acs client: websocket not ready for connections");
  auto self = shared_from_this();  // handlers may drop the last other reference meanwhile
  wsclient::Client::FrameHandler frame_handler = [this](std::string_view frame, bool text) {
    return on_frame(frame, text);
  };
  co_return co_await connection_->serve(frame_handler, stop);
}

asio::awaitable<void> WebsocketClient::on_frame(std::string_view frame, bool text) {
  if (!text) log::error("ACS sent a non-text data message; decoding it anyway");
  // Frames are handled one at a time (the next is read once this handler returns), so each is
  // decoded into the same message, reusing what the previous one allocated. The frame is
  // followed by the connection's padding, so it is parsed in the read buffer, not copied.
  static_assert(wsclient::Client::kFramePadding >= simdjson::SIMDJSON_PADDING);
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

asio::awaitable<Result<void>> WebsocketClient::send(const Message& message) {
  if (!connection_) {
    co_return make_error(wsclient::ClientErrc::not_connected,
                         "the connection is currently nil. Please connect and try again.");
  }
  auto self = shared_from_this();
  co_return co_await connection_->send(encode(message));
}

void WebsocketClient::close() {
  if (connection_) connection_->close();
}

void WebsocketClient::set_handler(std::string_view type, Handler handler) {
  handlers_[std::string(type)] = std::move(handler);
}

void WebsocketClient::extend_read_deadline() {
  if (connection_) connection_->extend_read_deadline();
}

void WebsocketClient::clear_handlers() {
  handlers_.clear();
  any_ = nullptr;
}

}  // namespace ecs::acs
