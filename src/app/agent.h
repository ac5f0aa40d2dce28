// The running agent (issue 6, point 2 and 6): configuration → logging → durable state (a saved
// state for another cluster stops start-up) → region (configuration, else IMDS) → credentials
// chain → ECS API client → introspection and credentials endpoints → RegisterContainerInstance
// (with the saved ARN when re-registering; retried with backoff) → the ACS session with every
// responder over the durable collaborators. SIGTERM or SIGINT stops it: the endpoints stop
// accepting, the websocket closes, the state is flushed and the process exits 0 within 5 s.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "app/config.h"

namespace ecs::app {

// Exit codes as the reference's (agent/sighandlers/exitcodes): 1 error, ecs-init restarts the
// agent; 5 terminal, it does not.
inline constexpr int kExitSuccess = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitTerminal = 5;

// Runs the agent until SIGTERM/SIGINT; returns the process exit code. Errors before the agent
// runs are written to `err` (and logged).
int run_agent(const AgentConfig& config, std::ostream& err);

}  // namespace ecs::app
