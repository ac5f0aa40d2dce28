#include "handlers/attachments.h"

namespace ecs::handlers {

Result<void> AttachmentRegistry::record(const std::string& arn, const std::string& type,
                                        std::chrono::steady_clock::time_point expires_at) {
  state::AttachmentRecord* r = nullptr;
  for (auto& a : attachments_) {
    if (a.arn == arn) r = &a;
  }
  if (r == nullptr) {
    attachments_.emplace_back();
    r = &attachments_.back();
    r->arn = arn;
  }
  r->type = type;
  r->status = "ATTACHED";
  r->expires_at = clock_.wall_now() +
                  std::chrono::duration_cast<std::chrono::system_clock::duration>(expires_at - clock_.now());
  return repository_.save_attachment(*r);
}

Result<void> AttachmentRegistry::handle_eni_attachment(const acs::EniAttachment& a) {
  return record(a.attachment_arn, a.attachment_type, a.expires_at);
}

Result<void> AttachmentRegistry::handle_resource_attachment(const acs::ResourceAttachment& a) {
  return record(a.attachment_arn, a.attachment_type, a.expires_at);
}

Result<void> AttachmentRegistry::expire() {
  const auto now = clock_.wall_now();
  Result<void> result;
  std::erase_if(attachments_, [&](const state::AttachmentRecord& a) {
    const bool expired = a.expires_at != std::chrono::system_clock::time_point{} && a.expires_at <= now;
    if (expired) {
      if (auto r = repository_.remove_attachment(a.arn); !r) result = r;
    }
    return expired;
  });
  return result;
}

}  // namespace ecs::handlers
