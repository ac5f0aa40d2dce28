#include "handlers/credentials_metadata.h"

namespace ecs::handlers {

Result<void> TaskCredentialsMetadata::set(const acs::IAMRoleCredentialsMessage& m, bool execution) {
  const std::string arn = m.taskArn.value_or("");
  if (engine_.find_task(arn) == nullptr) {
    return make_error(errc::make_error_code(errc::invalid_argument),
                      "Task not found in the task engine for task ARN " + arn +
                          " from credentials message with message ID " + m.messageId.value_or(""));
  }
  const std::string id = m.roleCredentials ? m.roleCredentials->credentialsId.value_or("") : "";
  return engine_.set_credentials_id(arn, execution, id);
}

Result<void> TaskCredentialsMetadata::set_task_role_credentials(const acs::IAMRoleCredentialsMessage& m) {
  return set(m, false);
}

Result<void> TaskCredentialsMetadata::set_execution_role_credentials(
    const acs::IAMRoleCredentialsMessage& m) {
  return set(m, true);
}

}  // namespace ecs::handlers
