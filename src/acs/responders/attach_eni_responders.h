// AttachTaskNetworkInterfacesMessage and AttachInstanceNetworkInterfacesMessage
// (acs-protocol.md §5.3–§5.4): validated in the order and with the texts of the reference;
// each ENI goes to the EniHandler and, concurrently and independently of that, the message is
// acknowledged.
#pragma once

#include "acs/interfaces.h"
#include "acs/responders/sender.h"

namespace ecs::acs {

Result<void> validate_attach_task_eni(const AttachTaskNetworkInterfacesMessage* message);
Result<void> validate_attach_instance_eni(const AttachInstanceNetworkInterfacesMessage* message);

class AttachTaskEniResponder {
 public:
  explicit AttachTaskEniResponder(EniHandler& handler) : handler_(handler) {}
  void register_on(const std::shared_ptr<Connection>& client);
  asio::awaitable<void> handle(const AttachTaskNetworkInterfacesMessage& message, const Sender& sender);

 private:
  EniHandler& handler_;
};

class AttachInstanceEniResponder {
 public:
  explicit AttachInstanceEniResponder(EniHandler& handler) : handler_(handler) {}
  void register_on(const std::shared_ptr<Connection>& client);
  asio::awaitable<void> handle(const AttachInstanceNetworkInterfacesMessage& message, const Sender& sender);

 private:
  EniHandler& handler_;
};

}  // namespace ecs::acs
