// ACS's own vocabulary for why a connection could not be made or ended: the typed exceptions of
// a rejected upgrade (acs-protocol.md §2.3), and the ends the session decides on (reconnect at
// once, not connected, cancelled). The websocket adapter translates the transport's errors into
// these once, so nothing else in acs/ needs to know the transport.
#pragma once

#include <string_view>

#include "core/error.h"

namespace ecs::acs {

class Decoder;

enum class AcsErrc {
  server_exception = 1,
  bad_request,
  invalid_cluster,
  invalid_instance,
  access_denied,
  inactive_instance,
  unknown_error,  // "ACSError: ..." for bodies that are not one of the exceptions
  reconnect_now,  // a permissible end (close 1000/1001/1006/1011): reconnect without backoff
  not_connected,  // a send or serve without a connection
  cancelled,      // the caller's stop token
};
const boost::system::error_category& acs_category();
error_code make_error_code(AcsErrc e);

// The typed error for a rejected upgrade's body (status codes are not inspected).
Error error_from_rejection(std::string_view body, Decoder& decoder);
// The reference's Retry(): false for invalid instance/cluster, inactive instance, access denied.
bool is_retriable(const Error& error);
// The session's test: the text contains "InactiveInstanceException" (upgrade body, close
// reason or any other error), or the code says so.
bool is_inactive_instance(const Error& error);

}  // namespace ecs::acs

template <>
struct boost::system::is_error_code_enum<ecs::acs::AcsErrc> : std::true_type {};
