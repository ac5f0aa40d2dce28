// The payload intake (acs-protocol.md §5.1, task-engine.md §7.1), the one place a PayloadMessage
// becomes tasks: each task's credentials are stored (and acknowledged), the task is converted
// and handed to the engine — tasks desired STOPPED before those desired RUNNING, so stops free
// what the others need — and the sequence number is raised. The payload is acknowledged only
// when every task was handled and persisted; a task that cannot be converted is reported
// STOPPED ("UnrecogniedTaskError: Error loading task - ...", the reference's spelling) and keeps
// the payload unacknowledged; a task using a feature this agent does not run is refused: added
// desired STOPPED with the reason, so ECS learns it STOPPED without a container being made.
// The tasks and the sequence number are written together (one commit: a crash keeps both or
// neither).
#pragma once

#include "acs/interfaces.h"
#include "credentials/store.h"
#include "engine/task_engine.h"
#include "state/repository.h"

namespace ecs::handlers {

class PayloadIntake : public acs::PayloadHandler {
 public:
  PayloadIntake(engine::TaskEngine& engine, credentials::CredentialsStore& credentials,
                acs::SequenceNumber& sequence, state::Repository& repository)
      : engine_(engine), credentials_(credentials), sequence_(sequence), repository_(repository) {}

  asio::awaitable<Result<void>> process(const acs::PayloadMessage& message, acs::AckFunction ack) override;

 private:
  engine::TaskEngine& engine_;
  credentials::CredentialsStore& credentials_;
  acs::SequenceNumber& sequence_;
  state::Repository& repository_;
};

}  // namespace ecs::handlers
