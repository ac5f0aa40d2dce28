#include "acs/responders/heartbeat_responder.h"

#include <boost/asio/post.hpp>

namespace ecs::acs {

void HeartbeatResponder::register_on(const std::shared_ptr<Connection>& client) {
  Sender sender(client);
  client->on<HeartbeatMessage>([this, sender](const HeartbeatMessage& m) { return handle(m, sender); });
}

asio::awaitable<void> HeartbeatResponder::handle(const HeartbeatMessage& message, const Sender& sender) {
  // The result feeds the telemetry side, not the ack; the ack does not wait for it.
  asio::post(co_await asio::this_coro::executor, [this] { (void)doctor_.run_health_checks(); });
  HeartbeatAckRequest ack;
  ack.messageId = message.messageId;
  sender.send_in_background(Message(std::move(ack)));
}

}  // namespace ecs::acs
