// ENI and resource attachments ACS confirms (acs-protocol.md §5.3, §5.7): recorded with their
// expiry and persisted, dropped once expired. (awsvpc is not run by this agent; the records keep
// what the control plane sent so the acknowledgements mean what they say.)
#pragma once

#include <vector>

#include "acs/interfaces.h"
#include "core/clock.h"
#include "state/repository.h"

namespace ecs::handlers {

class AttachmentRegistry : public acs::EniHandler, public acs::ResourceHandler {
 public:
  AttachmentRegistry(std::vector<state::AttachmentRecord> initial, state::Repository& repository,
                     const Clock& clock)
      : attachments_(std::move(initial)), repository_(repository), clock_(clock) {}

  Result<void> handle_eni_attachment(const acs::EniAttachment& attachment) override;
  Result<void> handle_resource_attachment(const acs::ResourceAttachment& attachment) override;
  // Drops (and deletes) attachments whose expiry has passed.
  Result<void> expire();

  const std::vector<state::AttachmentRecord>& attachments() const { return attachments_; }

 private:
  Result<void> record(const std::string& arn, const std::string& type,
                      std::chrono::steady_clock::time_point expires_at);
  std::vector<state::AttachmentRecord> attachments_;
  state::Repository& repository_;
  const Clock& clock_;
};

}  // namespace ecs::handlers
