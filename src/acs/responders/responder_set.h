// Every responder, registered on each new connection before it is served (the reference's
// startACSSession step 2). ConfirmAttachmentMessage only with a resource handler; the update
// handlers only when the container runtime is not containerd.
#pragma once

#include <memory>

#include "acs/responders/attach_eni_responders.h"
#include "acs/responders/attach_resource_responder.h"
#include "acs/responders/heartbeat_responder.h"
#include "acs/responders/payload_responder.h"
#include "acs/responders/refresh_credentials_responder.h"
#include "acs/responders/task_manifest_responder.h"
#include "acs/responders/task_stop_verification_ack_responder.h"
#include "acs/responders/update_responder.h"

namespace ecs::acs {

struct Collaborators {
  PayloadHandler& payload;
  CredentialsStore& credentials;
  CredentialsMetadata& credentials_metadata;
  EniHandler& eni;
  ResourceHandler* resource;  // optional
  SequenceNumber& sequence;
  ManifestMessageId& manifest_id;
  TaskComparer& comparer;
  TaskStopper& stopper;
  Doctor& doctor;
  Metrics& metrics;
};

class ResponderSet {
 public:
  ResponderSet(Collaborators c, std::string docker_version, UpdateOptions updates,
               UpdateDownloader* downloader, std::function<void()> exit_for_update);
  void register_all(const std::shared_ptr<Connection>& client);

 private:
  std::string docker_version_;
  PayloadResponder payload_;
  RefreshCredentialsResponder refresh_;
  AttachTaskEniResponder task_eni_;
  AttachInstanceEniResponder instance_eni_;
  HeartbeatResponder heartbeat_;
  TaskManifestResponder manifest_;
  TaskStopVerificationAckResponder stop_ack_;
  std::unique_ptr<AttachResourceResponder> resource_;
  UpdateResponder update_;
};

}  // namespace ecs::acs
