// The agent's own ACS collaborators (src/handlers) over the engine's stand-in and no
// persistence, in memory: what the ACS end-to-end tests, the frame fuzzer and the ACS benchmarks
// run the responders with.
#pragma once

#include "core/clock.h"
#include "credentials/store.h"
#include "engine/task_recorder.h"
#include "handlers/agent_handlers.h"
#include "state/instance_store.h"
#include "state/repository.h"

namespace ecs::test {

struct InMemoryAgent {
  explicit InMemoryAgent(const Clock& clock) : attachments({}, repository, clock) {}
  InMemoryAgent(const InMemoryAgent&) = delete;
  InMemoryAgent& operator=(const InMemoryAgent&) = delete;

  credentials::InMemoryCredentialsStore credentials;
  state::NoRepository repository;
  state::InstanceStore instance{{}, repository};
  engine::TaskRecorder engine{{}, repository, credentials};
  handlers::AttachmentRegistry attachments;
  handlers::AgentHandlers handlers{engine, credentials, instance, repository, attachments};
};

}  // namespace ecs::test
