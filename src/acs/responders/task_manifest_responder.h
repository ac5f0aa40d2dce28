// TaskManifestMessage (acs-protocol.md §5.6): a manifest whose timeline is not above the latest
// sequence number is stale and dropped silently. Otherwise its messageId and timeline are
// recorded, the running tasks are compared with it, and the AckRequest and (when there are
// candidates) a TaskStopVerificationMessage are sent concurrently; the handler waits for both.
#pragma once

#include "acs/interfaces.h"
#include "acs/responders/sender.h"

namespace ecs::acs {

class TaskManifestResponder {
 public:
  TaskManifestResponder(SequenceNumber& sequence, ManifestMessageId& manifest_id, TaskComparer& comparer,
                        Metrics& metrics)
      : sequence_(sequence), manifest_id_(manifest_id), comparer_(comparer), metrics_(metrics) {}
  void register_on(const std::shared_ptr<Connection>& client);
  asio::awaitable<void> handle(const TaskManifestMessage& message, const Sender& sender);

 private:
  SequenceNumber& sequence_;
  ManifestMessageId& manifest_id_;
  TaskComparer& comparer_;
  Metrics& metrics_;
};

}  // namespace ecs::acs
