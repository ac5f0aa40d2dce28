// How responders answer: encode and write on the connection they were registered on. The
// connection is held weakly (responders outlive connections); a background send keeps it alive
// until the write finishes. Send errors are only logged, as in the reference: they never end
// the session by themselves.
#pragma once

#include <memory>

#include "acs/connection.h"

namespace ecs::acs {

class Sender {
 public:
  explicit Sender(std::weak_ptr<Connection> client) : client_(std::move(client)) {}

  // Writes now and waits (for answers that must follow handling synchronously).
  asio::awaitable<Result<void>> send(const Message& message) const;
  // Writes in its own task and returns at once.
  void send_in_background(const Message& message) const;

 private:
  std::weak_ptr<Connection> client_;
};

}  // namespace ecs::acs
