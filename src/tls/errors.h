// Typed TLS failures. Certificate verification and handshake problems that operators must be
// able to tell apart get their own codes; any other mbedTLS failure keeps mbedTLS's own error
// number in mbedtls_category() (its message is mbedTLS's description of it).
#pragma once

#include "core/error.h"

namespace ecs::tls {

enum class TlsErrc {
  unknown_ca = 1,             // chain does not lead to a trusted root
  certificate_expired,        // a certificate in the chain is past its validity
  certificate_not_yet_valid,  // a certificate in the chain is not valid yet
  name_mismatch,              // the server's certificate is not for the host we asked for
  certificate_rejected,       // any other verification failure (bad usage, revoked, weak key...)
  handshake_timeout,          // no complete handshake within the deadline
  handshake_eof,              // the peer closed the connection during the handshake
  protocol_error,             // the peer sent bytes that are not valid TLS
  alert_received,             // the peer ended the connection with a fatal alert
  stream_truncated,           // TCP closed without close_notify after the handshake
  invalid_server_name,        // empty or unusable host name for SNI/verification
};

const boost::system::error_category& tls_category();
const boost::system::error_category& mbedtls_category();
error_code make_error_code(TlsErrc e);

// True for the codes that mean "the server's certificate was not accepted".
bool is_verification_failure(const error_code& ec);

}  // namespace ecs::tls

template <>
struct boost::system::is_error_code_enum<ecs::tls::TlsErrc> : std::true_type {};
