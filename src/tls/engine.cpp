#include "tls/engine.h"

#include <mbedtls/ssl.h>
#include <mbedtls/x509.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <cstring>

#include "tls/errors.h"

namespace ecs::tls {
namespace {

// A TLS 1.2 record is at most 16 KiB of plaintext plus overhead; mbedTLS needs it whole.
constexpr std::size_t kInputChunk = MBEDTLS_SSL_IN_CONTENT_LEN + 2048;

error_code eof_code() { return boost::asio::error::eof; }  // as after a clean close_notify

}  // namespace

struct Engine::Ssl {
  mbedtls_ssl_context ctx;
  Ssl() { mbedtls_ssl_init(&ctx); }
  ~Ssl() { mbedtls_ssl_free(&ctx); }
};

Engine::Engine(std::shared_ptr<const Context> context)
    : ssl_(std::make_unique<Ssl>()), context_(std::move(context)) {
  // mbedtls_ssl_setup only fails on allocation failure; report it on the first operation.
  if (mbedtls_ssl_setup(&ssl_->ctx, context_->config()) != 0) ssl_.reset();
  if (ssl_) mbedtls_ssl_set_bio(&ssl_->ctx, this, &Engine::bio_send, &Engine::bio_recv, nullptr);
}

Engine::~Engine() = default;

error_code Engine::set_server_name(const std::string& host) {
  // A host name only: "host:port" (one colon) or a bracketed literal is a caller bug that would
  // put the port into SNI and the verified name, as the reference agent does.
  if (host.empty() || host.front() == '[' || std::count(host.begin(), host.end(), ':') == 1) {
    return TlsErrc::invalid_server_name;
  }
  if (!ssl_) return error_code(MBEDTLS_ERR_SSL_ALLOC_FAILED, mbedtls_category());
  const int rc = mbedtls_ssl_set_hostname(&ssl_->ctx, host.c_str());
  return rc == 0 ? error_code() : error_code(rc, mbedtls_category());
}

int Engine::bio_send(void* self, const unsigned char* buf, std::size_t len) {
  auto* e = static_cast<Engine*>(self);
  e->out_.insert(e->out_.end(), buf, buf + len);
  return static_cast<int>(len);
}

int Engine::bio_recv(void* self, unsigned char* buf, std::size_t len) {
  auto* e = static_cast<Engine*>(self);
  const std::size_t available = e->in_end_ - e->in_begin_;
  if (available == 0) return e->eof_ ? 0 : MBEDTLS_ERR_SSL_WANT_READ;
  const std::size_t n = std::min(len, available);
  std::memcpy(buf, e->in_.data() + e->in_begin_, n);
  e->in_begin_ += n;
  if (e->in_begin_ == e->in_end_) e->in_begin_ = e->in_end_ = 0;
  return static_cast<int>(n);
}

std::vector<unsigned char> Engine::take_output() {
  std::vector<unsigned char> out;
  out.swap(out_);
  return out;
}

std::pair<unsigned char*, std::size_t> Engine::input_space() {
  if (in_begin_ > 0 && in_begin_ == in_end_) in_begin_ = in_end_ = 0;
  if (in_.size() - in_end_ < kInputChunk) {
    // Move unread bytes to the front before growing.
    if (in_begin_ > 0) {
      std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
      in_end_ -= in_begin_;
      in_begin_ = 0;
    }
    if (in_.size() - in_end_ < kInputChunk) in_.resize(in_end_ + kInputChunk);
  }
  return {in_.data() + in_end_, in_.size() - in_end_};
}

void Engine::commit_input(std::size_t n) { in_end_ += n; }

error_code Engine::handshake_transport_error(const error_code& ec) {
  if (ec == boost::beast::error::timeout) return TlsErrc::handshake_timeout;
  if (ec == boost::asio::error::eof) return TlsErrc::handshake_eof;
  return ec;
}

error_code Engine::translate(int rc) {
  switch (rc) {
    case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED: {
      const uint32_t flags = mbedtls_ssl_get_verify_result(&ssl_->ctx);
      if (flags & (MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_MISSING))
        return TlsErrc::unknown_ca;
      if (flags & MBEDTLS_X509_BADCERT_EXPIRED) return TlsErrc::certificate_expired;
      if (flags & MBEDTLS_X509_BADCERT_FUTURE) return TlsErrc::certificate_not_yet_valid;
      if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) return TlsErrc::name_mismatch;
      return TlsErrc::certificate_rejected;
    }
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
      return TlsErrc::alert_received;
    case MBEDTLS_ERR_SSL_INVALID_RECORD:
    case MBEDTLS_ERR_SSL_INVALID_MAC:
    case MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE:
    case MBEDTLS_ERR_SSL_UNEXPECTED_RECORD:
    case MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO:
    case MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO:
    case MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE:
    case MBEDTLS_ERR_SSL_BAD_HS_SERVER_KEY_EXCHANGE:
    case MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO_DONE:
    case MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE:
    case MBEDTLS_ERR_SSL_BAD_HS_FINISHED:
    case MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION:
      return TlsErrc::protocol_error;
    case MBEDTLS_ERR_SSL_CONN_EOF:
      return handshake_done_ ? TlsErrc::stream_truncated : TlsErrc::handshake_eof;
    default:
      return error_code(rc, mbedtls_category());
  }
}

