#include "acs/responders/attach_resource_responder.h"

#include <boost/asio/post.hpp>

#include "acs/responders/eni_validation.h"
#include "core/log.h"

namespace ecs::acs {

namespace {

constexpr std::int64_t kDefaultWaitTimeoutMs = 300000;  // 5 min when ACS gives none

Error invalid(std::string text) {
  return make_error(errc::make_error_code(errc::invalid_argument), std::move(text));
}
bool empty(const String& s) { return !s || s->empty(); }

std::string dump(const AttachmentProperty& p) {
  return "{Name:" + p.name.value_or("<nil>") + " Value:" + p.value.value_or("<nil>") + "}";
}
std::string dump(const Attachment& a) {
  return "{AttachmentArn:" + a.attachmentArn.value_or("<nil>") +
         " AttachmentType:" + a.attachmentType.value_or("<nil>") + "}";
}

Result<void> require(const std::map<std::string, std::string>& props,
                     std::initializer_list<const char*> names, const std::string& wrap) {
  for (const char* n : names) {
    if (!props.count(n)) return invalid(wrap + "property " + n + " not found in attachment properties");
  }
  return {};
}

}  // namespace

bool is_arn(const std::string& text) {
  if (!text.starts_with("arn:")) return false;
  // Go's strings.SplitN(arn, ":", 6) must give exactly 6 pieces.
  std::size_t colons = 0;
  for (char c : text) colons += c == ':';
  return colons >= 5;
}

Result<std::map<std::string, std::string>> validate_attachment(const Attachment& a) {
  if (!is_arn(a.attachmentArn.value_or(""))) {
    return invalid("resource attachment validation: invalid arn " + a.attachmentArn.value_or("") +
                   " specified for attachment: " + dump(a));
  }
  std::map<std::string, std::string> props;
  for (const auto& p : a.attachmentProperties.value_or(std::vector<AttachmentProperty>{})) {
    if (empty(p.name))
      return invalid("resource attachment validation: no name specified for attachment property: " + dump(p));
    if (empty(p.value))
      return invalid("resource attachment validation: no value specified for attachment property: " +
                     dump(p));
    props[*p.name] = *p.value;
  }
  if (a.attachmentType.value_or("") == "amazonebs") {
    const std::string wrap = "resource attachment validation by attachment type failed: ";
    if (auto r = require(
            props, {"volumeId", "volumeSizeGib", "deviceName", "sourceVolumeHostPath", "volumeName"}, wrap);
        !r) {
      return r.error();
    }
    if (auto fs = props.find("fileSystem"); fs != props.end()) {
      static constexpr std::string_view kFs[] = {"xfs", "ext2", "ext3", "ext4", "ntfs"};
      if (std::find(std::begin(kFs), std::end(kFs), fs->second) == std::end(kFs)) {
        return invalid(
            "resource attachment validation by file system property failed: invalid file system type: " +
            fs->second);
      }
    }
    return props;
  }
  // Any other type (absent, unknown, s3files): the legacy rules keyed by resourceType.
  auto type = props.find("resourceType");
  if (type == props.end()) return invalid("resource attachment validation: no resourceType found");
  const std::string wrap =
      "resource attachment validation by resource type failed: failed to validate resource type " +
      type->second + ": ";
  if (type->second == "EphemeralStorage") {
    if (auto r = require(
            props, {"volumeID", "deviceName", "volumeSizeInGiB", "requestedSizeInGiB", "resourceID"}, wrap);
        !r) {
      return r.error();
    }
  } else if (type->second == "ElasticBlockStorage") {
    if (auto r = require(props, {"volumeID", "deviceName"}, wrap); !r) return r.error();
  } else {
    return invalid(wrap + "unknown resourceType provided: " + type->second);
  }
  return props;
}

Result<void> validate_attach_resource(const ConfirmAttachmentMessage* m) {
  if (m == nullptr) return invalid("Message is empty");
  if (empty(m->messageId)) return invalid("Message ID is not set");
  const std::string& id = *m->messageId;
  if (!is_arn(m->clusterArn.value_or("")))
    return invalid("Invalid clusterArn specified for message ID " + id);
  if (!is_arn(m->containerInstanceArn.value_or(""))) {
    return invalid("Invalid containerInstanceArn specified for message ID " + id);
  }
  if (!m->attachment) return invalid("No resource attachment for message ID " + id);
  if (auto r = validate_attachment(*m->attachment); !r) {
    return invalid("unable to validate resource: " + r.error().message);
  }
  return {};
}

void AttachResourceResponder::register_on(const std::shared_ptr<Connection>& client) {
  Sender sender(client);
  client->on<ConfirmAttachmentMessage>(
      [this, sender](const ConfirmAttachmentMessage& m) { return handle(m, sender); });
}

asio::awaitable<void> AttachResourceResponder::handle(const ConfirmAttachmentMessage& m,
                                                      const Sender& sender) {
  auto valid = validate_attach_resource(&m);
  metrics_.done("ResourceAttachment.Validation", valid ? error_code() : valid.error().code);
  if (!valid) {
    log::warn("dropping an invalid ConfirmAttachmentMessage", {{"error", valid.error().message}});
    co_return;
  }
  const std::int64_t wait_ms = m.waitTimeoutMs.value_or(0) == 0 ? kDefaultWaitTimeoutMs : *m.waitTimeoutMs;
  ResourceAttachment a{m.taskArn.value_or(""),
                       m.taskClusterArn.value_or(""),
                       *m.clusterArn,
                       *m.containerInstanceArn,
                       m.attachment->attachmentArn.value_or(""),
                       m.attachment->attachmentType.value_or(""),
                       *validate_attachment(*m.attachment),
                       attachment_expiry(wait_ms, std::chrono::steady_clock::now())};
  const auto executor = co_await asio::this_coro::executor;
  asio::post(executor, [this, a] {
    if (auto r = handler_.handle_resource_attachment(a); !r) {
      log::error("resource attachment failed",
                 {{"attachmentArn", a.attachment_arn}, {"error", r.error().message}});
    }
  });
  AckRequest ack;
  ack.cluster = m.clusterArn;
  ack.containerInstance = m.containerInstanceArn;
  ack.messageId = m.messageId;
  sender.send_in_background(Message(std::move(ack)));
}

}  // namespace ecs::acs
