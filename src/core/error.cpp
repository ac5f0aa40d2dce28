#include "core/error.h"

namespace ecs {

std::string Error::describe() const {
  if (message.empty()) return code.message();
  return message;
}

}  // namespace ecs
