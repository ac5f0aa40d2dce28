#include "tls/trust_store.h"

#include <mbedtls/x509_crt.h>

#include <cstdlib>

#include "core/error_category.h"
#include "core/file.h"

namespace ecs::tls {
namespace {

class TrustStoreCategory : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "trust-store"; }
  std::string message(int ev) const override {
    switch (static_cast<TrustStoreErrc>(ev)) {
      case TrustStoreErrc::unreadable:
        return "CA bundle file cannot be read";
      case TrustStoreErrc::no_certificates:
        return "CA bundle file holds no usable certificate";
    }
    return "unknown trust store error";
  }
};

std::size_t count_certificates(const mbedtls_x509_crt* crt) {
  std::size_t n = 0;
  for (; crt != nullptr && crt->raw.len != 0; crt = crt->next) ++n;
  return n;
}

// Parses PEM text into chain; returns how many certificates failed to parse, or a negative
// mbedTLS error if nothing could be parsed at all.
int parse_pem(mbedtls_x509_crt* chain, std::string_view pem) {
  // mbedTLS wants the PEM buffer NUL-terminated, with the terminator counted in the length.
  std::string buf(pem);
  return mbedtls_x509_crt_parse(chain, reinterpret_cast<const unsigned char*>(buf.c_str()), buf.size() + 1);
}

}  // namespace

const boost::system::error_category& trust_store_category() {
  static const TrustStoreCategory category;
  return category;
}

error_code make_error_code(TrustStoreErrc e) { return {static_cast<int>(e), trust_store_category()}; }

TrustStoreOptions TrustStoreOptions::from_environment(const EnvLookup& env) {
  TrustStoreOptions options;
  if (auto path = env_value(env, "AWS_CA_BUNDLE")) options.extra_bundle_path = *path;
  return options;
}

TrustStore::TrustStore() : chain_(new mbedtls_x509_crt) { mbedtls_x509_crt_init(chain_.get()); }

TrustStore::~TrustStore() = default;

void TrustStore::ChainDeleter::operator()(mbedtls_x509_crt* c) const {
  mbedtls_x509_crt_free(c);
  delete c;
}

Result<std::shared_ptr<const TrustStore>> TrustStore::load(const TrustStoreOptions& options) {
  std::shared_ptr<TrustStore> store(new TrustStore);
  if (options.use_embedded) {
    const int rc = parse_pem(store->chain_.get(), embedded_ca_bundle_pem());
    store->embedded_count_ = count_certificates(store->chain_.get());
    store->embedded_skipped_ = rc > 0 ? static_cast<std::size_t>(rc) : 0;
  }
  if (options.extra_bundle_path) {
    const std::string& path = *options.extra_bundle_path;
    Result<std::string> text = read_file(path);
    if (!text) {
      return make_error(TrustStoreErrc::unreadable, "AWS_CA_BUNDLE: " + text.error().message);
    }
    const std::size_t before = count_certificates(store->chain_.get());
    const int rc = parse_pem(store->chain_.get(), *text);
    store->extra_count_ = count_certificates(store->chain_.get()) - before;
    if (store->extra_count_ == 0) {
      return make_error(TrustStoreErrc::no_certificates,
                        "AWS_CA_BUNDLE: '" + path +
                            "' holds no PEM certificate that can be parsed (mbedTLS error " +
                            std::to_string(rc) + ")");
    }
    store->extra_path_ = path;
  }
  return std::shared_ptr<const TrustStore>(std::move(store));
}

}  // namespace ecs::tls
