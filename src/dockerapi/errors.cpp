#include "dockerapi/errors.h"

#include <cstdio>

#include "core/error_category.h"

namespace ecs::dockerapi {
namespace {

class DockerCategory : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "docker"; }
  std::string message(int ev) const override {
    switch (static_cast<DockerErrc>(ev)) {
      case DockerErrc::not_found:
        return "not found";
      case DockerErrc::conflict:
        return "conflict";
      case DockerErrc::bad_request:
        return "bad request";
      case DockerErrc::daemon_error:
        return "Docker daemon error";
      case DockerErrc::timeout:
        return "Docker call timed out";
      case DockerErrc::canceled:
        return "context canceled";
      case DockerErrc::transport:
        return "cannot talk to the Docker daemon";
      case DockerErrc::malformed_response:
        return "malformed Docker daemon response";
      case DockerErrc::bad_endpoint:
        return "unusable Docker endpoint";
      case DockerErrc::unsupported_api:
        return "Docker API version not supported";
      case DockerErrc::pull_failed:
        return "image pull failed";
    }
    return "Docker error";
  }
};

}  // namespace

const boost::system::error_category& docker_category() {
  static const DockerCategory c;
  return c;
}

error_code make_error_code(DockerErrc e) { return {static_cast<int>(e), docker_category()}; }

std::string go_duration(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  if (d == nanoseconds::zero()) return "0s";
  // (Built up with push_back and +=: GCC 12's -Wrestrict misfires on `out = "-"` under ASan.)
  std::string out;
  if (d < nanoseconds::zero()) {
    out.push_back('-');
    d = -d;
  }
  if (d < seconds(1)) {
    // Below a second Go picks ns, µs or ms with a fraction; ms covers every timeout used here.
    const double ms = duration<double, std::milli>(d).count();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", ms);
    return out + buf + "ms";
  }
  const auto h = duration_cast<hours>(d);
  d -= h;
  const auto m = duration_cast<minutes>(d);
  d -= m;
  const double s = duration<double>(d).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  if (h.count() > 0) out += std::to_string(h.count()) + "h";
  if (h.count() > 0 || m.count() > 0) out += std::to_string(m.count()) + "m";
  return out + buf + "s";
}

}  // namespace ecs::dockerapi