Engine::Step Engine::fail(int rc) {
  failed_ = translate(rc);
  // A fatal error may have queued an alert for the peer: send it, then report the error.
  if (has_output()) return {Want::output, 0, {}};
  return {Want::done, 0, failed_};
}

Engine::Step Engine::handshake() {
  if (!ssl_) return {Want::done, 0, error_code(MBEDTLS_ERR_SSL_ALLOC_FAILED, mbedtls_category())};
  if (failed_) return {Want::done, 0, failed_};
  const int rc = mbedtls_ssl_handshake(&ssl_->ctx);
  if (rc != 0 && rc != MBEDTLS_ERR_SSL_WANT_READ) return fail(rc);
  if (has_output()) return {Want::output, 0, {}};
  if (rc == 0) {
    handshake_done_ = true;
    return {Want::done, 0, {}};
  }
  return {Want::input, 0, {}};
}

Engine::Step Engine::read(void* data, std::size_t size) {
  if (failed_) return {Want::done, 0, failed_};
  if (size == 0) return {Want::done, 0, {}};
  const int rc = mbedtls_ssl_read(&ssl_->ctx, static_cast<unsigned char*>(data), size);
  if (rc > 0) return {Want::done, static_cast<std::size_t>(rc), {}};
  if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return {Want::done, 0, eof_code()};
  // 0: the transport ended without close_notify.
  if (rc == 0 || rc == MBEDTLS_ERR_SSL_CONN_EOF) return {Want::done, 0, TlsErrc::stream_truncated};
  if (rc == MBEDTLS_ERR_SSL_WANT_READ) return {Want::input, 0, {}};
  // Read errors are not flushed from here (only write-side operations send); a later
  // write or shutdown carries any alert.
  failed_ = translate(rc);
  return {Want::done, 0, failed_};
}

Engine::Step Engine::write(const void* data, std::size_t size) {
  if (failed_) return {Want::done, 0, failed_};
  if (size == 0) return {Want::done, 0, {}};
  const int rc = mbedtls_ssl_write(&ssl_->ctx, static_cast<const unsigned char*>(data), size);
  if (rc > 0) return {Want::output, static_cast<std::size_t>(rc), {}};
  return fail(rc);
}

Engine::Step Engine::shutdown() {
  // close_notify goes out once; the call after its bytes were sent reports completion.
  if (failed_ || !handshake_done_ || close_notify_sent_) return {Want::done, 0, {}};
  close_notify_sent_ = true;
  const int rc = mbedtls_ssl_close_notify(&ssl_->ctx);
  if (has_output()) return {Want::output, 0, {}};
  if (rc != 0) return {Want::done, 0, translate(rc)};
  return {Want::done, 0, {}};
}

}  // namespace ecs::tls
