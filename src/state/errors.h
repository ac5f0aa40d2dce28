// Typed errors of the durable state.
#pragma once

#include "core/error.h"

namespace ecs::state {

enum class StateErrc {
  io = 1,     // a file could not be written, synced or renamed; the store refused a write
  corrupt,    // no valid generation although files exist; the store's file is damaged
  bad_state,  // the payload is not the state expected (the error names the member)
};
const boost::system::error_category& state_category();
error_code make_error_code(StateErrc e);

}  // namespace ecs::state

template <>
struct boost::system::is_error_code_enum<ecs::state::StateErrc> : std::true_type {};
