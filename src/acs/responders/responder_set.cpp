#include "acs/responders/responder_set.h"

namespace ecs::acs {

ResponderSet::ResponderSet(Collaborators c, std::string docker_version, UpdateOptions updates,
                           UpdateDownloader* downloader, std::function<void()> exit_for_update)
    : docker_version_(std::move(docker_version)),
      payload_(c.payload),
      refresh_(c.credentials, c.credentials_metadata, c.metrics),
      task_eni_(c.eni),
      instance_eni_(c.eni),
      heartbeat_(c.doctor),
      manifest_(c.sequence, c.manifest_id, c.comparer, c.metrics),
      stop_ack_(c.manifest_id, c.stopper, c.metrics),
      resource_(c.resource != nullptr ? std::make_unique<AttachResourceResponder>(*c.resource, c.metrics)
                                      : nullptr),
      update_(std::move(updates), downloader, std::move(exit_for_update)) {}

void ResponderSet::register_all(const std::shared_ptr<Connection>& client) {
  payload_.register_on(client);
  refresh_.register_on(client);
  task_eni_.register_on(client);
  instance_eni_.register_on(client);
  heartbeat_.register_on(client);
  manifest_.register_on(client);
  stop_ack_.register_on(client);
  if (resource_) resource_->register_on(client);
  if (docker_version_ != "containerd") update_.register_on(client);
}

}  // namespace ecs::acs
