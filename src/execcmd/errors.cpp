#include "execcmd/errors.h"

#include "core/error_category.h"

namespace ecs::execcmd {
namespace {

class ExecCategory : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "execcmd"; }
  std::string message(int ev) const override {
    switch (static_cast<ExecErrc>(ev)) {
      case ExecErrc::agent_not_found:
        return "managed agent not found";
      case ExecErrc::no_valid_versions:
        return "no valid SSM agent version";
      case ExecErrc::config_file:
        return "cannot write the SSM agent configuration";
      case ExecErrc::log_config_file:
        return "cannot write the SSM agent log configuration";
      case ExecErrc::config_dir:
        return "cannot write the SSM agent configuration directory";
      case ExecErrc::certs_missing:
        return "SSM agent certificates missing";
      case ExecErrc::missing_uuid:
        return "container not initialised for exec";
      case ExecErrc::agent_exited:
        return "SSM agent exited";
      case ExecErrc::canceled:
        return "context canceled";
    }
    return "exec error";
  }
};

}  // namespace

const boost::system::error_category& exec_category() {
  static const ExecCategory c;
  return c;
}

error_code make_error_code(ExecErrc e) { return {static_cast<int>(e), exec_category()}; }

}  // namespace ecs::execcmd
