// IAMRoleCredentialsMessage (acs-protocol.md §5.2): validates, stores the credentials, records
// them on the task (task role or execution role), then acknowledges synchronously — the ack
// follows the handling. Any failure: no ack, metric CredentialsRefresh.Failure.
#pragma once

#include "acs/interfaces.h"
#include "acs/responders/sender.h"

namespace ecs::acs {

// "Message ID is not set", "taskArn is not set for message ID <id>", "roleCredentials is not
// set for message ID <id>", "roleCredentials ID not set for message ID <id>",
// `roleType "<rt>" is invalid for message ID <id> with taskArn <arn>`.
Result<void> validate_refresh_credentials(const IAMRoleCredentialsMessage* message);

class RefreshCredentialsResponder {
 public:
  RefreshCredentialsResponder(CredentialsStore& store, CredentialsMetadata& metadata, Metrics& metrics)
      : store_(store), metadata_(metadata), metrics_(metrics) {}
  void register_on(const std::shared_ptr<Connection>& client);
  asio::awaitable<void> handle(const IAMRoleCredentialsMessage& message, const Sender& sender);

 private:
  CredentialsStore& store_;
  CredentialsMetadata& metadata_;
  Metrics& metrics_;
};

}  // namespace ecs::acs
