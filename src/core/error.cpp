#include "core/error.h"

namespace ecs {

std::string Error::describe() const {
  if (message.empty()) return code.message();
  return message;
}

error_code from_std(const std::error_code& ec) {
  if (!ec) return {};
  if (ec.category() == std::generic_category()) return {ec.value(), boost::system::generic_category()};
  if (ec.category() == std::system_category()) return {ec.value(), boost::system::system_category()};
  // Other standard categories do not occur here; keep the number, say it is unknown.
  return errc::make_error_code(errc::io_error);
}

}  // namespace ecs
