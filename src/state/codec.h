// The JSON of each persisted record (state/records.h). Our own schema, with the reference's
// semantics (task-engine.md §12.3): statuses by name, times in RFC 3339 with nanoseconds (the
// zero time omitted), absent and empty kept apart where the engine distinguishes them (command,
// entryPoint, exit code). Decoding errors are StateErrc::bad_state naming the member.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"
#include "state/records.h"

namespace ecs::state {

std::string encode_task(const task::Task& task);
Result<task::Task> decode_task(std::string_view json);
std::string encode_instance(const InstanceRecord& instance);
Result<InstanceRecord> decode_instance(std::string_view json);
std::string encode_attachment(const AttachmentRecord& attachment);
Result<AttachmentRecord> decode_attachment(std::string_view json);

}  // namespace ecs::state
