// Typed errors of the Docker Engine API client. Callers branch on the code; the message is the
// text the reference agent would show (e.g. "Error response from daemon: No such container: x",
// "Could not transition to inspect exec command; timed out after waiting 1m0s").
#pragma once

#include <chrono>
#include <string>

#include "core/error.h"

namespace ecs::dockerapi {

enum class DockerErrc {
  not_found = 1,       // 404: no such container / exec instance / image
  conflict,            // 409: container not running, paused, restarting; exec already ran
  bad_request,         // 400: the daemon refused the request's parameters
  daemon_error,        // any other non-2xx/3xx answer (500...), with the daemon's message
  timeout,             // the per-call deadline passed
  canceled,            // the caller's stop token stopped the call
  transport,           // cannot connect, or the connection broke mid-call
  malformed_response,  // not HTTP, a body that is not the JSON expected, or too large
  bad_endpoint,        // DOCKER_HOST that this platform cannot use
  unsupported_api,     // the daemon's API version is below the client's floor
  pull_failed,         // the pull's progress stream reported an error (its text is the message)
};
const boost::system::error_category& docker_category();
error_code make_error_code(DockerErrc e);

// Go's time.Duration text: 1m0s, 2m0s, 30s, 1.5s, 250ms.
std::string go_duration(std::chrono::nanoseconds d);

}  // namespace ecs::dockerapi

template <>
struct boost::system::is_error_code_enum<ecs::dockerapi::DockerErrc> : std::true_type {};
