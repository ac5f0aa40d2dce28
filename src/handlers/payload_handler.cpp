#include "handlers/payload_handler.h"

#include "core/log.h"
#include "handlers/task_from_acs.h"

namespace ecs::handlers {
namespace {

Error invalid(std::string text) {
  return make_error(errc::make_error_code(errc::invalid_argument), std::move(text));
}

bool desired_stopped(const acs::Task& t) { return t.desiredStatus.value_or("") == "STOPPED"; }

}  // namespace

asio::awaitable<Result<void>> PayloadIntake::process(const acs::PayloadMessage& message,
                                                     acs::AckFunction ack) {
  std::vector<acs::IAMRoleCredentialsAckRequest> credential_acks;
  bool all_handled = true;
  std::optional<Error> persist_failure;
  auto add_credentials = [&](const acs::Task& task, const acs::IAMRoleCredentials& rc,
                             std::string_view role) {
    const credentials::TaskCredentials c = acs::task_credentials(*task.arn, role, rc);
    if (!credentials_.set_task_credentials(c)) return false;
    acs::IAMRoleCredentialsAckRequest a;
    a.messageId = message.messageId;
    a.expiration = rc.expiration;
    a.credentialsId = rc.credentialsId;
    credential_acks.push_back(std::move(a));
    return true;
  };
  auto handle = [&](const acs::Task& a) {
    if (!a.arn || a.arn->empty()) {
      all_handled = false;  // cannot be converted nor reported: the payload is not fully handled
      return;
    }
    if (a.roleCredentials) {
      all_handled = add_credentials(a, *a.roleCredentials, credentials::kRoleTaskApplication) && all_handled;
    }
    if (a.executionRoleCredentials) {
      all_handled =
          add_credentials(a, *a.executionRoleCredentials, credentials::kRoleTaskExecution) && all_handled;
    }
    auto converted = task_from_acs(a);
    if (!converted) {
      engine_.report_unrecognized_task(
          *a.arn, "UnrecogniedTaskError: Error loading task - " + converted.error().message);
      all_handled = false;
      return;
    }
    if (auto refused = unsupported_feature(a)) {
      log::warn("refusing a task this agent cannot run", {{"taskArn", *a.arn}, {"reason", *refused}});
      converted->desired_status = task::TaskStatus::stopped;
      converted->terminal_reason = *refused;
    }
    if (auto added = engine_.add_task(std::move(*converted)); !added) {
      if (!persist_failure) persist_failure = added.error();
      all_handled = false;
    }
  };
  const auto tasks = message.tasks.value_or(std::vector<acs::Task>{});
  auto committed = repository_.write_together([&] {
    for (const acs::Task& t : tasks) {
      if (desired_stopped(t)) handle(t);
    }
    for (const acs::Task& t : tasks) {
      if (!desired_stopped(t)) handle(t);
    }
    if (message.seqNum && *message.seqNum > sequence_.latest()) {
      if (auto r = sequence_.set_latest(*message.seqNum); !r && !persist_failure) persist_failure = r.error();
    }
  });
  if (!committed && !persist_failure) persist_failure = committed.error();
  // Persisted before the ack: an acknowledged payload survives a crash.
  if (persist_failure) co_return *persist_failure;
  if (!all_handled) co_return invalid("did not handle all tasks");
  acs::AckRequest payload_ack;
  payload_ack.cluster = message.clusterArn;
  payload_ack.containerInstance = message.containerInstanceArn;
  payload_ack.messageId = message.messageId;
  ack(payload_ack, credential_acks);
  co_return Result<void>();
}

}  // namespace ecs::handlers
