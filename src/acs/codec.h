// ACS frames <-> typed messages. A frame is one JSON text `{"type":"<Shape>","message":{...}}`.
//
// Decoding follows shared/spec/acs-protocol.md §3.3 (the reference's Go encoding/json rules):
// object keys match exactly, else case-insensitively (ASCII); unknown keys are ignored; null is
// absent; integers must be integral and fit int64; a missing "message" is an error while
// "message": null is an all-absent shape; a frame without a usable "type" may be the single-key
// exception form {"InvalidClusterException":"text"}. Every failure is a typed error naming the
// offending member, never a crash.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "acs/model.h"
#include "core/error.h"

namespace ecs::acs {

// The 23 types the agent recognizes (decoder and encoder lists of the reference).
using Message = std::variant<HeartbeatMessage, HeartbeatAckRequest, PayloadMessage, CloseMessage, AckRequest,
                             NackRequest, PerformUpdateMessage, StageUpdateMessage, IAMRoleCredentialsMessage,
                             IAMRoleCredentialsAckRequest, ServerException, BadRequestException,
                             InvalidClusterException, InvalidInstanceException, AccessDeniedException,
                             InactiveInstanceException, ErrorMessage, AttachTaskNetworkInterfacesMessage,
                             AttachInstanceNetworkInterfacesMessage, ConfirmAttachmentMessage,
                             TaskManifestMessage, TaskStopVerificationAck, TaskStopVerificationMessage>;

enum class DecodeErrc {
  undecodable = 1,    // not a JSON object in either accepted form
  unrecognized_type,  // "type" names no recognized shape
  missing_message,    // no "message" member
  bad_member,         // a member has the wrong JSON type (or an integer is not integral)
};
const boost::system::error_category& decode_category();
error_code make_error_code(DecodeErrc e);

std::string_view type_name(const Message& message);
bool is_recognized_type(std::string_view type);
// The six exceptions (the only types the single-key form may carry).
bool is_exception_type(std::string_view type);
// The exception's text if `message` is one of the six exceptions.
std::optional<std::string> exception_text(const Message& message);

// The node type of StringMap's map, kept by the decoder to refill maps in place.
using StringMapNode = StringMap::value_type::node_type;

class Decoder {
 public:
  // Into a fresh message.
  Result<Message> decode(std::string_view frame);
  // Into `out`, reusing the storage of what it holds (string capacity, vector elements, map
  // nodes) and leaving exactly what decode() would return: decoding frame after frame into the
  // same message allocates nothing in the steady state. On error `out` is some valid message.
  Result<void> decode_into(std::string_view frame, Message& out);
  // The same for a frame followed in memory by at least simdjson::SIMDJSON_PADDING readable bytes
  // (their contents do not matter): parsed where it is, without a copy.
  Result<void> decode_padded_into(std::string_view frame, Message& out);

 private:
  simdjson::dom::parser parser_;
  simdjson::dom::document doc_;  // the parsed frame, read from its tape
  std::string padded_;           // the frame plus simdjson's padding, reused across frames
  std::vector<StringMapNode> spare_nodes_;
  std::vector<const void*> seen_;  // the map entries a frame's keys were found in
};

// {"type":"<Shape>","message":{...}} with only present members, in declaration order.
std::string encode(const Message& message);

// Reflection, for tests that check the model against api-2.json: member names and kinds
// ("string", "boolean", "integer", "double", "map", "list:<kind>", "structure:<Shape>").
struct MemberInfo {
  std::string name;
  std::string kind;
};
std::vector<std::string> all_shape_names();
std::optional<std::vector<MemberInfo>> describe_shape(std::string_view shape);

}  // namespace ecs::acs

template <>
struct boost::system::is_error_code_enum<ecs::acs::DecodeErrc> : std::true_type {};
