// PayloadMessage (acs-protocol.md §5.1): validates messageId, clusterArn and
// containerInstanceArn (exact texts below), then hands the payload to the PayloadHandler
// synchronously. The handler acknowledges only when every task was handled: one AckRequest and
// one IAMRoleCredentialsAckRequest per task credential, each sent in its own background task.
#pragma once

#include "acs/interfaces.h"
#include "acs/responders/sender.h"

namespace ecs::acs {

// "Message ID is not set", "clusterArn is not set for message ID <id>",
// "containerInstanceArn is not set for message ID <id>".
Result<void> validate_payload(const PayloadMessage* message);

class PayloadResponder {
 public:
  explicit PayloadResponder(PayloadHandler& handler) : handler_(handler) {}
  void register_on(const std::shared_ptr<Connection>& client);
  asio::awaitable<void> handle(const PayloadMessage& message, const Sender& sender);

 private:
  PayloadHandler& handler_;
};

}  // namespace ecs::acs
