// The agent's durable collaborators behind the ACS responders (acs-protocol.md §5): tasks from
// payloads by ARN with their desired status, credentials ids, the sequence number, the last
// manifest message id, attachments with their expiry, cluster and container instance ARN. Every
// change is committed to the checkpoint (when checkpointing is on) *before* it is acknowledged,
// so an ack never covers something a crash could lose. The credentials themselves stay in the
// in-memory CredentialsStore and are never written anywhere.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "acs/interfaces.h"
#include "core/clock.h"
#include "execcmd/manager.h"
#include "state/agent_state.h"

namespace ecs::state {

class DurableAgent : public acs::PayloadHandler,
                     public acs::CredentialsMetadata,
                     public acs::TaskComparer,
                     public acs::TaskStopper,
                     public acs::SequenceNumber,
                     public acs::ManifestMessageId,
                     public acs::EniHandler,
                     public acs::ResourceHandler,
                     public execcmd::ManagedAgentStore {
 public:
  // `store` null: state in memory only (ECS_CHECKPOINT off).
  DurableAgent(AgentState initial, StateStore* store, acs::CredentialsStore& credentials, const Clock& clock);

  const AgentState& state() const { return state_; }
  Result<void> set_registration(const std::string& cluster, const std::string& container_instance_arn);
  // True when the saved state names `credentials_id` (for the endpoint's 503 after a restart).
  bool knows_credentials_id(const std::string& credentials_id) const;

  asio::awaitable<Result<void>> process(const acs::PayloadMessage& message, acs::AckFunction ack) override;
  Result<void> set_task_role_credentials(const acs::IAMRoleCredentialsMessage& message) override;
  Result<void> set_execution_role_credentials(const acs::IAMRoleCredentialsMessage& message) override;
  Result<std::vector<acs::TaskIdentifier>> compare_running_tasks_with_manifest(
      const acs::TaskManifestMessage& manifest) override;
  Result<void> stop_task(const std::string& task_arn) override;
  std::int64_t latest() const override { return state_.seq_num; }
  Result<void> set_latest(std::int64_t value) override;
  std::string get() const override { return state_.manifest_message_id; }
  Result<void> set(const std::string& id) override;
  Result<void> handle_eni_attachment(const acs::EniAttachment& attachment) override;
  Result<void> handle_resource_attachment(const acs::ResourceAttachment& attachment) override;

  // Drops attachments whose expiry has passed (and saves when something was dropped).
  Result<void> expire_attachments();

  // The exec manager's persistence: the container's managed agents (and Docker id) in its task.
  Result<void> save(const std::string& task_arn, const execcmd::Container& container) override;

  // Whether the last commit reached the disk (the doctor's "state writable").
  bool last_commit_ok() const { return last_commit_ok_; }

 private:
  Result<void> commit();
  TaskRecord* find_task(const std::string& arn);
  Result<void> record_attachment(const std::string& arn, const std::string& type,
                                 std::chrono::steady_clock::time_point expires_at);

  AgentState state_;
  StateStore* store_;
  acs::CredentialsStore& credentials_;
  const Clock& clock_;
  bool last_commit_ok_ = true;
};

}  // namespace ecs::state
