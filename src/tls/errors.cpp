#include "tls/errors.h"

#include <mbedtls/error.h>

#include <string>

#include "core/error_category.h"

namespace ecs::tls {
namespace {

class TlsCategory : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "tls"; }
  std::string message(int ev) const override {
    switch (static_cast<TlsErrc>(ev)) {
      case TlsErrc::unknown_ca:
        return "TLS: server certificate is not signed by a trusted CA";
      case TlsErrc::certificate_expired:
        return "TLS: server certificate has expired";
      case TlsErrc::certificate_not_yet_valid:
        return "TLS: server certificate is not valid yet";
      case TlsErrc::name_mismatch:
        return "TLS: server certificate does not match the host name";
      case TlsErrc::certificate_rejected:
        return "TLS: server certificate rejected";
      case TlsErrc::handshake_timeout:
        return "TLS: handshake timed out";
      case TlsErrc::handshake_eof:
        return "TLS: peer closed the connection during the handshake";
      case TlsErrc::protocol_error:
        return "TLS: peer sent data that is not valid TLS";
      case TlsErrc::alert_received:
        return "TLS: peer sent a fatal alert";
      case TlsErrc::stream_truncated:
        return "TLS: connection closed without close_notify";
      case TlsErrc::invalid_server_name:
        return "TLS: invalid server name";
    }
    return "TLS: unknown error";
  }
};

class MbedtlsCategory : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "mbedtls"; }
  std::string message(int ev) const override {
    char buf[160];
    mbedtls_strerror(ev, buf, sizeof buf);
    return std::string("mbedTLS: ") + buf;
  }
};

}  // namespace

const boost::system::error_category& tls_category() {
  static const TlsCategory c;
  return c;
}

const boost::system::error_category& mbedtls_category() {
  static const MbedtlsCategory c;
  return c;
}

error_code make_error_code(TlsErrc e) { return {static_cast<int>(e), tls_category()}; }

bool is_verification_failure(const error_code& ec) {
  return ec == TlsErrc::unknown_ca || ec == TlsErrc::certificate_expired ||
         ec == TlsErrc::certificate_not_yet_valid || ec == TlsErrc::name_mismatch ||
         ec == TlsErrc::certificate_rejected;
}

}  // namespace ecs::tls
