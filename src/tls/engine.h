// One TLS connection's state machine, independent of any I/O object: mbedTLS runs over two
// in-memory buffers (ciphertext in, ciphertext out) and each call says what it needs next.
// tls/stream.h drives it with Asio operations; keeping it non-template keeps mbedTLS out of
// every translation unit that uses a stream.
//
// Concurrency contract (as for any Asio stream): at most one read and one write-side operation
// (handshake, write, shutdown) at a time, all on one thread. Only write-side operations send;
// bytes a read produces (alerts) wait in the output buffer for the next write-side operation.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "tls/context.h"

namespace ecs::tls {

class Engine {
 public:
  enum class Want {
    done,    // the operation finished (see Step::ec and Step::bytes)
    input,   // read ciphertext from the peer into input_space(), commit_input(), call again
    output,  // send take_output() to the peer, then call again (write: the operation is done)
  };
  struct Step {
    Want want = Want::done;
    std::size_t bytes = 0;
    error_code ec;
  };

  explicit Engine(std::shared_ptr<const Context> context);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Client: the host name sent as SNI and verified against the certificate. A host name only;
  // never "host:port".
  error_code set_server_name(const std::string& host);

  Step handshake();
  Step read(void* data, std::size_t size);
  Step write(const void* data, std::size_t size);  // Want::output with the bytes consumed
  Step shutdown();                                 // sends close_notify; does not wait for the peer's

  bool handshake_done() const { return handshake_done_; }

  // Ciphertext waiting to be sent. The caller owns the returned bytes while sending them;
  // later output accumulates separately and goes out with the next send.
  std::vector<unsigned char> take_output();
  bool has_output() const { return !out_.empty(); }

  // Room for at least one full TLS record of ciphertext from the peer.
  std::pair<unsigned char*, std::size_t> input_space();
  void commit_input(std::size_t n);
  void set_input_eof() { eof_ = true; }

  // Converts an error of the transport below during a handshake (e.g. a deadline) into the
  // TLS error that names it.
  static error_code handshake_transport_error(const error_code& ec);

 private:
  static int bio_send(void* self, const unsigned char* buf, std::size_t len);
  static int bio_recv(void* self, unsigned char* buf, std::size_t len);
  error_code translate(int rc);
  Step fail(int rc);

  struct Ssl;
  std::unique_ptr<Ssl> ssl_;
  std::shared_ptr<const Context> context_;
  std::vector<unsigned char> out_;
  std::vector<unsigned char> in_;
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  bool eof_ = false;
  bool handshake_done_ = false;
  bool close_notify_sent_ = false;
  error_code failed_;  // sticky: a TLS connection is unusable after a fatal error
};

}  // namespace ecs::tls
