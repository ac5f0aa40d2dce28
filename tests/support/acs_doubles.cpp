#include "support/acs_doubles.h"

#include "core/log.h"

namespace ecs::test {

namespace {
Error invalid(std::string text) {
  return make_error(errc::make_error_code(errc::invalid_argument), std::move(text));
}
}  // namespace

asio::awaitable<Result<void>> FakePayloadHandler::process(const PayloadMessage& message, AckFunction ack) {
  std::vector<IAMRoleCredentialsAckRequest> credential_acks;
  bool all_handled = true;
  auto add_credentials = [&](const Task& task, const IAMRoleCredentials& rc, std::string_view role) -> bool {
    const TaskCredentials c = acs::task_credentials(*task.arn, role, rc);
    if (!credentials_.set_task_credentials(c)) return false;
    IAMRoleCredentialsAckRequest a;
    a.messageId = message.messageId;
    a.expiration = rc.expiration;
    a.credentialsId = rc.credentialsId;
    credential_acks.push_back(std::move(a));
    return true;
  };
  for (const Task& task : message.tasks.value_or(std::vector<Task>{})) {
    if (!task.arn || task.arn->empty()) {
      all_handled = false;  // cannot be converted: the payload is not fully handled
      continue;
    }
    TaskRecord& record = tasks_[*task.arn];
    record.arn = *task.arn;
    record.family = task.family.value_or("");
    record.version = task.version.value_or("");
    record.desired_status = task.desiredStatus.value_or("RUNNING");
    if (task.roleCredentials) {
      all_handled = add_credentials(task, *task.roleCredentials, kRoleTaskApplication) && all_handled;
      record.credentials_id = task.roleCredentials->credentialsId.value_or("");
    }
    if (task.executionRoleCredentials) {
      all_handled = add_credentials(task, *task.executionRoleCredentials, kRoleTaskExecution) && all_handled;
      record.execution_credentials_id = task.executionRoleCredentials->credentialsId.value_or("");
    }
  }
  if (message.seqNum && *message.seqNum > sequence_.latest()) (void)sequence_.set_latest(*message.seqNum);
  if (!all_handled) co_return invalid("did not handle all tasks");
  AckRequest payload_ack;
  payload_ack.cluster = message.clusterArn;
  payload_ack.containerInstance = message.containerInstanceArn;
  payload_ack.messageId = message.messageId;
  ack(payload_ack, credential_acks);
  co_return Result<void>();
}

Result<void> FakePayloadHandler::record_credentials(const IAMRoleCredentialsMessage& m, bool execution) {
  auto it = tasks_.find(m.taskArn.value_or(""));
  if (it == tasks_.end()) {
    return invalid("Task not found in the task engine for task ARN " + m.taskArn.value_or("") +
                   " from credentials message with message ID " + m.messageId.value_or(""));
  }
  const std::string id = m.roleCredentials ? m.roleCredentials->credentialsId.value_or("") : "";
  (execution ? it->second.execution_credentials_id : it->second.credentials_id) = id;
  return {};
}

Result<void> FakePayloadHandler::set_task_role_credentials(const IAMRoleCredentialsMessage& m) {
  return record_credentials(m, false);
}

Result<void> FakePayloadHandler::set_execution_role_credentials(const IAMRoleCredentialsMessage& m) {
  return record_credentials(m, true);
}

Result<std::vector<TaskIdentifier>> FakePayloadHandler::compare_running_tasks_with_manifest(
    const TaskManifestMessage& manifest) {
  std::set<std::string> listed_running;
  for (const auto& t : manifest.tasks.value_or(std::vector<TaskIdentifier>{})) {
    if (t.desiredStatus.value_or("") == "RUNNING") listed_running.insert(t.taskArn.value_or(""));
  }
  std::vector<TaskIdentifier> candidates;
  for (const auto& [arn, task] : tasks_) {
    if (task.desired_status != "RUNNING" || listed_running.count(arn)) continue;
    TaskIdentifier c;
    c.desiredStatus = "STOPPED";
    c.taskArn = arn;
    c.taskClusterArn = manifest.clusterArn;
    candidates.push_back(std::move(c));
  }
  return candidates;
}

Result<void> FakePayloadHandler::stop_task(const std::string& arn) {
  auto it = tasks_.find(arn);
  if (it == tasks_.end()) {
    log::info("asked to stop a task that is not here; ignoring", {{"taskArn", arn}});
    return {};
  }
  it->second.desired_status = "STOPPED";
  return {};
}

}  // namespace ecs::test
