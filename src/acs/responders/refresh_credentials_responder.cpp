#include "acs/responders/refresh_credentials_responder.h"

#include "core/log.h"

namespace ecs::acs {

namespace {

Error invalid(std::string text) {
  return make_error(errc::make_error_code(errc::invalid_argument), std::move(text));
}
bool empty(const String& s) { return !s || s->empty(); }

}  // namespace

Result<void> validate_refresh_credentials(const IAMRoleCredentialsMessage* m) {
  if (m == nullptr) return invalid("Message is empty");
  if (empty(m->messageId)) return invalid("Message ID is not set");
  const std::string& id = *m->messageId;
  if (empty(m->taskArn)) return invalid("taskArn is not set for message ID " + id);
  if (!m->roleCredentials) return invalid("roleCredentials is not set for message ID " + id);
  if (empty(m->roleCredentials->credentialsId))
    return invalid("roleCredentials ID not set for message ID " + id);
  const std::string role = m->roleType.value_or("");
  if (role != kRoleTaskApplication && role != kRoleTaskExecution) {
    return invalid("roleType \"" + role + "\" is invalid for message ID " + id + " with taskArn " +
                   *m->taskArn);
  }
  return {};
}

void RefreshCredentialsResponder::register_on(const std::shared_ptr<Connection>& client) {
  Sender sender(client);
  client->on<IAMRoleCredentialsMessage>(
      [this, sender](const IAMRoleCredentialsMessage& m) { return handle(m, sender); });
}

asio::awaitable<void> RefreshCredentialsResponder::handle(const IAMRoleCredentialsMessage& message,
                                                          const Sender& sender) {
  auto fail = [&](const Error& error) {
    log::warn("not acknowledging IAMRoleCredentialsMessage",
              {{"messageId", message.messageId.value_or("")}, {"error", error.message}});
    metrics_.done("CredentialsRefresh.Failure", error.code);
  };
  if (auto valid = validate_refresh_credentials(&message); !valid) {
    fail(make_error(valid.error().code,
                    "ACS refresh credentials message validation failed: " + valid.error().message));
    co_return;
  }
  const IAMRoleCredentials& rc = *message.roleCredentials;
  const TaskCredentials credentials = task_credentials(*message.taskArn, *message.roleType, rc);
  if (auto stored = store_.set_task_credentials(credentials); !stored) {
    fail(make_error(stored.error().code,
                    "unable to set credentials in the credentials manager: " + stored.error().message));
    co_return;
  }
  const bool task_role = *message.roleType == kRoleTaskApplication;
  auto recorded = task_role ? metadata_.set_task_role_credentials(message)
                            : metadata_.set_execution_role_credentials(message);
  if (!recorded) {
    fail(
        make_error(recorded.error().code, std::string(task_role ? "failed to set task role metadata: "
                                                                : "failed to set execution role metadata: ") +
                                              recorded.error().message));
    co_return;
  }
  IAMRoleCredentialsAckRequest ack;
  ack.expiration = rc.expiration;
  ack.messageId = message.messageId;
  ack.credentialsId = rc.credentialsId;
  const Message reply(std::move(ack));
  auto sent = co_await sender.send(reply);
  if (!sent) {
    fail(make_error(sent.error().code, "unable to ACK task credentials for task with ARN " +
                                           *message.taskArn + ": " + sent.error().message));
    co_return;
  }
  log::info("task credentials refreshed",
            {{"taskArn", *message.taskArn}, {"credentialsId", *rc.credentialsId}});
  metrics_.done("CredentialsRefresh.Success", {});
}

}  // namespace ecs::acs
