// Typed errors of the exec manager (the texts are the reference's, exec-manager.md §4.6).
#pragma once

#include "core/error.h"

namespace ecs::execcmd {

enum class ExecErrc {
  agent_not_found = 1,  // managed agent not found (ExecuteCommandAgent)
  no_valid_versions,    // no valid versions were found in <dir>
  config_file,          // could not generate ExecAgent Config File: ...
  log_config_file,      // could not generate ExecAgent LogConfig file: ...
  config_dir,           // could not generate ExecAgent Config dir: ... (Windows)
  certs_missing,        // could not find certs
  missing_uuid,         // container has not been initialized: missing UUID
  agent_exited,         // ExecuteCommandAgent process exited with exit code: N
  canceled,             // the stop token fired before any attempt
};
const boost::system::error_category& exec_category();
error_code make_error_code(ExecErrc e);

}  // namespace ecs::execcmd

template <>
struct boost::system::is_error_code_enum<ecs::execcmd::ExecErrc> : std::true_type {};
