// Server-side check of a header-signed SigV4 request, for the project's own fake ACS / ECS API
// and the local control plane: recomputes the signature from the request as received.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "aws/sigv4.h"
#include "core/error.h"

namespace ecs::aws {

struct ReceivedRequest {
  std::string method;
  std::string target;  // path?query as received
  Headers headers;     // all received headers
  std::string_view body;
};

struct VerifiedSigner {
  std::string access_key_id;
  std::string region;
  std::string service;
  std::string signed_headers;  // as listed in Authorization
  bool has_session_token = false;
};

// secret_for(access key id) -> secret, or nullopt for an unknown key.
using SecretLookup = std::function<std::optional<std::string>(const std::string&)>;

Result<VerifiedSigner> verify_signature(const ReceivedRequest& request, const SecretLookup& secret_for,
                                        std::chrono::system_clock::time_point now,
                                        std::chrono::minutes max_skew = std::chrono::minutes(15));

}  // namespace ecs::aws
