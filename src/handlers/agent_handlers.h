// The agent's ACS collaborators, wired once: over the task engine, the credentials store, the
// instance record, the state repository and the attachment registry, the sequence number, the
// payload intake, the credentials metadata, the manifest id, comparison and stop, handed to the
// responders as acs::Collaborators. The agent, the end-to-end tests, the fuzzer and the
// benchmarks all run these.
#pragma once

#include "acs/responders/responder_set.h"
#include "handlers/attachments.h"
#include "handlers/credentials_metadata.h"
#include "handlers/payload_handler.h"
#include "handlers/sequence_number.h"
#include "handlers/task_manifest.h"

namespace ecs::handlers {

class AgentHandlers {
 public:
  AgentHandlers(engine::TaskEngine& engine, credentials::CredentialsStore& credentials,
                state::InstanceStore& instance, state::Repository& repository,
                AttachmentRegistry& attachments)
      : credentials_(credentials),
        attachments_(attachments),
        sequence_(instance),
        payload_(engine, credentials, sequence_, repository),
        credentials_metadata_(engine),
        manifest_id_(instance),
        comparer_(engine),
        stopper_(engine) {}
  AgentHandlers(const AgentHandlers&) = delete;
  AgentHandlers& operator=(const AgentHandlers&) = delete;

  // `confirm_resources`: whether ConfirmAttachmentMessage is answered (a resource handler).
  acs::Collaborators collaborators(acs::Doctor& doctor, acs::Metrics& metrics,
                                   bool confirm_resources = true) {
    return acs::Collaborators{.payload = payload_,
                              .credentials = credentials_,
                              .credentials_metadata = credentials_metadata_,
                              .eni = attachments_,
                              .resource = confirm_resources ? &attachments_ : nullptr,
                              .sequence = sequence_,
                              .manifest_id = manifest_id_,
                              .comparer = comparer_,
                              .stopper = stopper_,
                              .doctor = doctor,
                              .metrics = metrics};
  }

  PayloadIntake& payload() { return payload_; }
  SequenceNumberStore& sequence() { return sequence_; }
  ManifestMessageIdStore& manifest_id() { return manifest_id_; }

 private:
  credentials::CredentialsStore& credentials_;
  AttachmentRegistry& attachments_;
  SequenceNumberStore sequence_;
  PayloadIntake payload_;
  TaskCredentialsMetadata credentials_metadata_;
  ManifestMessageIdStore manifest_id_;
  ManifestComparer comparer_;
  EngineTaskStopper stopper_;
};

}  // namespace ecs::handlers
