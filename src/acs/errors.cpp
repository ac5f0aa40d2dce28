#include "acs/errors.h"

#include "acs/codec.h"
#include "core/error_category.h"

namespace ecs::acs {
namespace {

class AcsCategory : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "acs"; }
  std::string message(int ev) const override {
    switch (static_cast<AcsErrc>(ev)) {
      case AcsErrc::server_exception:
        return "ServerException";
      case AcsErrc::bad_request:
        return "BadRequestException";
      case AcsErrc::invalid_cluster:
        return "InvalidClusterException";
      case AcsErrc::invalid_instance:
        return "InvalidInstanceException";
      case AcsErrc::access_denied:
        return "AccessDeniedException";
      case AcsErrc::inactive_instance:
        return "InactiveInstanceException";
      case AcsErrc::unknown_error:
        return "ACSError";
      case AcsErrc::reconnect_now:
        return "EOF";
      case AcsErrc::not_connected:
        return "not connected";
      case AcsErrc::cancelled:
        return "context canceled";
    }
    return "ACSError";
  }
};

AcsErrc exception_code(std::string_view type) {
  if (type == "ServerException") return AcsErrc::server_exception;
  if (type == "BadRequestException") return AcsErrc::bad_request;
  if (type == "InvalidClusterException") return AcsErrc::invalid_cluster;
  if (type == "InvalidInstanceException") return AcsErrc::invalid_instance;
  if (type == "AccessDeniedException") return AcsErrc::access_denied;
  if (type == "InactiveInstanceException") return AcsErrc::inactive_instance;
  return AcsErrc::unknown_error;
}

}  // namespace

const boost::system::error_category& acs_category() {
  static const AcsCategory c;
  return c;
}

error_code make_error_code(AcsErrc e) { return {static_cast<int>(e), acs_category()}; }

Error error_from_rejection(std::string_view body, Decoder& decoder) {
  auto decoded = decoder.decode(body);
  if (!decoded) {
    return make_error(AcsErrc::unknown_error, "ACSError: " + decoded.error().message);
  }
  const std::string_view type = type_name(*decoded);
  if (auto text = exception_text(*decoded)) {
    return make_error(exception_code(type), std::string(type) + ": " + *text);
  }
  return make_error(AcsErrc::unknown_error, "ACSError: Unknown error (" + std::string(type) + ")");
}

bool is_retriable(const Error& error) {
  if (error.code.category() != acs_category()) return true;
  const auto e = static_cast<AcsErrc>(error.code.value());
  return !(e == AcsErrc::invalid_instance || e == AcsErrc::invalid_cluster ||
           e == AcsErrc::inactive_instance || e == AcsErrc::access_denied);
}

bool is_inactive_instance(const Error& error) {
  return error.code == AcsErrc::inactive_instance ||
         error.message.find("InactiveInstanceException") != std::string::npos;
}

}  // namespace ecs::acs
