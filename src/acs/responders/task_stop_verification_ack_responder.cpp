#include "acs/responders/task_stop_verification_ack_responder.h"

#include "core/log.h"

namespace ecs::acs {

void TaskStopVerificationAckResponder::register_on(const std::shared_ptr<Connection>& client) {
  client->on<TaskStopVerificationAck>([this](const TaskStopVerificationAck& m) { return handle(m); });
}

asio::awaitable<void> TaskStopVerificationAckResponder::handle(const TaskStopVerificationAck& message) {
  const std::string ack_id = message.messageId.value_or("");
  const std::string stored = manifest_id_.get();
  if (ack_id.empty() || ack_id != stored) {
    log::warn("Invalid ACK message ID received: " + ack_id +
              ", mismatch with manifest message ID: " + stored);
    co_return;
  }
  (void)manifest_id_.set("");
  for (const TaskIdentifier& task : message.stopTasks.value_or(std::vector<TaskIdentifier>{})) {
    const std::string arn = task.taskArn.value_or("");
    metrics_.done("TaskStopVeificationACKResponder.TaskStopped", {});  // (sic) the reference's name
    if (auto r = stopper_.stop_task(arn); !r) {
      log::error("stopping a task ACS verified failed", {{"taskArn", arn}, {"error", r.error().message}});
    }
  }
}

}  // namespace ecs::acs
