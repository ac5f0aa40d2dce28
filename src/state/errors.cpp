#include "state/errors.h"

#include "core/error_category.h"

namespace ecs::state {
namespace {

class StateCategory : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "state"; }
  std::string message(int ev) const override {
    switch (static_cast<StateErrc>(ev)) {
      case StateErrc::io:
        return "state file I/O failed";
      case StateErrc::corrupt:
        return "state file corrupt";
      case StateErrc::bad_state:
        return "state not understood";
    }
    return "state error";
  }
};

}  // namespace

const boost::system::error_category& state_category() {
  static const StateCategory category;
  return category;
}

error_code make_error_code(StateErrc e) { return {static_cast<int>(e), state_category()}; }

}  // namespace ecs::state
