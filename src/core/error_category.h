// The base of the project's error categories. Boost's error_category has a protected
// non-virtual destructor by design (categories are static objects, never deleted through a base
// pointer), and -Wnon-virtual-dtor flags every class derived from it; the project derives from it
// once, here, with a virtual destructor, so the warning stays on for everything else.
#pragma once

#include <boost/system/error_code.hpp>

namespace ecs {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class ErrorCategory : public boost::system::error_category {
 public:
  virtual ~ErrorCategory() = default;

 protected:
  ErrorCategory() = default;
};
#pragma GCC diagnostic pop

}  // namespace ecs
