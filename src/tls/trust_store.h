// The CA certificates the agent trusts when it verifies a TLS server: Debian's ca-certificates
// bundle, embedded into the binary at build time (so nothing is needed at run time, also on
// air-gapped hosts and in a FROM-scratch image), plus the PEM file named by AWS_CA_BUNDLE.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/environment.h"
#include "core/error.h"

struct mbedtls_x509_crt;

namespace ecs::tls {

enum class TrustStoreErrc {
  unreadable = 1,   // AWS_CA_BUNDLE names a file that cannot be read
  no_certificates,  // the file holds no certificate mbedTLS can parse
};
const boost::system::error_category& trust_store_category();
error_code make_error_code(TrustStoreErrc e);

// The embedded bundle's PEM text (generated source, see cmake/EmbedFile.cmake).
std::string_view embedded_ca_bundle_pem();

struct TrustStoreOptions {
  bool use_embedded = true;
  std::optional<std::string> extra_bundle_path;  // AWS_CA_BUNDLE

  // use_embedded plus AWS_CA_BUNDLE from the environment (an empty value means unset).
  static TrustStoreOptions from_environment(const EnvLookup& env);
};

class TrustStore {
 public:
  static Result<std::shared_ptr<const TrustStore>> load(const TrustStoreOptions& options);

  ~TrustStore();
  TrustStore(const TrustStore&) = delete;
  TrustStore& operator=(const TrustStore&) = delete;

  // The parsed chain, shared read-only by every TLS context (mbedTLS only reads it).
  mbedtls_x509_crt* chain() const { return chain_.get(); }

  std::size_t embedded_count() const { return embedded_count_; }
  // Certificates of the embedded bundle mbedTLS could not parse (algorithms it lacks).
  std::size_t embedded_skipped() const { return embedded_skipped_; }
  std::size_t extra_count() const { return extra_count_; }
  const std::optional<std::string>& extra_bundle_path() const { return extra_path_; }

 private:
  TrustStore();
  struct ChainDeleter {
    void operator()(mbedtls_x509_crt* c) const;
  };
  std::unique_ptr<mbedtls_x509_crt, ChainDeleter> chain_;
  std::size_t embedded_count_ = 0;
  std::size_t embedded_skipped_ = 0;
  std::size_t extra_count_ = 0;
  std::optional<std::string> extra_path_;
};

}  // namespace ecs::tls

template <>
struct boost::system::is_error_code_enum<ecs::tls::TrustStoreErrc> : std::true_type {};
