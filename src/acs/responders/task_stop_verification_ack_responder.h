// TaskStopVerificationAck (acs-protocol.md §5.8): honoured only when its messageId is the last
// accepted manifest's (which is then cleared, so the same ack cannot act twice); each listed
// task is stopped. Nothing is sent back.
#pragma once

#include "acs/interfaces.h"
#include "acs/responders/sender.h"

namespace ecs::acs {

class TaskStopVerificationAckResponder {
 public:
  TaskStopVerificationAckResponder(ManifestMessageId& manifest_id, TaskStopper& stopper, Metrics& metrics)
      : manifest_id_(manifest_id), stopper_(stopper), metrics_(metrics) {}
  void register_on(const std::shared_ptr<Connection>& client);
  asio::awaitable<void> handle(const TaskStopVerificationAck& message);

 private:
  ManifestMessageId& manifest_id_;
  TaskStopper& stopper_;
  Metrics& metrics_;
};

}  // namespace ecs::acs
