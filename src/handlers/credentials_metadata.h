// Which credentials id belongs to which task (the reference's credentials metadata setters,
// acs-protocol.md §5.2): a refresh names the task; the engine records (and persists) the id.
#pragma once

#include "acs/interfaces.h"
#include "engine/task_engine.h"

namespace ecs::handlers {

class TaskCredentialsMetadata : public acs::CredentialsMetadata {
 public:
  explicit TaskCredentialsMetadata(engine::TaskEngine& engine) : engine_(engine) {}
  Result<void> set_task_role_credentials(const acs::IAMRoleCredentialsMessage& message) override;
  Result<void> set_execution_role_credentials(const acs::IAMRoleCredentialsMessage& message) override;

 private:
  Result<void> set(const acs::IAMRoleCredentialsMessage& message, bool execution);
  engine::TaskEngine& engine_;
};

}  // namespace ecs::handlers
