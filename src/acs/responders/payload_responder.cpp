#include "acs/responders/payload_responder.h"

#include "core/log.h"

namespace ecs::acs {

namespace {

Error invalid(std::string text) {
  return make_error(errc::make_error_code(errc::invalid_argument), std::move(text));
}

bool empty(const String& s) { return !s || s->empty(); }

}  // namespace

Result<void> validate_payload(const PayloadMessage* m) {
  if (m == nullptr) return invalid("Message is empty");
  if (empty(m->messageId)) return invalid("Message ID is not set");
  if (empty(m->clusterArn)) return invalid("clusterArn is not set for message ID " + *m->messageId);
  if (empty(m->containerInstanceArn)) {
    return invalid("containerInstanceArn is not set for message ID " + *m->messageId);
  }
  return {};
}

void PayloadResponder::register_on(const std::shared_ptr<Connection>& client) {
  Sender sender(client);
  client->on<PayloadMessage>([this, sender](const PayloadMessage& m) { return handle(m, sender); });
}

asio::awaitable<void> PayloadResponder::handle(const PayloadMessage& message, const Sender& sender) {
  if (auto valid = validate_payload(&message); !valid) {
    log::warn("dropping an invalid PayloadMessage", {{"error", valid.error().message}});
    co_return;
  }
  AckFunction ack = [sender](const AckRequest& payload_ack,
                             const std::vector<IAMRoleCredentialsAckRequest>& credentials_acks) {
    sender.send_in_background(Message(payload_ack));
    for (const auto& c : credentials_acks) sender.send_in_background(Message(c));
  };
  auto handled = co_await handler_.process(message, ack);
  if (!handled) {
    log::critical("Unable to handle PayloadMessage",
                  {{"messageId", *message.messageId}, {"error", handled.error().message}});
  }
}

}  // namespace ecs::acs
