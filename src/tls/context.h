// Configuration shared by many TLS connections of one role: the mbedTLS config with TLS 1.2 as
// the minimum, a random generator, and either the trust store (client: chain and host name
// always verified) or the server's certificate chain and key.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "tls/trust_store.h"

struct mbedtls_ssl_config;

namespace ecs::tls {

class Context {
 public:
  enum class Role { client, server };

  // A client that verifies servers against `trust` (the embedded bundle + AWS_CA_BUNDLE).
  static Result<std::shared_ptr<const Context>> client(std::shared_ptr<const TrustStore> trust);

  // A server presenting `chain_pem` (leaf first) with private key `key_pem`. on_server_name, if
  // set, sees the SNI host name of every client that sends one (fake servers record it).
  using ServerNameObserver = std::function<void(std::string_view)>;
  static Result<std::shared_ptr<const Context>> server(const std::string& chain_pem,
                                                       const std::string& key_pem,
                                                       ServerNameObserver on_server_name = {});

  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  Role role() const { return role_; }
  const mbedtls_ssl_config* config() const;

 private:
  explicit Context(Role role);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Role role_;
};

}  // namespace ecs::tls
