// HeartbeatMessage (acs-protocol.md §5.5): no validation; runs the doctor's health checks in
// the background and acknowledges at once with the same messageId (absent stays absent).
#pragma once

#include "acs/interfaces.h"
#include "acs/responders/sender.h"

namespace ecs::acs {

class HeartbeatResponder {
 public:
  explicit HeartbeatResponder(Doctor& doctor) : doctor_(doctor) {}
  void register_on(const std::shared_ptr<Connection>& client);
  asio::awaitable<void> handle(const HeartbeatMessage& message, const Sender& sender);

 private:
  Doctor& doctor_;
};

}  // namespace ecs::acs
