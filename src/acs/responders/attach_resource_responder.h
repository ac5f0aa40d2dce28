// ConfirmAttachmentMessage (acs-protocol.md §5.7): validates ARNs, the attachment and its
// properties (EBS properties for "amazonebs", otherwise the legacy resourceType rules); hands a
// valid attachment to the ResourceHandler and acknowledges, independently of each other.
// Metric ResourceAttachment.Validation for every message.
#pragma once

#include <map>

#include "acs/interfaces.h"
#include "acs/responders/sender.h"

namespace ecs::acs {

// "arn:" followed by exactly 6 ':'-separated pieces when split at most 6 times.
bool is_arn(const std::string& text);
Result<void> validate_attach_resource(const ConfirmAttachmentMessage* message);
// The attachment's checks; returns its properties as a map (later duplicates win).
Result<std::map<std::string, std::string>> validate_attachment(const Attachment& attachment);

class AttachResourceResponder {
 public:
  AttachResourceResponder(ResourceHandler& handler, Metrics& metrics)
      : handler_(handler), metrics_(metrics) {}
  void register_on(const std::shared_ptr<Connection>& client);
  asio::awaitable<void> handle(const ConfirmAttachmentMessage& message, const Sender& sender);

 private:
  ResourceHandler& handler_;
  Metrics& metrics_;
};

}  // namespace ecs::acs
